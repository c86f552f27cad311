"""Inventory figures, always computed in the database and scoped by organisation.

Every total is gross: carbon credits are a memo line, never subtracted. Stored
values keep full precision; rounding happens only where figures are shown.
Scope 2 is reported both ways (GHG Protocol Scope 2 Guidance): location-based is
the sum of the entries' grid-average figures; market-based applies each business
unit's contractual instruments to its grid electricity first and the residual
mix to the rest (`emissions.calculations.scope2_market_based`). Instruments apply
in the order they were recorded, so an over-cover never depends on which
certificate happens to be the cleanest.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Context, Decimal
from functools import reduce

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import get_language

from accounts.models import BusinessUnit, ConsolidationApproach, Organisation
from emissions.calculations import (
    InstrumentCover,
    factor_effect_split,
    scope2_market_based,
)
from emissions.gwp import GWP_SETS
from emissions.models import (
    ActivityEntry,
    ActivityType,
    BaseYearRecalculation,
    CarbonCredit,
    ContractualInstrument,
    Metric,
    ReportingYear,
    Target,
)
from emissions.selectors_factors import grid_factors_used

ZERO = Decimal(0)
# Gases that lines may carry per-gas figures for (the calculation's gas codes).
KNOWN_GASES = sorted({"CO2", "CH4", "N2O", *GWP_SETS["AR5"].values.keys()})
KG_PER_T = Decimal(1000)
# Partial sums from the database are added without rounding.
_EXACT = Context(prec=100)
_DEC = DecimalField(max_digits=38, decimal_places=10)


def _t(kg: Decimal | None) -> Decimal:
    return (kg or ZERO) / KG_PER_T


def _share(organisation: Organisation, expression):
    """Weight an expression by the unit's equity share under that approach."""
    if organisation.consolidation_approach == ConsolidationApproach.EQUITY:
        # Times 0.01 rather than divided by 100: SQLite stores whole decimals
        # as integers and would divide them as integers (47 x 50 / 100 = 23).
        return ExpressionWrapper(
            expression * F("business_unit__equity_share") * Value(Decimal("0.01")),
            output_field=_DEC,
        )
    return ExpressionWrapper(expression, output_field=_DEC)


def _sum(organisation: Organisation, field_name: str, **filters):
    return Coalesce(
        Sum(
            _share(organisation, F(field_name)),
            filter=Q(**filters) if filters else None,
        ),
        Value(ZERO),
        output_field=_DEC,
    )


def entries_for(
    *, organisation: Organisation, business_unit: BusinessUnit | None = None
) -> QuerySet[ActivityEntry]:
    """Return the organisation's entries, optionally for one business unit."""
    qs = ActivityEntry.objects.filter(organisation=organisation)
    if business_unit is not None:
        qs = qs.filter(business_unit=business_unit)
    return qs


@dataclass(frozen=True)
class ScopeTotals:
    """Tonnes CO2e of one year, gross."""

    year: int
    scope1_t: Decimal
    scope2_location_t: Decimal
    scope2_market_t: Decimal
    scope3_t: Decimal
    headline_market: bool

    @property
    def scope2_t(self) -> Decimal:
        return self.scope2_market_t if self.headline_market else self.scope2_location_t

    @property
    def total_t(self) -> Decimal:
        return self.scope1_t + self.scope2_t + self.scope3_t

    @property
    def scope12_t(self) -> Decimal:
        return self.scope1_t + self.scope2_t


def _add(values) -> Decimal:
    """Add partial sums without rounding, as the database adds their lines."""
    return reduce(_EXACT.add, values, ZERO)


def _year_of(*, organisation: Organisation) -> dict[int, int]:
    """Return the organisation's reporting years (the year) by primary key."""
    return dict(
        ReportingYear.objects.filter(organisation=organisation).values_list(
            "pk", "year"
        )
    )


