"""A year's emissions by greenhouse gas: the seven Kyoto gases or groups.

Every tonne counts under one of them, so the table adds up to the total.
Per-gas figures count under their gas (refrigerant blends under their
components' groups); the rest of a line's CO2e counts as CO2, and what comes
from factors that give a CO2e total only is named by source.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Context, Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext

from accounts.models import BusinessUnit, Organisation
from emissions.gwp import GWP_SETS
from emissions.models import ActivityEntry
from emissions.models.factors import GasesCovered
from emissions.totals import (
    DECIMAL,
    ZERO,
    Weighting,
    add_exactly,
    entries_for,
    grid_kwh_sum,
    tonnes,
    weighted,
    weighted_sum,
    weighting_for,
)
from reports.selectors.names import activity_types
from reports.selectors.rows import YearRows

# Gases that lines may carry per-gas figures for (the calculation's gas codes).
KNOWN_GASES = sorted({"CO2", "CH4", "N2O", *GWP_SETS["AR5"].values.keys()})


KYOTO_GASES = ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")
# The source of the market-based part that contractual instruments make.
INSTRUMENTS = "instruments"
_PFCS = {"CF4", "C2F6", "C3F8", "c-C4F8", "C4F10", "C5F12", "C6F14"}


def kyoto_group(gas: str) -> str | None:
    """Return the Kyoto gas or group a gas code belongs to (None if unknown)."""
    if gas in ("CO2", "N2O", "SF6", "NF3"):
        return gas
    if gas.startswith("CH4"):
        return "CH4"
    # Hydrofluoroolefins are unsaturated HFCs (IPCC 2006 lists HFC-1234yf).
    if gas.startswith(("HFC-", "HFO-")):
        return "HFCs"
    if gas in _PFCS or gas.startswith("PFC"):
        return "PFCs"
    return None


def kyoto_gas_table(
    by_gas: dict[str, Decimal], *, gwp_set: str
) -> tuple[dict[str, Decimal], Decimal]:
    """Return t CO2e per Kyoto gas or group, and the tonnes of unknown gases.

    Refrigerant blends count under their components' groups, shared by each
    component's mass fraction x GWP.
    """
    from emissions.gwp import BLEND_COMPOSITION

    table = dict.fromkeys(KYOTO_GASES, ZERO)
    unknown = ZERO
    gwps = GWP_SETS[gwp_set].values if gwp_set in GWP_SETS else {}
    for gas, t in by_gas.items():
        group = kyoto_group(gas)
        if group is not None:
            table[group] += t
            continue
        parts = BLEND_COMPOSITION.get(gas, {})
        groups = {kyoto_group(part) for part in parts}
        if len(groups) == 1 and None not in groups:
            table[groups.pop()] += t
        elif parts and None not in groups and all(p in gwps for p in parts):
            weights = {p: share * gwps[p] for p, share in parts.items()}
            whole = add_exactly(weights.values())
            left = t
            items = list(weights.items())
            for part, weight in items[:-1]:
                share_t = t * weight / whole
                table[kyoto_group(part)] += share_t
                left -= share_t
            table[kyoto_group(items[-1][0])] += left
        else:
            unknown += t
    return table, unknown


@dataclass(frozen=True)
class GasSource:
    """A source whose CO2e total was counted as CO2, and how many tonnes."""

    code: str
    name: str
    t_co2e: Decimal


@dataclass(frozen=True)
class Co2eOnlyShare:
    """The tonnes of the CO2 row from factors that give a CO2e total only.

    Such a factor (grid averages in CO2e, district heating, hotel nights, most
    spend-based factors, a contractual instrument's own figure) has no split
    by gas; its CO2e is counted as CO2, the dominant gas of these sources.
    """

    t_co2e: Decimal
    sources: tuple[GasSource, ...] = ()


def _residual_mix_bases(
    *, organisation: Organisation, year: int, unit_ids: Iterable[int]
) -> dict[int, str | None]:
    """Return the gases the residual mix of each unit's country counts.

    None where the library has no residual mix for the country: its grid
    lines' market-based figure is then the grid factor's.
    """
    from emissions.resolution import ResolutionCache, residual_mix_factor

    cache = ResolutionCache()
    by_country: dict[str, str | None] = {}
    bases = {}
    for pk, country in BusinessUnit.objects.filter(pk__in=list(unit_ids)).values_list(
        "pk", "country"
    ):
        country = country.upper()
        if country not in by_country:
            factor = residual_mix_factor(
                organisation=organisation, country=country, year=year, cache=cache
            )
            by_country[country] = None if factor is None else factor.gases_covered
        bases[pk] = by_country[country]
    return bases


def _shares(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Share a total by weights; the last share takes the rest, so they add up."""
    whole = add_exactly(weights)
    if not whole:
        weights, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    shares = [total * weight / whole for weight in weights[:-1]]
    return [*shares, total - add_exactly(shares)]


def gas_table_for(
    *,
    organisation: Organisation,
    entries: QuerySet[ActivityEntry],
    year: int,
    headline_market: bool,
    gwp_set: str,
    market: dict[int, Decimal],
    instrument_kg: dict[int, Decimal],
    all_gases: dict[str, Decimal] | None = None,
    weighting: Weighting | None = None,
) -> tuple[dict[str, Decimal], Co2eOnlyShare]:
    """Return the year's t CO2e per Kyoto gas or group, adding up to its total.

    `entries` are the year's lines; `market` and `instrument_kg` each unit's
    market-based scope 2 and the part of it its instruments' own factors
    make (kg). Per-gas figures count under their gas; the rest of a line's
    published CO2e (the publisher's rounding) counts as CO2. A line without
    per-gas figures counts as CO2: exactly where its factor counts CO2 only
    (residual mixes, some grid factors), and as the dominant gas where it
    gives a CO2e total only, which the returned share names by source. Under
    a market-based headline scope 2 is its market-based figure: the residual
    mix's gases for the uncovered part, the instruments' own figures CO2e.
    `all_gases`, if given, are the per-gas figures of all `entries`
    (`kg_by_gas`), read again only where scope 2 lines carry some.
    """
    with_gases = entries.exclude(kg_by_gas={})
    if headline_market:
        if all_gases is not None and with_gases.filter(scope=2).exists():
            all_gases = None
        with_gases = with_gases.exclude(scope=2)
    if all_gases is None:
        all_gases = kg_by_gas(
            organisation=organisation, entries=with_gases, weighting=weighting
        )
    table, _unknown = kyoto_gas_table(all_gases, gwp_set=gwp_set)
    published = with_gases.aggregate(
        kg=weighted_sum(organisation, "kg_co2e", weighting=weighting)
    )["kg"]
    # What the gases do not account for of the published CO2e (and unknown
    # gases) is counted as CO2.
    co2_t = tonnes(published) - add_exactly(table.values())
    without = Q(kg_by_gas={}) | Q(scope=2) if headline_market else Q(kg_by_gas={})
    rows = list(
        entries.filter(without)
        .values(
            "business_unit_id", "activity_type_id", "scope", "factor__gases_covered"
        )
        .annotate(
            kg=weighted_sum(organisation, "kg_co2e", weighting=weighting),
            market=weighted_sum(organisation, "kg_co2e_market", weighting=weighting),
            grid_kwh=grid_kwh_sum(),
        )
        .order_by("business_unit_id", "activity_type_id", "factor__gases_covered")
    )
    co2_kg: list[Decimal] = []
    by_source: dict[int | str, list[Decimal]] = defaultdict(list)

    def count(kg: Decimal, basis: str | None, source: int | str) -> None:
        if not kg:
            return
        if basis == GasesCovered.CO2:
            co2_kg.append(kg)
        else:
            by_source[source].append(kg)

    scope2_rows: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if headline_market and row["scope"] == 2:
            scope2_rows[row["business_unit_id"]].append(row)
        else:
            count(row["kg"], row["factor__gases_covered"], row["activity_type_id"])
    residual_bases = (
        _residual_mix_bases(organisation=organisation, year=year, unit_ids=scope2_rows)
        if scope2_rows
        else {}
    )
    for unit_id, unit_rows in scope2_rows.items():
        grid = [row for row in unit_rows if row["grid_kwh"] > 0]
        other = [row for row in unit_rows if row["grid_kwh"] <= 0]
        for row in other:
            count(row["market"], row["factor__gases_covered"], row["activity_type_id"])
        own = instrument_kg.get(unit_id, ZERO)
        count(own, None, INSTRUMENTS)
        if not grid:
            continue
        # The grid lines' residual-mix part, after the instruments.
        rest = (
            market.get(unit_id, ZERO)
            - add_exactly(row["market"] for row in other)
            - own
        )
        basis = residual_bases.get(unit_id)
        parts = _shares(rest, [row["market"] for row in grid])
        for row, part in zip(grid, parts, strict=True):
            # Without a residual mix the grid factor stands in, with its gases.
            count(
                part,
                basis if basis is not None else row["factor__gases_covered"],
                row["activity_type_id"],
            )
    source_t = {key: tonnes(add_exactly(kgs)) for key, kgs in by_source.items()}
    table["CO2"] += co2_t + tonnes(add_exactly(co2_kg)) + add_exactly(source_t.values())
    names = {
        pk: (code, name)
        for pk, (code, name) in activity_types(
            [{"activity_type_id": key} for key in source_t if key != INSTRUMENTS]
        ).items()
    }
    names[INSTRUMENTS] = (
        INSTRUMENTS,
        gettext("Contractual instruments (scope 2 market-based)"),
    )
    sources = sorted(
        (GasSource(*names[key], t) for key, t in source_t.items() if t),
        key=lambda source: (-source.t_co2e, source.code),
    )
    return table, Co2eOnlyShare(
        t_co2e=add_exactly(source.t_co2e for source in sources), sources=tuple(sources)
    )


# SQLite sums decimals as floating point and keeps 15 significant digits, as
# Django's own converter for a sum does.
_SQLITE_DIGITS = Context(prec=15)


def kg_by_gas(
    *,
    organisation: Organisation,
    entries: QuerySet[ActivityEntry],
    weighting: Weighting | None = None,
) -> dict[str, Decimal]:
    """Return t CO2e per known gas of the entries, summed in the database.

    Per-gas figures are a JSON object on each line. PostgreSQL extracts each
    known gas from each line; SQLite parses the whole object for every key it
    extracts, so there each object is expanded once into (gas, kg) pairs that
    are grouped. Both queries are written out: as 25 ORM expressions the
    PostgreSQL one takes longer to build than to run. Under the equity share
    approach each figure is weighted by its unit's share, as every other sum is.
    """
    lines = entries.exclude(kg_by_gas={}).order_by()
    connection = connections[entries.db]
    if connection.vendor not in ("sqlite", "postgresql"):
        sums = lines.aggregate(
            **{
                gas: Sum(
                    weighted(
                        organisation,
                        Cast(KT(f"kg_by_gas__{gas}"), output_field=DECIMAL),
                        weighting=weighting,
                    ),
                )
                for gas in KNOWN_GASES
            }
        )
        return {gas: tonnes(sums[gas]) for gas in KNOWN_GASES if sums[gas]}
    if weighting is None:
        weighting = weighting_for(organisation)
    equity = weighting.weighted
    columns = ["kg_by_gas"]
    if equity:
        lines = lines.annotate(weight=weighting.percent())
        columns.append("weight")
    try:
        inner_sql, inner_params = (
            lines.values(*columns).query.get_compiler(using=entries.db).as_sql()
        )
    except EmptyResultSet:  # e.g. a year that has no reporting year
        return {}
    # Times 0.01, as in emissions.totals.weighted: SQLite would divide whole
    # decimals as integers.
    # A line whose weight is NULL counts whole, unmultiplied.
    weight_params = [Decimal("0.01")] if equity else []

    def weigh(value: str) -> str:
        return f"COALESCE({value} * e.weight * %s, {value})" if equity else value

    # Only constants and the ORM's own SQL are spliced in; values are parameters.
    if connection.vendor == "postgresql":
        value = weigh("CAST(e.kg_by_gas ->> %s AS numeric(38, 10))")
        sql = f"SELECT {', '.join([f'SUM({value})'] * len(KNOWN_GASES))} "
        sql += f"FROM ({inner_sql}) e"  # noqa: S608
        params = [
            p
            for gas in KNOWN_GASES
            for p in ((gas, *weight_params, gas) if equity else (gas,))
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *inner_params])
            sums = dict(zip(KNOWN_GASES, cursor.fetchone(), strict=True))
    else:
        value = f"CAST({weigh('CAST(g.value AS NUMERIC)')} AS NUMERIC)"
        placeholders = ", ".join(["%s"] * len(KNOWN_GASES))
        sql = (
            f"SELECT g.key, SUM({value}) FROM ({inner_sql}) e, "  # noqa: S608
            f"json_each(e.kg_by_gas) g WHERE g.key IN ({placeholders}) "
            "GROUP BY g.key"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*weight_params, *inner_params, *KNOWN_GASES])
            sums = {
                gas: _SQLITE_DIGITS.create_decimal_from_float(kg)
                for gas, kg in cursor.fetchall()
                if kg is not None
            }
    return {gas: tonnes(sums[gas]) for gas in KNOWN_GASES if sums.get(gas)}


