"""Unit catalogue and exact Decimal conversion for activity data and factors.

The table is our own rather than pint's. pint can carry Decimal magnitudes, but
the things this module must guarantee are easier to see in a short table:

* every constant is an exact Decimal taken from its legal or standard definition,
  so a conversion never passes through a float;
* energy on a gross calorific value basis, energy on a net calorific value basis
  and plain (metered) energy are three different dimensions: a factor per kWh
  (Gross CV) must never silently accept kWh (Net CV), because the two differ by
  roughly 5 to 10 % depending on the fuel;
* spend in one currency never converts into another without an explicit rate
  (:func:`convert_currency`);
* the UK/EU therm (``therm``) and the US therm (``therm_US``) are two units:
  1 therm = 105 505 585.262 J exactly (100 000 Btu_IT; Council Directive
  80/181/EEC rounds it to 105.506 MJ) and 1 therm_US = 105 480 400 J exactly
  (US Federal Register, 27 July 1968; NIST Special Publication 811 (2008),
  Appendix B.8); 1 therm_US = 0.99976128977... therm;
* compound activity units (passenger.km, tonne.km, room nights, server years)
  are first-class codes, as the publishers use them.

Each unit belongs to a dimension and has the size of its dimension's base unit
(joule for the energy dimensions, litre, kg, km ...). Converting multiplies by
the source size and divides by the target size. Divisions that do not terminate
(therm to kWh, for example) are rounded to the precision of the active decimal
context, 28 significant digits by default; rounding for display happens in the
reports, never here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "UNITS",
    "UnitConversionError",
    "UnitDef",
    "convert",
    "convert_currency",
    "dimension_of",
    "parse_published_unit",
]


class UnitConversionError(ValueError):
    """Raised for an unknown unit or a conversion between incompatible units."""


@dataclass(frozen=True)
class UnitDef:
    """One unit: its canonical code, English label, dimension and size."""

    code: str
    label: str
    dimension: str
    size: Decimal  # in the dimension's base unit


# Energy is held in joules so that every energy constant below is exact.
JOULE_PER_KWH = Decimal("3600000")  # 1 kWh = 1000 W x 3600 s
# International Table British thermal unit: 1 Btu_IT = 1055.05585262 J exactly
# (defined through 1 cal_IT = 4.1868 J; adopted by the 5th International
# Conference on the Properties of Steam, 1956). EPA's mmBtu uses it.
JOULE_PER_BTU_IT = Decimal("1055.05585262")
# Two therms, both "100 000 Btu", of different Btus:
# * the UK/EU therm (code ``therm``) of 100 000 Btu_IT = 105 505 585.262 J
#   = 29.3071070172... kWh, the therm on UK gas bills. Council Directive
#   80/181/EEC (units of measurement, 20 December 1979) gives it rounded as
#   105.506 MJ; the Btu_IT above makes it exact.
# * the US therm (code ``therm_US``) of 100 000 Btu at 59 degF = 105 480 400 J
#   exactly, as defined in the US Federal Register of 27 July 1968 and listed
#   in NIST Special Publication 811 (2008), Appendix B.8 ("therm (U.S.)
#   1.054 804 E+08 J"), the therm of US gas utilities' bills.
# They differ by 0.024 %; a figure in one is never read as the other.
JOULE_PER_THERM = JOULE_PER_BTU_IT * Decimal("100000")
JOULE_PER_US_THERM = Decimal("105480400")
JOULE_PER_MMBTU = JOULE_PER_BTU_IT * Decimal("1000000")  # mmBtu = one million Btu

LITRE_PER_US_GALLON = Decimal("3.785411784")  # 231 cubic inches exactly
# A standard cubic foot is one cubic foot of gas at standard conditions (60 degF,
# 14.696 psia for EPA). As a volume it is (0.3048 m)^3 = 0.028316846592 m3.
LITRE_PER_CUBIC_FOOT = Decimal("28.316846592")
KG_PER_LB = Decimal("0.45359237")  # international avoirdupois pound, 1959
KG_PER_SHORT_TON = Decimal("907.18474")  # 2000 lb
KM_PER_MILE = Decimal("1.609344")  # international mile, 1959

_ENERGY = "energy"
_ENERGY_GROSS = "energy_gross_cv"
_ENERGY_NET = "energy_net_cv"
CURRENCIES = ("NOK", "SEK", "DKK", "EUR", "USD", "GBP")


def _unit(code: str, label: str, dimension: str, size: str | Decimal) -> UnitDef:
    return UnitDef(code, label, dimension, Decimal(size))


_DEFS: list[UnitDef] = [
    # energy (metered electricity, heat, steam, cooling)
    _unit("kWh", "kilowatt-hour", _ENERGY, JOULE_PER_KWH),
    _unit("MWh", "megawatt-hour", _ENERGY, JOULE_PER_KWH * 1000),
    _unit("GJ", "gigajoule", _ENERGY, "1000000000"),
    _unit("MJ", "megajoule", _ENERGY, "1000000"),
    _unit("therm", "therm (UK/EU, 100 000 Btu IT)", _ENERGY, JOULE_PER_THERM),
    _unit("therm_US", "US therm (105.4804 MJ)", _ENERGY, JOULE_PER_US_THERM),
    _unit("mmBtu", "million British thermal units", _ENERGY, JOULE_PER_MMBTU),
    # fuel energy on a calorific-value basis
    _unit("kWh_gross", "kilowatt-hour (gross CV)", _ENERGY_GROSS, JOULE_PER_KWH),
    _unit("MWh_gross", "megawatt-hour (gross CV)", _ENERGY_GROSS, JOULE_PER_KWH * 1000),
    _unit("GJ_gross", "gigajoule (gross CV)", _ENERGY_GROSS, "1000000000"),
    _unit("kWh_net", "kilowatt-hour (net CV)", _ENERGY_NET, JOULE_PER_KWH),
    _unit("MWh_net", "megawatt-hour (net CV)", _ENERGY_NET, JOULE_PER_KWH * 1000),
    _unit("GJ_net", "gigajoule (net CV)", _ENERGY_NET, "1000000000"),
    # volume
    _unit("litre", "litre", "volume", "1"),
    _unit("m3", "cubic metre", "volume", "1000"),
    _unit("million_litres", "million litres", "volume", "1000000"),
    _unit("US_gallon", "US gallon", "volume", LITRE_PER_US_GALLON),
    _unit("scf", "standard cubic foot", "volume", LITRE_PER_CUBIC_FOOT),
    _unit("ccf", "hundred standard cubic feet", "volume", LITRE_PER_CUBIC_FOOT * 100),
    # mass
    _unit("kg", "kilogram", "mass", "1"),
    _unit("tonne", "tonne", "mass", "1000"),
    _unit("lb", "pound", "mass", KG_PER_LB),
    _unit("short_ton", "short ton", "mass", KG_PER_SHORT_TON),
    # distance and compound activity units
    _unit("km", "kilometre", "distance", "1"),
    _unit("mile", "mile", "distance", KM_PER_MILE),
    _unit("passenger_km", "passenger-kilometre", "passenger_distance", "1"),
    _unit("passenger_mile", "passenger-mile", "passenger_distance", KM_PER_MILE),
    _unit("vehicle_km", "vehicle-kilometre", "vehicle_distance", "1"),
    _unit("vehicle_mile", "vehicle-mile", "vehicle_distance", KM_PER_MILE),
    _unit("tonne_km", "tonne-kilometre", "freight", "1"),
    _unit(
        "short_ton_mile",
        "short ton-mile",
        "freight",
        KG_PER_SHORT_TON / 1000 * KM_PER_MILE,
    ),
    _unit("room_night", "room night", "room_night", "1"),
    _unit("fte_hour", "FTE working hour", "fte_hour", "1"),
    # counts
    _unit("unit", "unit (piece)", "count", "1"),
    _unit("server_year", "server-year", "server_year", "1"),
]
# Each currency is its own dimension: converting needs a dated exchange rate.
_DEFS += [_unit(c, f"spend in {c}", f"currency_{c}", "1") for c in CURRENCIES]

UNITS: dict[str, UnitDef] = {u.code: u for u in _DEFS}


def _get(code: str) -> UnitDef:
    try:
        return UNITS[code]
    except KeyError:
        raise UnitConversionError(
            f"Unknown unit {code!r}. Known units: {', '.join(sorted(UNITS))}."
        ) from None


def dimension_of(code: str) -> str:
    """Return the dimension of a unit code."""
    return _get(code).dimension


def convert(quantity: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert a quantity between two units of the same dimension, exactly."""
    if not isinstance(quantity, Decimal):
        raise TypeError(f"quantity must be a Decimal, not {type(quantity).__name__}")
    source, target = _get(from_unit), _get(to_unit)
    if source.code == target.code:
        return quantity
    if source.dimension != target.dimension:
        hint = ""
        if {source.dimension, target.dimension} & {_ENERGY_GROSS, _ENERGY_NET}:
            hint = (
                " Gross and net calorific-value energy are different quantities;"
                " use a factor published for the same basis as the data."
            )
        elif source.dimension.startswith("currency_"):
            hint = " Currencies convert only with an explicit exchange rate."
        raise UnitConversionError(
            f"Cannot convert {source.label} ({source.code}) to {target.label} "
            f"({target.code}): {source.dimension} is not {target.dimension}.{hint}"
        )
    return quantity * source.size / target.size