def _unit_scope_rows(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit | None,
    year_of: dict[int, int],
) -> list[dict]:
    """Return kg CO2e per year, business unit and scope, in one pass over the lines.

    Scope 2 rows also carry what the market-based figure needs: the market kg
    before instruments, the grid kWh priced at the residual mix, and that mix.
    """
    rows = list(
        entries_for(organisation=organisation, business_unit=business_unit)
        .values("reporting_year_id", "business_unit_id", "scope")
        .annotate(
            kg=_sum(organisation, "kg_co2e"),
            market=_sum(organisation, "kg_co2e_market"),
            grid_kwh=Coalesce(
                Sum("energy_kwh", filter=Q(residual_mix_factor__isnull=False)),
                Value(ZERO),
                output_field=_DEC,
            ),
            residual=Max("residual_mix_factor"),
        )
        .order_by()
    )
    for row in rows:
        row["year"] = year_of[row["reporting_year_id"]]
    return rows


def _equity_shares(rows: list[dict]) -> dict[int, Decimal]:
    """Return the equity share of the business units in the rows."""
    return dict(
        BusinessUnit.objects.filter(
            pk__in={row["business_unit_id"] for row in rows}
        ).values_list("pk", "equity_share")
    )


def _market_kg_by_year(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit | None,
    rows: list[dict],
    shares: dict[int, Decimal] | None = None,
) -> dict[int, dict[int, Decimal]]:
    """Return market-based scope 2 kg per year and business unit.

    `rows` are those of `_unit_scope_rows`; `shares` the units' equity shares,
    read when needed and not given.
    """
    instruments: dict[tuple[int, int], list[InstrumentCover]] = defaultdict(list)
    instrument_qs = ContractualInstrument.objects.filter(organisation=organisation)
    if business_unit is not None:
        instrument_qs = instrument_qs.filter(business_unit=business_unit)
    for year, unit_id, mwh, factor in instrument_qs.order_by("pk").values_list(
        "reporting_year__year", "business_unit_id", "mwh", "kg_co2e_per_kwh"
    ):
        instruments[(year, unit_id)].append(
            InstrumentCover(mwh=mwh, kg_co2e_per_kwh=factor)
        )
    equity = organisation.consolidation_approach == ConsolidationApproach.EQUITY
    if equity and shares is None:
        shares = _equity_shares(rows)
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in rows:
        if row["scope"] != 2:
            continue
        year, unit_id = row["year"], row["business_unit_id"]
        market = row["market"]
        covers = instruments.get((year, unit_id))
        if covers and row["residual"] is not None and row["grid_kwh"] > 0:
            weight = shares[unit_id] / 100 if equity else Decimal(1)
            at_residual = row["grid_kwh"] * row["residual"]
            applied = scope2_market_based(
                consumption_kwh=row["grid_kwh"],
                instruments=covers,
                residual_mix_kg_per_kwh=row["residual"],
            )
            market = market - at_residual * weight + applied.kg_co2e * weight
        result[year][unit_id] = market
    return result


def _scope_totals(
    *,
    organisation: Organisation,
    rows: list[dict],
    market: dict[int, dict[int, Decimal]],
) -> dict[int, ScopeTotals]:
    """Add the rows of `_unit_scope_rows` up to each year's scope totals."""
    kg: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        kg[row["year"]][row["scope"]].append(row["kg"])
    headline_market = organisation.scope2_headline == "market"
    return {
        year: ScopeTotals(
            year=year,
            scope1_t=_t(_add(kg[year][1])),
            scope2_location_t=_t(_add(kg[year][2])),
            scope2_market_t=_t(sum(market.get(year, {}).values(), ZERO)),
            scope3_t=_t(_add(kg[year][3])),
            headline_market=headline_market,
        )
        for year in sorted(kg)
    }


def scope_totals_by_year(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit | None = None,
) -> dict[int, ScopeTotals]:
    """Return gross scope totals (t) for every year that has entries."""
    rows = _unit_scope_rows(
        organisation=organisation,
        business_unit=business_unit,
        year_of=_year_of(organisation=organisation),
    )
    market = _market_kg_by_year(
        organisation=organisation, business_unit=business_unit, rows=rows
    )
    return _scope_totals(organisation=organisation, rows=rows, market=market)


@dataclass(frozen=True)
class Recalculated:
    scope1_t: Decimal
    scope2_location_t: Decimal
    scope2_market_t: Decimal
    scope3_t: Decimal


