"""Energy of fuel and energy lines in MWh: calorific values and renewable shares.

Pure functions on Decimal and the catalogue table
`emissions/data/energy_properties.csv`; no ORM. Each row of the table names
how an activity type's lines become energy:

* ``metered`` (electricity, heat, steam, cooling): the line's own kWh, MWh or
  GJ, converted exactly;
* ``net``: a fuel, converted with its net calorific value. The value is not
  typed in: it is the ratio of two figures DESNZ publishes for the same fuel
  in the same edition, kg CO2e per unit (litre, m3, kWh gross CV) divided by
  kg CO2e per kWh (Net CV), so that it is the calorific value behind the
  emission factor. Energy is reported on the net basis, as in EFRAG's fuel
  converter of the VSME template;
* ``distance``: a vehicle line entered as distance only; the fuel burnt is not
  known, so it cannot be converted and is named as such.

Blends (forecourt diesel and petrol with their average biofuel content) carry
the biogenic CO2 DESNZ publishes "outside of scopes" per litre. Their renewable
share by energy is that biogenic CO2 over the CO2 the same energy of the pure
biofuel would release (DESNZ's outside-of-scopes figure for it, per GJ):

    share = biogenic kg CO2 per litre
            / (biofuel kg CO2 per GJ x 0.0036 GJ/kWh x kWh (net) per litre)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from emissions.units import UNITS, UnitConversionError, convert

TABLE = Path(__file__).resolve().parent.parent / "emissions" / "data"
TABLE_FILE = TABLE / "energy_properties.csv"
ZERO = Decimal(0)
KWH_PER_MWH = Decimal(1000)
GJ_PER_KWH = Decimal("0.0036")  # 1 kWh = 3.6 MJ exactly

ELECTRICITY = "electricity"
FUEL = "fuel"
HEAT = "heat"
KINDS = (ELECTRICITY, FUEL, HEAT)

METERED = "metered"
NET = "net"
DISTANCE = "distance"


class EnergyConversionError(ValueError):
    """A line whose energy cannot be stated (unit without a calorific value)."""


@dataclass(frozen=True)
class EnergyProperty:
    """One row of the catalogue table."""

    activity: str
    kind: str
    basis: str
    unit: str = ""
    edition: int | None = None
    kg_co2e_per_unit: Decimal | None = None
    kg_co2e_per_kwh: Decimal | None = None
    biogenic_kg_co2_per_unit: Decimal = ZERO
    biofuel: str = ""
    biofuel_kg_co2_per_gj: Decimal | None = None
    biofuel_edition: int | None = None
    source: str = ""

    @property
    def kwh_per_unit(self) -> Decimal | None:
        """kWh (net CV) per unit of the fuel: the two published factors' ratio."""
        if self.basis != NET or not self.kg_co2e_per_kwh:
            return None
        return self.kg_co2e_per_unit / self.kg_co2e_per_kwh

    @property
    def renewable_share(self) -> Decimal:
        """The biofuel share of a blend by energy (0 for a fossil fuel)."""
        if not self.biogenic_kg_co2_per_unit or not self.biofuel_kg_co2_per_gj:
            return ZERO
        per_kwh = self.biofuel_kg_co2_per_gj * GJ_PER_KWH
        return self.biogenic_kg_co2_per_unit / (per_kwh * self.kwh_per_unit)


@dataclass(frozen=True)
class LineEnergy:
    """The energy of a quantity: MWh, its renewable part, biogenic CO2 in kg."""

    mwh: Decimal
    renewable_mwh: Decimal
    biogenic_kg_co2: Decimal


def _decimal(text: str) -> Decimal | None:
    text = (text or "").strip()
    return Decimal(text) if text else None


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


def read_table(path: Path = TABLE_FILE) -> list[EnergyProperty]:
    """Read the catalogue table (every row, in file order)."""
    with path.open(encoding="utf-8") as handle:
        return [
            EnergyProperty(
                activity=row["activity"].strip(),
                kind=row["kind"].strip(),
                basis=row["basis"].strip(),
                unit=row["unit"].strip(),
                edition=_int(row["edition"]),
                kg_co2e_per_unit=_decimal(row["kg_co2e_per_unit"]),
                kg_co2e_per_kwh=_decimal(row["kg_co2e_per_kwh"]),
                biogenic_kg_co2_per_unit=_decimal(row["biogenic_kg_co2_per_unit"])
                or ZERO,
                biofuel=row["biofuel"].strip(),
                biofuel_kg_co2_per_gj=_decimal(row["biofuel_kg_co2_per_gj"]),
                biofuel_edition=_int(row["biofuel_edition"]),
                source=row["source"].strip(),
            )
            for row in csv.DictReader(handle)
        ]