@dataclass(frozen=True)
class Gases:
    """The year's gases: as the lines carry them, and the Kyoto table."""

    by_gas: dict[str, Decimal]  # t CO2e per gas code of the lines' figures
    table: dict[str, Decimal]  # the seven Kyoto gases or groups
    co2e_only: Co2eOnlyShare


def gases_of(rows: YearRows) -> Gases:
    """Return the year's per-gas figures and its Kyoto gas table."""
    entries = entries_for(
        organisation=rows.organisation, unit_ids=rows.unit_ids
    ).filter(reporting_year_id__in=rows.year_ids(rows.year))
    by_gas = kg_by_gas(
        organisation=rows.organisation, entries=entries, weighting=rows.weighting
    )
    table, co2e_only = gas_table_for(
        organisation=rows.organisation,
        entries=entries,
        year=rows.year,
        headline_market=rows.headline_market,
        gwp_set=rows.settings.gwp_set,
        market=rows.market.get(rows.year, {}),
        instrument_kg={
            unit_id: kg
            for (y, unit_id), kg in rows.instrument_kg.items()
            if y == rows.year
        },
        all_gases=by_gas,
        weighting=rows.weighting,
    )
    return Gases(
        by_gas=by_gas,
        table=table,
        co2e_only=co2e_only,
    )