def base_year_adjustments(*, organisation: Organisation) -> Recalculated:
    """Return the sum of approved base-year recalculations per scope (t)."""
    agg = BaseYearRecalculation.objects.filter(
        organisation=organisation, approved_at__isnull=False
    ).aggregate(
        s1=Coalesce(Sum("scope1_t"), Value(ZERO), output_field=_DEC),
        s2l=Coalesce(Sum("scope2_location_t"), Value(ZERO), output_field=_DEC),
        s2m=Coalesce(Sum("scope2_market_t"), Value(ZERO), output_field=_DEC),
        s3=Coalesce(Sum("scope3_t"), Value(ZERO), output_field=_DEC),
    )
    return Recalculated(agg["s1"], agg["s2l"], agg["s2m"], agg["s3"])


@dataclass(frozen=True)
class ActivityLine:
    code: str
    name: str
    scope: int
    scope3_category: int | None
    quantity: Decimal
    unit: str
    t_co2e: Decimal


@dataclass(frozen=True)
class EffectLine:
    """The change of one activity type between two years, split in two effects."""

    code: str
    name: str
    previous_t: Decimal
    current_t: Decimal
    activity_effect_t: Decimal
    factor_effect_t: Decimal


@dataclass
class YearInventory:
    """Everything the dashboard, the PDF and the API say about one year."""

    year: int
    base_year: int
    headline_scope2: str
    year_status: str
    scope1_t_co2e: Decimal
    scope2_location_t_co2e: Decimal
    scope2_market_t_co2e: Decimal
    scope3_t_co2e: Decimal
    total_t_co2e: Decimal
    scope3_by_category: dict[int, Decimal]
    iso_by_category: dict[int, Decimal]
    by_business_unit: dict[str, Decimal]
    business_unit_names: dict[str, str]
    by_gas: dict[str, Decimal]
    top_sources: list[ActivityLine]
    base_year_original_t_co2e: Decimal | None
    base_year_total_t_co2e: Decimal | None
    change_vs_base_year_t: Decimal | None
    change_vs_base_year_pct: Decimal | None
    previous_year_total_t_co2e: Decimal | None
    change_vs_previous_year_pct: Decimal | None
    cumulative_reduction_t_co2e: Decimal
    credits_retired_t_co2e: Decimal
    net_after_credits_t_co2e: Decimal
    intensities: dict[str, Decimal | None]
    metrics: dict[str, Decimal]
    data_quality_by_kg: dict[str, Decimal]
    data_quality_by_count: dict[str, int]
    entry_count: int
    target: Target | None = None
    target_t_co2e: Decimal | None = None
    target_trajectory_t_co2e: Decimal | None = None
    target_scope_t_co2e: Decimal | None = None
    effects: list[EffectLine] = field(default_factory=list)
    series: dict[int, ScopeTotals] = field(default_factory=dict)


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole * 100 if whole else None


def _target_scope_total(totals: ScopeTotals, scopes: str) -> Decimal:
    if scopes == "1":
        return totals.scope1_t
    if scopes == "1+2":
        return totals.scope12_t
    return totals.total_t


def _adjusted_base(totals: ScopeTotals, adj: Recalculated) -> ScopeTotals:
    return ScopeTotals(
        year=totals.year,
        scope1_t=totals.scope1_t + adj.scope1_t,
        scope2_location_t=totals.scope2_location_t + adj.scope2_location_t,
        scope2_market_t=totals.scope2_market_t + adj.scope2_market_t,
        scope3_t=totals.scope3_t + adj.scope3_t,
        headline_market=totals.headline_market,
    )


def _detail_rows(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit | None,
    year_ids: list[int],
) -> list[dict]:
    """Return kg CO2e, quantities and line counts of a year, in one pass.

    Grouped by activity type, data quality, unit of measure and categories: few
    rows, from which the year's detail is added up.
    """
    return list(
        entries_for(organisation=organisation, business_unit=business_unit)
        .filter(reporting_year_id__in=year_ids)
        .values(
            "reporting_year_id",
            "activity_type_id",
            "data_quality",
            "unit",
            "scope",
            "scope3_category",
            "iso_category",
        )
        .annotate(
            kg=_sum(organisation, "kg_co2e"),
            q=Sum("quantity"),
            converted=Sum("converted_quantity"),
            n=Count("*"),
        )
        .order_by()
    )