def convert_currency(
    amount: Decimal, from_unit: str, to_unit: str, *, rate: Decimal
) -> Decimal:
    """Convert spend with an explicit rate: units of to_unit per one from_unit."""
    for code in (from_unit, to_unit):
        if not _get(code).dimension.startswith("currency_"):
            raise UnitConversionError(f"{code!r} is not a currency.")
    if not isinstance(rate, Decimal) or rate <= 0:
        raise UnitConversionError("An exchange rate must be a positive Decimal.")
    if from_unit == to_unit:
        return amount
    return amount * rate


# Publisher labels, keyed by a lowercased, whitespace-collapsed spelling.
_LABELS: dict[str, str] = {
    "kwh": "kWh",
    "kilowatt hours": "kWh",
    "mwh": "MWh",
    "gj": "GJ",
    "mj": "MJ",
    "therm": "therm",
    "therms": "therm",
    "therm (ec)": "therm",
    "therm (uk)": "therm",
    "uk therm": "therm",
    "eu therm": "therm",
    "therm (us)": "therm_US",
    "therms (us)": "therm_US",
    "us therm": "therm_US",
    "us therms": "therm_US",
    "thm us": "therm_US",
    "mmbtu": "mmBtu",
    "kwh (gross cv)": "kWh_gross",
    "kwh (net cv)": "kWh_net",
    "kwh (gross)": "kWh_gross",
    "kwh (net)": "kWh_net",
    "gj (gross cv)": "GJ_gross",
    "gj (net cv)": "GJ_net",
    "mwh (gross cv)": "MWh_gross",
    "mwh (net cv)": "MWh_net",
    "litre": "litre",
    "litres": "litre",
    "liter": "litre",
    "liters": "litre",
    "l": "litre",
    "million litres": "million_litres",
    "cubic metres": "m3",
    "cubic metre": "m3",
    "cubic meters": "m3",
    "m3": "m3",
    "m³": "m3",
    "gallon": "US_gallon",
    "gallons": "US_gallon",
    "us gallon": "US_gallon",
    "scf": "scf",
    "standard cubic foot": "scf",
    "standard cubic feet": "scf",
    "ccf": "ccf",
    "kg": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "tonne": "tonne",
    "tonnes": "tonne",
    "metric ton": "tonne",
    "metric tons": "tonne",
    "t": "tonne",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "short ton": "short_ton",
    "short tons": "short_ton",
    "km": "km",
    "kilometres": "km",
    "mile": "mile",
    "miles": "mile",
    "passenger.km": "passenger_km",
    "passenger-km": "passenger_km",
    "passenger km": "passenger_km",
    "pkm": "passenger_km",
    "passenger.mile": "passenger_mile",
    "passenger-mile": "passenger_mile",
    "passenger mile": "passenger_mile",
    "vehicle.km": "vehicle_km",
    "vehicle-km": "vehicle_km",
    "vehicle km": "vehicle_km",
    "vehicle-mile": "vehicle_mile",
    "vehicle.mile": "vehicle_mile",
    "vehicle mile": "vehicle_mile",
    "tonne.km": "tonne_km",
    "tonne-km": "tonne_km",
    "tonne km": "tonne_km",
    "tkm": "tonne_km",
    "short ton-mile": "short_ton_mile",
    "short ton mile": "short_ton_mile",
    "ton-mile": "short_ton_mile",
    "room per night": "room_night",
    "room night": "room_night",
    "room nights": "room_night",
    "room.night": "room_night",
    "per fte working hour": "fte_hour",
    "fte working hour": "fte_hour",
    "unit": "unit",
    "units": "unit",
    "piece": "unit",
    "pieces": "unit",
    "server-year": "server_year",
    "server year": "server_year",
}
_LABELS.update({c.lower(): c for c in CURRENCIES})
_LABELS.update({code.lower(): code for code in UNITS})
# "kg CO2 per mmBtu", "lb CO2 / MWh", "g CH4 per scf": a rate; its activity unit
# is the denominator.
_RATE = re.compile(r"^.*?(?:\bper\b|/)\s*(?P<unit>.+)$", re.IGNORECASE)


def parse_published_unit(text: str) -> str | None:
    """Return the unit code for a publisher's unit label, or None if unknown."""
    if not text:
        return None
    key = " ".join(str(text).replace("\xa0", " ").split()).lower()
    if key in _LABELS:
        return _LABELS[key]
    match = _RATE.match(key)
    if match and match.group("unit") in _LABELS:
        return _LABELS[match.group("unit")]
    return None