@cache
def energy_table() -> tuple[EnergyProperty, ...]:
    return tuple(read_table())


def energy_activities() -> dict[str, str]:
    """Return the kind (electricity, fuel, heat) of every activity in the table."""
    return {row.activity: row.kind for row in energy_table()}


def property_for(
    activity: str, unit: str, year: int, table: tuple[EnergyProperty, ...] = ()
) -> EnergyProperty | None:
    """Return the row for a line: its unit's row of the year's edition.

    The edition is the year's or the nearest earlier one, as for emission
    factors; before the first edition the first one. A fuel in a unit of the
    same dimension as a row's (m3 of oil, MWh gross, US gallons) uses that row.
    None: the activity is not an energy line.
    """
    rows = [row for row in (table or energy_table()) if row.activity == activity]
    if not rows:
        return None
    if rows[0].basis in (METERED, DISTANCE):
        return rows[0]
    dimension = UNITS[unit].dimension if unit in UNITS else None
    same = [
        row
        for row in rows
        if row.unit == unit
        or (row.unit in UNITS and UNITS[row.unit].dimension == dimension)
    ]
    exact = [row for row in same if row.unit == unit]
    candidates = exact or same
    if not candidates:
        raise EnergyConversionError(
            f"No calorific value for {activity} in {unit}: the table gives "
            + ", ".join(sorted({row.unit for row in rows}))
            + "."
        )
    earlier = [row for row in candidates if row.edition <= year]
    if earlier:
        return max(earlier, key=lambda row: row.edition)
    return min(candidates, key=lambda row: row.edition)


def line_energy(
    prop: EnergyProperty,
    *,
    quantity: Decimal,
    unit: str,
    metered_kwh: Decimal | None = None,
) -> LineEnergy:
    """Return a line's energy in MWh (renewable part 0 for metered energy).

    Metered energy is the line's kWh as calculated (`metered_kwh`, after a data
    centre's PUE) or else its quantity converted exactly; a fuel's quantity is
    converted into the row's unit and multiplied by the net calorific value.
    Whether metered electricity is renewable depends on the instruments of its
    business unit, which the caller applies.
    """
    if prop.basis == DISTANCE:
        raise EnergyConversionError(prop.source)
    if prop.basis == METERED:
        kwh = metered_kwh
        if kwh is None:
            try:
                kwh = convert(quantity, unit, "kWh")
            except UnitConversionError as exc:
                raise EnergyConversionError(str(exc)) from None
        return LineEnergy(
            mwh=kwh / KWH_PER_MWH, renewable_mwh=ZERO, biogenic_kg_co2=ZERO
        )
    try:
        in_row_unit = (
            quantity if unit == prop.unit else convert(quantity, unit, prop.unit)
        )
    except UnitConversionError as exc:
        raise EnergyConversionError(str(exc)) from None
    mwh = in_row_unit * prop.kwh_per_unit / KWH_PER_MWH
    return LineEnergy(
        mwh=mwh,
        renewable_mwh=mwh * prop.renewable_share,
        biogenic_kg_co2=in_row_unit * prop.biogenic_kg_co2_per_unit,
    )


# Words in an instrument's energy source or technology (English, Norwegian,
# Swedish) that name a renewable or a non-renewable source.
_RENEWABLE_WORDS = (
    "hydro",
    "wind",
    "solar",
    "photovolt",
    "bio",
    "geotherm",
    "wave",
    "tidal",
    "renewable",
    "vann",
    "vind",
    "sol",
    "vatten",
    "fornybar",
    "förnybar",
)
_NON_RENEWABLE_WORDS = (
    "nuclear",
    "gas",
    "coal",
    "oil",
    "fossil",
    "peat",
    "lignite",
    "kjernekraft",
    "kärnkraft",
    "kull",
    "kol",
    "torv",
)
CERTIFICATE_KINDS = ("go", "rec", "green_tariff")


def instrument_is_renewable(*, kind: str, energy_source: str, technology: str) -> bool:
    """Return whether an instrument's electricity counts as renewable.

    A source named renewable counts (hydropower, wind, biogas ...); one named
    nuclear or fossil does not. Where no source is named, a guarantee of
    origin, a renewable energy certificate or a green tariff counts, a PPA
    does not: only a PPA with a renewable source is a renewable PPA.
    """
    words = f"{energy_source} {technology}".lower().replace("-", " ").split()
    if any(word.startswith(_RENEWABLE_WORDS) for word in words):
        return True
    if any(word.startswith(_NON_RENEWABLE_WORDS) for word in words):
        return False
    return kind in CERTIFICATE_KINDS