def _activity_type_rows(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit | None,
    year_ids: list[int],
) -> list[dict]:
    """Return kg CO2e and converted quantity per year and activity type."""
    return list(
        entries_for(organisation=organisation, business_unit=business_unit)
        .filter(reporting_year_id__in=year_ids)
        .values("reporting_year_id", "activity_type_id")
        .annotate(kg=_sum(organisation, "kg_co2e"), converted=Sum("converted_quantity"))
        .order_by()
    )


def _effect_lines(rows: list[dict], *, previous: int, current: int) -> list[EffectLine]:
    """Split each activity type's change into activity and factor effects.

    `rows` carry year, code, name, converted quantity and kg per activity type.
    Per type, q is the converted quantity and f the implied factor (kg / q) of
    each year; the symmetric decomposition makes the two effects add up exactly
    to the change. Types present in one year only are all activity effect.
    """
    by_type: dict[str, dict] = defaultdict(dict)
    names: dict[str, str] = {}
    for row in rows:
        by_type[row["code"]][row["year"]] = row
        names[row["code"]] = row["name"]
    lines = []
    for code, years in sorted(by_type.items()):
        q0 = years.get(previous, {}).get("q") or ZERO
        q1 = years.get(current, {}).get("q") or ZERO
        kg0 = years.get(previous, {}).get("kg") or ZERO
        kg1 = years.get(current, {}).get("kg") or ZERO
        f0 = kg0 / q0 if q0 else (kg1 / q1 if q1 else ZERO)
        f1 = kg1 / q1 if q1 else f0
        split = factor_effect_split(q0, f0, q1, f1)
        lines.append(
            EffectLine(
                code=code,
                name=names[code],
                previous_t=_t(kg0),
                current_t=_t(kg1),
                activity_effect_t=_t(split.activity_effect),
                factor_effect_t=_t(split.factor_effect),
            )
        )
    return lines


def _effect_rows(
    rows: list[dict], *, year_of: dict[int, int], types: dict[int, tuple[str, str]]
) -> list[dict]:
    """Add grouped rows up per year and activity type (code and name)."""
    grouped: dict[tuple[int, str, str], tuple[list, list]] = defaultdict(
        lambda: ([], [])
    )
    for row in rows:
        code, name = types[row["activity_type_id"]]
        quantities, kgs = grouped[(year_of[row["reporting_year_id"]], code, name)]
        quantities.append(row["converted"])
        kgs.append(row["kg"])
    return [
        {"year": year, "code": code, "name": name, "q": _add(q), "kg": _add(kg)}
        for (year, code, name), (q, kg) in grouped.items()
    ]


def _in_language(name: str, name_nb: str, name_sv: str) -> str:
    """Return an activity type's name in the active language (English otherwise)."""
    language = (get_language() or "en")[:2]
    return {"nb": name_nb, "sv": name_sv}.get(language) or name


def _activity_types(rows: list[dict]) -> dict[int, tuple[str, str]]:
    """Return code and name (active language) of the rows' types, in code order."""
    return {
        pk: (code, _in_language(name, name_nb, name_sv))
        for pk, code, name, name_nb, name_sv in ActivityType.objects.filter(
            pk__in={row["activity_type_id"] for row in rows}
        )
        .order_by("code", "pk")
        .values_list("pk", "code", "name", "name_nb", "name_sv")
    }


def effects_between(
    *,
    organisation: Organisation,
    previous: int,
    current: int,
    business_unit: BusinessUnit | None = None,
) -> list[EffectLine]:
    """Split each activity type's change between two years into two effects."""
    year_of = {
        pk: year
        for pk, year in _year_of(organisation=organisation).items()
        if year in (previous, current)
    }
    by_type = _activity_type_rows(
        organisation=organisation, business_unit=business_unit, year_ids=list(year_of)
    )
    rows = _effect_rows(by_type, year_of=year_of, types=_activity_types(by_type))
    return _effect_lines(rows, previous=previous, current=current)


# SQLite sums decimals as floating point and keeps 15 significant digits, as
# Django's own converter for a sum does.
_SQLITE_DIGITS = Context(prec=15)


def _kg_by_gas(
    *, organisation: Organisation, entries: QuerySet[ActivityEntry]
) -> dict[str, Decimal]:
    """Return kg CO2e per known gas of the entries, summed in the database.

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
                    _share(
                        organisation,
                        Cast(KT(f"kg_by_gas__{gas}"), output_field=_DEC),
                    ),
                )
                for gas in KNOWN_GASES
            }
        )
        return {gas: _t(sums[gas]) for gas in KNOWN_GASES if sums[gas]}
    equity = organisation.consolidation_approach == ConsolidationApproach.EQUITY
    columns = ["kg_by_gas"]
    if equity:
        lines = lines.annotate(weight=F("business_unit__equity_share"))
        columns.append("weight")
    try:
        inner_sql, inner_params = (
            lines.values(*columns).query.get_compiler(using=entries.db).as_sql()
        )
    except EmptyResultSet:  # e.g. a year that has no reporting year
        return {}
    # Times 0.01, as in _share: SQLite would divide whole decimals as integers.
    weight = " * e.weight * %s" if equity else ""
    weight_params = [Decimal("0.01")] if equity else []
    # Only constants and the ORM's own SQL are spliced in; values are parameters.
    if connection.vendor == "postgresql":
        value = f"CAST(e.kg_by_gas ->> %s AS numeric(38, 10)){weight}"
        sql = f"SELECT {', '.join([f'SUM({value})'] * len(KNOWN_GASES))} "
        sql += f"FROM ({inner_sql}) e"  # noqa: S608
        params = [p for gas in KNOWN_GASES for p in (gas, *weight_params)]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *inner_params])
            sums = dict(zip(KNOWN_GASES, cursor.fetchone(), strict=True))
    else:
        value = f"CAST(CAST(g.value AS NUMERIC){weight} AS NUMERIC)"
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
    return {gas: _t(sums[gas]) for gas in KNOWN_GASES if sums.get(gas)}


def inventory_series(
    *, organisation: Organisation, business_unit: BusinessUnit | None = None
) -> dict[int, ScopeTotals]:
    """Return the scope totals of every year from the base year on."""
    series = scope_totals_by_year(
        organisation=organisation, business_unit=business_unit
    )
    return {y: t for y, t in series.items() if y >= organisation.base_year}


def inventory_for_year(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> YearInventory:
    """Return the full inventory of one year (tonnes CO2e, full precision).

    Grouped queries give every figure: one over all years by business unit and
    scope (the series, market-based scope 2, the units), one over this year by
    activity type, data quality, unit of measure and categories (the detail),
    one over the previous year by activity type (the effect split) and one
    for the gases of this year. The rest is added up here from those few rows.
    """
    year_rows = list(
        ReportingYear.objects.filter(organisation=organisation).values_list(
            "pk", "year", "status"
        )
    )
    year_of = {pk: y for pk, y, _status in year_rows}
    year_status = next((s for _pk, y, s in year_rows if y == year), "open")
    rows = _unit_scope_rows(
        organisation=organisation, business_unit=business_unit, year_of=year_of
    )
    units = {
        pk: (code, name, share)
        for pk, code, name, share in BusinessUnit.objects.filter(
            pk__in={row["business_unit_id"] for row in rows}
        )
        .order_by("code", "pk")
        .values_list("pk", "code", "name", "equity_share")
    }
    market = _market_kg_by_year(
        organisation=organisation,
        business_unit=business_unit,
        rows=rows,
        shares={pk: share for pk, (_code, _name, share) in units.items()},
    )
    series = _scope_totals(organisation=organisation, rows=rows, market=market)
    empty = ScopeTotals(
        year, ZERO, ZERO, ZERO, ZERO, organisation.scope2_headline == "market"
    )
    totals = series.get(year, empty)

    # The year's detail, and per activity type the previous year's figures
    # for the effect split.
    previous = series.get(year - 1)
    this_year_ids = [pk for pk, y in year_of.items() if y == year]
    this_year = _detail_rows(
        organisation=organisation, business_unit=business_unit, year_ids=this_year_ids
    )
    previous_year = (
        _activity_type_rows(
            organisation=organisation,
            business_unit=business_unit,
            year_ids=[pk for pk, y in year_of.items() if y == year - 1],
        )
        if previous is not None
        else []
    )
    types = _activity_types([*this_year, *previous_year])

    by_scope3: dict[int, list[Decimal]] = defaultdict(list)
    by_iso: dict[int, list[Decimal]] = defaultdict(list)
    by_quality: dict[str, list[Decimal]] = defaultdict(list)
    count_by_quality: dict[str, int] = defaultdict(int)
    by_source: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    for row in this_year:
        kg = row["kg"]
        if row["scope"] == 3 and row["scope3_category"] is not None:
            by_scope3[row["scope3_category"]].append(kg)
        by_iso[row["iso_category"]].append(kg)
        by_quality[row["data_quality"]].append(kg)
        count_by_quality[row["data_quality"]] += row["n"]
        code, name = types[row["activity_type_id"]]
        key = (code, name, row["scope"], row["scope3_category"], row["unit"])
        quantities, kgs = by_source[key]
        quantities.append(row["q"])
        kgs.append(kg)
    scope3_by_category = {
        category: _t(_add(kgs)) for category, kgs in sorted(by_scope3.items())
    }
    iso_by_category = {
        category: _t(_add(kgs)) for category, kgs in sorted(by_iso.items())
    }

    # Per unit: scope 1 + 3 as entered, scope 2 by the headline method.
    unit_kg: dict[int, dict[int, list[Decimal]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        if row["year"] == year:
            unit_kg[row["business_unit_id"]][row["scope"]].append(row["kg"])
    by_business_unit = {}
    names = {}
    for unit_id, (code, name, _share_pct) in units.items():
        if unit_id not in unit_kg:
            continue
        other = _add([*unit_kg[unit_id][1], *unit_kg[unit_id][3]])
        s2 = (
            market.get(year, {}).get(unit_id, ZERO)
            if totals.headline_market
            else _add(unit_kg[unit_id][2])
        )
        by_business_unit[code] = _t(other + s2)
        names[code] = name

    by_gas = _kg_by_gas(
        organisation=organisation,
        entries=entries_for(
            organisation=organisation, business_unit=business_unit
        ).filter(reporting_year_id__in=this_year_ids),
    )

    # Largest first; equal emissions in the database's order of codes.
    code_rank: dict[str, int] = {}
    for code, _name in types.values():
        code_rank.setdefault(code, len(code_rank))
    sources = sorted(
        (
            (_add(kgs), key, _add(quantities))
            for key, (quantities, kgs) in by_source.items()
        ),
        key=lambda source: (-source[0], code_rank[source[1][0]]),
    )
    top_sources = [
        ActivityLine(
            code=code,
            name=name,
            scope=scope,
            scope3_category=scope3_category,
            quantity=quantity,
            unit=unit,
            t_co2e=_t(kg),
        )
        for kg, (code, name, scope, scope3_category, unit), quantity in sources[:10]
    ]

    base = organisation.base_year
    adjustments = base_year_adjustments(organisation=organisation)
    base_totals = series.get(base)
    base_original = base_totals.total_t if base_totals else None
    base_adjusted = _adjusted_base(base_totals, adjustments) if base_totals else None
    base_total = base_adjusted.total_t if base_adjusted else None
    change_t = change_pct = None
    if base_total is not None and year in series:
        change_t = totals.total_t - base_total
        change_pct = _pct(change_t, base_total)
    previous_total = previous.total_t if previous else None
    change_prev_pct = (
        _pct(totals.total_t - previous_total, previous_total)
        if previous_total is not None and year in series
        else None
    )
    cumulative = ZERO
    if base_total is not None:
        for y, t in series.items():
            if base < y <= year:
                cumulative += base_total - t.total_t

    credits = CarbonCredit.objects.filter(
        organisation=organisation, claimed_year__year=year
    ).aggregate(t=Coalesce(Sum("tonnes"), Value(ZERO), output_field=_DEC))["t"]
    if business_unit is not None:
        credits = ZERO  # credits are claimed by the organisation, not per unit

    metric_qs = Metric.objects.filter(
        organisation=organisation, reporting_year__year=year
    )
    if business_unit is not None:
        metric_qs = metric_qs.filter(business_unit=business_unit)
    metrics: dict[str, Decimal] = {}
    revenue_units: dict[str, set[str]] = defaultdict(set)
    for row in (
        metric_qs.values("kind", "unit", "business_unit__code")
        .annotate(v=Sum("value"))
        .order_by("kind")
    ):
        key = row["kind"]
        if key == "revenue":
            key = f"revenue_{row['unit'] or ''}"
            revenue_units[key].add(row["business_unit__code"])
        metrics[key] = metrics.get(key, ZERO) + row["v"]
    intensities: dict[str, Decimal | None] = {}
    for key, value in metrics.items():
        if key in ("fte", "floor_area"):
            intensities[key] = totals.total_t / value if value else None
        elif key.startswith("revenue"):
            # Revenue in one currency is set against the emissions of the units
            # that report in it, so that no currencies are mixed.
            emissions = sum(
                (by_business_unit.get(code, ZERO) for code in revenue_units[key]), ZERO
            )
            intensities[key] = emissions / value if value else None

    quality_kg = {quality: _add(kgs) for quality, kgs in sorted(by_quality.items())}
    entry_count = sum(count_by_quality.values())
    all_kg = sum(quality_kg.values(), ZERO)
    data_quality_by_kg = {
        quality: (_pct(kg, all_kg) or ZERO) for quality, kg in quality_kg.items()
    }
    data_quality_by_count = {
        quality: count_by_quality[quality] for quality in quality_kg
    }

    target = (
        Target.objects.filter(organisation=organisation).order_by("target_year").first()
    )
    target_t = trajectory_t = target_scope_t = None
    if target is not None:
        target_base = series.get(target.base_year)
        if target_base is not None:
            if target.base_year == base:
                target_base = base_adjusted
            base_scope = _target_scope_total(target_base, target.scopes)
            target_t = base_scope * (1 - target.reduction_pct / 100)
            span = target.target_year - target.base_year
            elapsed = min(max(year - target.base_year, 0), span)
            trajectory_t = base_scope - (base_scope - target_t) * elapsed / span
        target_scope_t = _target_scope_total(totals, target.scopes)

    return YearInventory(
        year=year,
        base_year=base,
        headline_scope2=organisation.scope2_headline,
        year_status=year_status,
        scope1_t_co2e=totals.scope1_t,
        scope2_location_t_co2e=totals.scope2_location_t,
        scope2_market_t_co2e=totals.scope2_market_t,
        scope3_t_co2e=totals.scope3_t,
        total_t_co2e=totals.total_t,
        scope3_by_category=scope3_by_category,
        iso_by_category=iso_by_category,
        by_business_unit=by_business_unit,
        business_unit_names=names,
        by_gas=by_gas,
        top_sources=top_sources,
        base_year_original_t_co2e=base_original,
        base_year_total_t_co2e=base_total,
        change_vs_base_year_t=change_t,
        change_vs_base_year_pct=change_pct,
        previous_year_total_t_co2e=previous_total,
        change_vs_previous_year_pct=change_prev_pct,
        cumulative_reduction_t_co2e=cumulative,
        credits_retired_t_co2e=credits,
        net_after_credits_t_co2e=totals.total_t - credits,
        intensities=intensities,
        metrics=metrics,
        data_quality_by_kg=data_quality_by_kg,
        data_quality_by_count=data_quality_by_count,
        entry_count=entry_count,
        target=target,
        target_t_co2e=target_t,
        target_trajectory_t_co2e=trajectory_t,
        target_scope_t_co2e=target_scope_t,
        effects=(
            _effect_lines(
                _effect_rows(
                    [*previous_year, *this_year], year_of=year_of, types=types
                ),
                previous=year - 1,
                current=year,
            )
            if previous is not None
            else []
        ),
        series={y: t for y, t in series.items() if y >= base},
    )


@dataclass(frozen=True)
class AppendixLine:
    """Entries of one unit, type, unit of measure and factor, added up."""

    business_unit: str
    activity: str
    scope: int
    quantity: Decimal
    unit: str
    factor_value: Decimal | None
    factor_unit: str
    factor_set: str
    t_co2e: Decimal
    entries: int


@dataclass(frozen=True)
class FactorSetUsed:
    publisher: str
    name: str
    edition_year: int
    source_url: str
    licence: str
    entries: int


@dataclass
class AnnualReportData:
    """The figures and lists of the annual report, for the PDF and the Excel."""

    organisation: Organisation
    business_unit: BusinessUnit | None
    inventory: YearInventory
    reporting_year: ReportingYear | None
    units_in_boundary: list[BusinessUnit]
    credits: list[CarbonCredit]
    recalculations: list[BaseYearRecalculation]
    factor_sets: list[FactorSetUsed]
    appendix: list[AppendixLine]
    grid_factors: list
    scope3_categories_reported: list[int]

    @property
    def is_draft(self) -> bool:
        return self.inventory.year_status != "approved"


def annual_report_data(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> AnnualReportData:
    """Return everything the annual report shows, from the database.

    Activity types are named in the active language; build the data inside
    `translation.override(language)` for a report in another language.
    """
    inventory = inventory_for_year(
        organisation=organisation, year=year, business_unit=business_unit
    )
    entries = entries_for(
        organisation=organisation, business_unit=business_unit
    ).filter(reporting_year__year=year)
    factor_sets = [
        FactorSetUsed(
            publisher=row["factor_set__publisher"],
            name=row["factor_set__name"],
            edition_year=row["factor_set__edition_year"],
            source_url=row["factor_set__source_url"],
            licence=row["factor_set__licence"],
            entries=row["n"],
        )
        for row in entries.filter(factor_set__isnull=False)
        .values(
            "factor_set__publisher",
            "factor_set__name",
            "factor_set__edition_year",
            "factor_set__source_url",
            "factor_set__licence",
        )
        .annotate(n=Count("pk"))
        .order_by("factor_set__publisher", "factor_set__edition_year")
    ]
    appendix = sorted(
        (
            AppendixLine(
                business_unit=row["business_unit__code"],
                activity=_in_language(
                    row["activity_type__name"],
                    row["activity_type__name_nb"],
                    row["activity_type__name_sv"],
                ),
                scope=row["scope"],
                quantity=row["q"],
                unit=row["unit"],
                factor_value=row["factor_value"],
                factor_unit=row["factor_unit"],
                factor_set=(
                    f"{row['factor_set__kind'].upper()} "
                    f"{row['factor_set__edition_year']}"
                    if row["factor_set__kind"]
                    else "–"
                ),
                t_co2e=_t(row["kg"]),
                entries=row["n"],
            )
            for row in entries.values(
                "business_unit__code",
                "activity_type__name",
                "activity_type__name_nb",
                "activity_type__name_sv",
                "scope",
                "unit",
                "factor_value",
                "factor_unit",
                "factor_set__kind",
                "factor_set__edition_year",
            )
            .annotate(
                q=Sum("quantity"), kg=_sum(organisation, "kg_co2e"), n=Count("pk")
            )
            .order_by()
        ),
        # In the report's language's order of names.
        key=lambda line: (line.business_unit, line.scope, line.activity, line.unit),
    )
    units = organisation.business_units.all()
    if business_unit is not None:
        units = units.filter(pk=business_unit.pk)
    units_in_boundary = [u for u in units.order_by("code") if u.active_in(year)]
    credits = (
        list(
            CarbonCredit.objects.filter(
                organisation=organisation, claimed_year__year=year
            ).order_by("retirement_date", "pk")
        )
        if business_unit is None
        else []
    )
    recalculations = list(
        BaseYearRecalculation.objects.filter(organisation=organisation)
        .select_related("approved_by")
        .order_by("effective_date", "pk")
    )
    reporting_year = (
        ReportingYear.objects.filter(organisation=organisation, year=year)
        .select_related("approved_by", "submitted_by")
        .first()
    )
    return AnnualReportData(
        organisation=organisation,
        business_unit=business_unit,
        inventory=inventory,
        reporting_year=reporting_year,
        units_in_boundary=units_in_boundary,
        credits=credits,
        recalculations=recalculations,
        factor_sets=factor_sets,
        appendix=appendix,
        grid_factors=grid_factors_used(
            organisation=organisation, year=year, business_unit=business_unit
        ),
        scope3_categories_reported=sorted(inventory.scope3_by_category),
    )
