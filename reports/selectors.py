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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Context, Decimal
from functools import reduce

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import get_language, gettext

from accounts.models import BusinessUnit, Organisation
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
from emissions.models.factors import GasesCovered
from emissions.selectors_factors import grid_factors_used, residual_mix_gaps
from emissions.year_settings import (
    YearSettings,
    settings_by_year,
    settings_changed_since,
)

ZERO = Decimal(0)
# Gases that lines may carry per-gas figures for (the calculation's gas codes).
KNOWN_GASES = sorted({"CO2", "CH4", "N2O", *GWP_SETS["AR5"].values.keys()})
KG_PER_T = Decimal(1000)
# Partial sums from the database are added without rounding.
_EXACT = Context(prec=100)
_DEC = DecimalField(max_digits=38, decimal_places=10)


def _t(kg: Decimal | None) -> Decimal:
    return (kg or ZERO) / KG_PER_T


@dataclass(frozen=True)
class _Weighting:
    """Which lines count at an equity share, year by year.

    A submitted or approved year is weighted by the approach and shares fixed
    with it (emissions.year_settings); the other years by the organisation's.
    """

    live_equity: bool
    # Closed years not under the equity-share approach: every line counts whole.
    whole_year_ids: tuple[int, ...]
    # Closed years under it: the fixed share of each unit, by year.
    fixed_shares: dict[int, dict[int, Decimal]]

    @property
    def weighted(self) -> bool:
        return self.live_equity or bool(self.fixed_shares)

    def percent(self):
        """Return the share % each line counts at, NULL where it counts whole."""
        live = F("business_unit__equity_share")
        whens = []
        if self.whole_year_ids:
            whens.append(
                When(reporting_year_id__in=self.whole_year_ids, then=Value(None))
            )
        for year_id, shares in self.fixed_shares.items():
            by_share: dict[Decimal, list[int]] = defaultdict(list)
            for unit_id, share in shares.items():
                by_share[share].append(unit_id)
            for share, unit_ids in sorted(by_share.items()):
                whens.append(
                    When(
                        reporting_year_id=year_id,
                        business_unit_id__in=unit_ids,
                        then=Value(share),
                    )
                )
            whens.append(When(reporting_year_id=year_id, then=live))
        default = live if self.live_equity else Value(None)
        if not whens:
            return default
        return Case(*whens, default=default, output_field=_DEC)

    def share(
        self, year_id: int, unit_id: int, live_shares: dict[int, Decimal]
    ) -> Decimal | None:
        """Return the share % a unit's lines of a year count at (None: whole)."""
        if year_id in self.fixed_shares:
            fixed = self.fixed_shares[year_id]
            return fixed[unit_id] if unit_id in fixed else live_shares[unit_id]
        if year_id in self.whole_year_ids or not self.live_equity:
            return None
        return live_shares[unit_id]


def _weighting(organisation: Organisation) -> _Weighting:
    settings = settings_by_year(organisation=organisation)
    return _Weighting(
        live_equity=settings.live.equity,
        whole_year_ids=tuple(
            pk for pk, fixed in settings.fixed_by_pk.items() if not fixed.equity
        ),
        fixed_shares={
            pk: {unit_id: unit.equity_share for unit_id, unit in fixed.units.items()}
            for pk, fixed in settings.fixed_by_pk.items()
            if fixed.equity
        },
    )


def _share(organisation: Organisation, expression):
    """Weight an expression by the unit's equity share under that approach."""
    weighting = _weighting(organisation)
    if not weighting.weighted:
        return ExpressionWrapper(expression, output_field=_DEC)
    # Times 0.01 rather than divided by 100: SQLite stores whole decimals
    # as integers and would divide them as integers (47 x 50 / 100 = 23).
    # Lines that count whole are not multiplied at all, so that their sums
    # are exactly those of an unweighted year.
    weighted = expression * weighting.percent() * Value(Decimal("0.01"))
    if weighting.live_equity:
        whole = list(weighting.whole_year_ids)
        if not whole:
            return ExpressionWrapper(weighted, output_field=_DEC)
        condition, then, default = Q(reporting_year_id__in=whole), expression, weighted
    else:
        fixed = list(weighting.fixed_shares)
        condition, then, default = Q(reporting_year_id__in=fixed), weighted, expression
    return Case(When(condition, then=then), default=default, output_field=_DEC)


def _sum(organisation: Organisation, field_name: str, **filters):
    return Coalesce(
        Sum(
            _share(organisation, F(field_name)),
            filter=Q(**filters) if filters else None,
        ),
        Value(ZERO),
        output_field=_DEC,
    )


def unit_subtree_ids(
    *, organisation: Organisation, business_unit: BusinessUnit | None
) -> list[int] | None:
    """Return the unit and every unit below it (None: the whole organisation).

    A parent unit's figures are those of its whole subtree.
    """
    if business_unit is None:
        return None
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in BusinessUnit.objects.filter(
        organisation=organisation
    ).values_list("pk", "parent_id"):
        children[parent].append(pk)
    found: list[int] = []
    todo = [business_unit.pk]
    while todo:
        pk = todo.pop()
        if pk in found:
            continue
        found.append(pk)
        todo.extend(children[pk])
    return sorted(found)


def entries_for(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit | None = None,
    unit_ids: list[int] | None = None,
) -> QuerySet[ActivityEntry]:
    """Return the organisation's entries, optionally of one unit and its subtree."""
    qs = ActivityEntry.objects.filter(organisation=organisation)
    if business_unit is not None and unit_ids is None:
        unit_ids = unit_subtree_ids(
            organisation=organisation, business_unit=business_unit
        )
    if unit_ids is not None:
        qs = qs.filter(business_unit_id__in=unit_ids)
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
    unit_ids: list[int] | None,
    year_of: dict[int, int],
) -> list[dict]:
    """Return kg CO2e per year, business unit and scope, in one pass over the lines.

    Scope 2 rows also carry what the market-based figure needs: the market kg
    before instruments, the grid kWh priced at the residual mix, and that mix.
    """
    rows = list(
        entries_for(organisation=organisation, unit_ids=unit_ids)
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
    unit_ids: list[int] | None,
    rows: list[dict],
    shares: dict[int, Decimal] | None = None,
    instrument_kg: dict[tuple[int, int], Decimal] | None = None,
) -> dict[int, dict[int, Decimal]]:
    """Return market-based scope 2 kg per year and business unit.

    `rows` are those of `_unit_scope_rows`; `shares` the units' equity shares,
    read when needed and not given. `instrument_kg`, when given, receives per
    (year, unit) the part of the figure the instruments' own factors make.
    """
    instruments: dict[tuple[int, int], list[InstrumentCover]] = defaultdict(list)
    instrument_qs = ContractualInstrument.objects.filter(organisation=organisation)
    if unit_ids is not None:
        instrument_qs = instrument_qs.filter(business_unit_id__in=unit_ids)
    for year, unit_id, mwh, factor in instrument_qs.order_by("pk").values_list(
        "reporting_year__year", "business_unit_id", "mwh", "kg_co2e_per_kwh"
    ):
        instruments[(year, unit_id)].append(
            InstrumentCover(mwh=mwh, kg_co2e_per_kwh=factor)
        )
    weighting = _weighting(organisation)
    if weighting.weighted and shares is None:
        shares = _equity_shares(rows)
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in rows:
        if row["scope"] != 2:
            continue
        year, unit_id = row["year"], row["business_unit_id"]
        market = row["market"]
        covers = instruments.get((year, unit_id))
        if covers and row["residual"] is not None and row["grid_kwh"] > 0:
            share = (
                weighting.share(row["reporting_year_id"], unit_id, shares)
                if weighting.weighted
                else None
            )
            weight = share / 100 if share is not None else Decimal(1)
            at_residual = row["grid_kwh"] * row["residual"]
            applied = scope2_market_based(
                consumption_kwh=row["grid_kwh"],
                instruments=covers,
                residual_mix_kg_per_kwh=row["residual"],
            )
            market = market - at_residual * weight + applied.kg_co2e * weight
            if instrument_kg is not None:
                own = applied.kg_co2e - applied.uncovered_kwh * row["residual"]
                instrument_kg[(year, unit_id)] = own * weight
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
    # Each year by its own headline: a closed year keeps the one fixed with it.
    settings = settings_by_year(organisation=organisation)
    return {
        year: ScopeTotals(
            year=year,
            scope1_t=_t(_add(kg[year][1])),
            scope2_location_t=_t(_add(kg[year][2])),
            scope2_market_t=_t(sum(market.get(year, {}).values(), ZERO)),
            scope3_t=_t(_add(kg[year][3])),
            headline_market=settings.for_year(year).headline_market,
        )
        for year in sorted(kg)
    }


def scope_totals_by_year(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit | None = None,
) -> dict[int, ScopeTotals]:
    """Return gross scope totals (t) for every year that has entries.

    The base year as entered; `inventory_for_year` adds its recalculations.
    """
    unit_ids = unit_subtree_ids(organisation=organisation, business_unit=business_unit)
    rows = _unit_scope_rows(
        organisation=organisation,
        unit_ids=unit_ids,
        year_of=_year_of(organisation=organisation),
    )
    market = _market_kg_by_year(organisation=organisation, unit_ids=unit_ids, rows=rows)
    return _scope_totals(organisation=organisation, rows=rows, market=market)


@dataclass(frozen=True)
class Recalculated:
    scope1_t: Decimal
    scope2_location_t: Decimal
    scope2_market_t: Decimal
    scope3_t: Decimal


def _approved_recalculations(
    *, organisation: Organisation, unit_ids: list[int] | None
) -> QuerySet[BaseYearRecalculation]:
    qs = BaseYearRecalculation.objects.filter(
        organisation=organisation, approved_at__isnull=False
    )
    if unit_ids is not None:
        qs = qs.filter(business_unit_id__in=unit_ids)
    return qs


def base_year_adjustments(
    *, organisation: Organisation, business_unit: BusinessUnit | None = None
) -> Recalculated:
    """Return the sum of approved base-year recalculations per scope (t).

    Of one unit: those allocated to the unit or a unit below it.
    """
    unit_ids = unit_subtree_ids(organisation=organisation, business_unit=business_unit)
    agg = _approved_recalculations(
        organisation=organisation, unit_ids=unit_ids
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
    t_co2e: Decimal  # scope 2 by the organisation's headline method
    t_co2e_location: Decimal | None = None
    t_co2e_market: Decimal | None = None
    energy_kwh: Decimal | None = None
    refrigerant: bool = False


@dataclass(frozen=True)
class BaseYearUnitLine:
    """One unit's base year: as entered, its recalculations, recalculated.

    A line without a code holds the recalculations not allocated to a unit.
    """

    code: str
    name: str
    original_t: Decimal
    adjustment_t: Decimal

    @property
    def recalculated_t(self) -> Decimal:
        return self.original_t + self.adjustment_t


@dataclass(frozen=True)
class IntensityLine:
    """Emissions per unit of one metric, over the units that reported it."""

    key: str
    kind: str
    unit: str
    value: Decimal
    emissions_t: Decimal
    t_per_unit: Decimal | None
    business_units: tuple[str, ...]
    covers_all: bool


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
    # The base year is the recalculated one; its original and adjustment apart.
    series: dict[int, ScopeTotals] = field(default_factory=dict)
    # Every source, largest first by the headline method (top_sources: ten).
    sources: list[ActivityLine] = field(default_factory=list)
    iso_by_category_market: dict[int, Decimal] = field(default_factory=dict)
    # The seven Kyoto gases or groups; adds up to the total.
    gas_table: dict[str, Decimal] = field(default_factory=dict)
    # The part of the CO2 row from factors that give a CO2e total only.
    co2e_only: "Co2eOnlyShare | None" = None
    intensity_lines: list[IntensityLine] = field(default_factory=list)
    base_year_by_unit: list[BaseYearUnitLine] = field(default_factory=list)
    base_year_original: ScopeTotals | None = None
    base_year_adjustment: ScopeTotals | None = None

    @property
    def headline_is_market(self) -> bool:
        return self.headline_scope2 == "market"

    @property
    def total_location_t_co2e(self) -> Decimal:
        return self.scope1_t_co2e + self.scope2_location_t_co2e + self.scope3_t_co2e

    @property
    def total_market_t_co2e(self) -> Decimal:
        return self.scope1_t_co2e + self.scope2_market_t_co2e + self.scope3_t_co2e

    @property
    def scope2_market_minus_location_t_co2e(self) -> Decimal:
        return self.scope2_market_t_co2e - self.scope2_location_t_co2e

    @property
    def iso_by_category_headline(self) -> dict[int, Decimal]:
        return (
            self.iso_by_category_market
            if self.headline_is_market
            else self.iso_by_category
        )

    @property
    def base_year_units_total_t(self) -> Decimal:
        return _add(line.recalculated_t for line in self.base_year_by_unit)

    # The settings the year's figures use (fixed with a closed year).
    settings: YearSettings | None = None


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
    unit_ids: list[int] | None,
    year_ids: list[int],
) -> list[dict]:
    """Return kg CO2e, quantities and line counts of a year, in one pass.

    Grouped by business unit, activity type, data quality, unit of measure and
    categories: few rows, from which the year's detail is added up. Scope 2
    rows also carry the market-based kg before instruments and the grid kWh.
    """
    return list(
        entries_for(organisation=organisation, unit_ids=unit_ids)
        .filter(reporting_year_id__in=year_ids)
        .values(
            "reporting_year_id",
            "business_unit_id",
            "activity_type_id",
            "data_quality",
            "unit",
            "scope",
            "scope3_category",
            "iso_category",
        )
        .annotate(
            kg=_sum(organisation, "kg_co2e"),
            market=_sum(organisation, "kg_co2e_market"),
            kwh=Sum("energy_kwh"),
            grid_kwh=Coalesce(
                Sum("energy_kwh", filter=Q(residual_mix_factor__isnull=False)),
                Value(ZERO),
                output_field=_DEC,
            ),
            q=Sum("quantity"),
            converted=Sum("converted_quantity"),
            n=Count("*"),
        )
        .order_by()
    )


def _activity_type_rows(
    *,
    organisation: Organisation,
    unit_ids: list[int] | None,
    year_ids: list[int],
) -> list[dict]:
    """Return kg CO2e and converted quantity per year and activity type."""
    return list(
        entries_for(organisation=organisation, unit_ids=unit_ids)
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
        organisation=organisation,
        unit_ids=unit_subtree_ids(
            organisation=organisation, business_unit=business_unit
        ),
        year_ids=list(year_of),
    )
    rows = _effect_rows(by_type, year_of=year_of, types=_activity_types(by_type))
    return _effect_lines(rows, previous=previous, current=current)


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
            whole = _add(weights.values())
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
    whole = _add(weights)
    if not whole:
        weights, whole = [Decimal(1)] * len(weights), Decimal(len(weights))
    shares = [total * weight / whole for weight in weights[:-1]]
    return [*shares, total - _add(shares)]


def gas_table_for(
    *,
    organisation: Organisation,
    entries: QuerySet[ActivityEntry],
    year: int,
    headline_market: bool,
    gwp_set: str,
    market: dict[int, Decimal],
    instrument_kg: dict[int, Decimal],
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
    """
    with_gases = entries.exclude(kg_by_gas={})
    if headline_market:
        with_gases = with_gases.exclude(scope=2)
    table, _unknown = kyoto_gas_table(
        _kg_by_gas(organisation=organisation, entries=with_gases), gwp_set=gwp_set
    )
    published = with_gases.aggregate(kg=_sum(organisation, "kg_co2e"))["kg"]
    # What the gases do not account for of the published CO2e (and unknown
    # gases) is counted as CO2.
    co2_t = _t(published) - _add(table.values())
    without = Q(kg_by_gas={}) | Q(scope=2) if headline_market else Q(kg_by_gas={})
    rows = list(
        entries.filter(without)
        .values(
            "business_unit_id", "activity_type_id", "scope", "factor__gases_covered"
        )
        .annotate(
            kg=_sum(organisation, "kg_co2e"),
            market=_sum(organisation, "kg_co2e_market"),
            grid_kwh=Coalesce(
                Sum("energy_kwh", filter=Q(residual_mix_factor__isnull=False)),
                Value(ZERO),
                output_field=_DEC,
            ),
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
        rest = market.get(unit_id, ZERO) - _add(row["market"] for row in other) - own
        basis = residual_bases.get(unit_id)
        parts = _shares(rest, [row["market"] for row in grid])
        for row, part in zip(grid, parts, strict=True):
            # Without a residual mix the grid factor stands in, with its gases.
            count(
                part,
                basis if basis is not None else row["factor__gases_covered"],
                row["activity_type_id"],
            )
    source_t = {key: _t(_add(kgs)) for key, kgs in by_source.items()}
    table["CO2"] += co2_t + _t(_add(co2_kg)) + _add(source_t.values())
    names = {
        pk: (code, name)
        for pk, (code, name) in _activity_types(
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
        t_co2e=_add(source.t_co2e for source in sources), sources=tuple(sources)
    )


def _intensity_lines(
    *,
    organisation: Organisation,
    year: int,
    unit_ids: list[int] | None,
    by_business_unit: dict[str, Decimal],
) -> list[IntensityLine]:
    """Return each metric's intensity over the units that reported it.

    Revenue is kept per currency, set against the emissions of the units that
    report in it, so that no currencies are mixed; a line that covers only
    some of the units says which.
    """
    metric_qs = Metric.objects.filter(
        organisation=organisation, reporting_year__year=year
    )
    if unit_ids is not None:
        metric_qs = metric_qs.filter(business_unit_id__in=unit_ids)
    values: dict[str, list[Decimal]] = defaultdict(list)
    covered: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, tuple[str, str]] = {}
    for kind, unit, code, value in metric_qs.values_list(
        "kind", "unit", "business_unit__code", "value"
    ).order_by("kind", "unit", "business_unit__code"):
        key = f"revenue_{unit or ''}" if kind == "revenue" else kind
        kinds[key] = (kind, unit if kind == "revenue" else "")
        values[key].append(value)
        covered[key].add(code)
    with_emissions = set(by_business_unit)
    lines = []
    for key in sorted(values):
        value = _add(values[key])
        emissions = _add(
            by_business_unit.get(code, ZERO) for code in sorted(covered[key])
        )
        lines.append(
            IntensityLine(
                key=key,
                kind=kinds[key][0],
                unit=kinds[key][1],
                value=value,
                emissions_t=emissions,
                t_per_unit=emissions / value if value else None,
                business_units=tuple(sorted(covered[key])),
                covers_all=with_emissions <= covered[key],
            )
        )
    return lines


def eco_lighthouse_lines(
    *, organisation: Organisation, inventory: "YearInventory"
) -> list[ActivityLine]:
    """Return every source of the inventory, refrigerant leakage marked."""
    codes = {line.code for line in inventory.sources}
    refrigerants = set(
        ActivityType.objects.filter(
            Q(organisation=organisation) | Q(organisation__isnull=True),
            code__in=codes,
        )
        .exclude(gas="")
        .values_list("code", flat=True)
    )
    return [
        replace(line, refrigerant=line.code in refrigerants)
        for line in inventory.sources
    ]


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
    weighting = _weighting(organisation)
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
    # Times 0.01, as in _share: SQLite would divide whole decimals as integers.
    # A line whose weight is NULL counts whole, unmultiplied.
    weight_params = [Decimal("0.01")] if equity else []

    def weighted(value: str) -> str:
        return f"COALESCE({value} * e.weight * %s, {value})" if equity else value

    # Only constants and the ORM's own SQL are spliced in; values are parameters.
    if connection.vendor == "postgresql":
        value = weighted("CAST(e.kg_by_gas ->> %s AS numeric(38, 10))")
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
        value = f"CAST({weighted('CAST(g.value AS NUMERIC)')} AS NUMERIC)"
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
    """Return the scope totals of every year from the recalculated base year on."""
    series = scope_totals_by_year(
        organisation=organisation, business_unit=business_unit
    )
    base = organisation.base_year
    adjustments = base_year_adjustments(
        organisation=organisation, business_unit=business_unit
    )
    if any(adjustments.__dict__.values()):
        series[base] = _adjusted_base(
            series.get(base)
            or ScopeTotals(
                base, ZERO, ZERO, ZERO, ZERO, organisation.scope2_headline == "market"
            ),
            adjustments,
        )
    return {y: t for y, t in sorted(series.items()) if y >= base}


def inventory_for_year(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> YearInventory:
    """Return the full inventory of one year (tonnes CO2e, full precision).

    Grouped queries give every figure: one over all years by business unit and
    scope (the series, market-based scope 2, the units), one over this year by
    business unit, activity type, data quality, unit of measure and categories
    (the detail), one over the previous year by activity type (the effect
    split) and one for the gases of this year. The rest is added up here from
    those few rows. A parent unit's figures are those of its whole subtree; the
    base year is the recalculated one everywhere, with the recalculations
    allocated to the units they concern.
    """
    year_rows = list(
        ReportingYear.objects.filter(organisation=organisation).values_list(
            "pk", "year", "status"
        )
    )
    year_of = {pk: y for pk, y, _status in year_rows}
    year_status = next((s for _pk, y, s in year_rows if y == year), "open")
    unit_ids = unit_subtree_ids(organisation=organisation, business_unit=business_unit)
    year_settings = settings_by_year(organisation=organisation).for_year(year)
    rows = _unit_scope_rows(
        organisation=organisation, unit_ids=unit_ids, year_of=year_of
    )
    base = year_settings.base_year
    headline_market = year_settings.headline_market
    recalculations = list(
        _approved_recalculations(organisation=organisation, unit_ids=unit_ids)
        .values_list(
            "business_unit_id",
            "scope1_t",
            "scope2_location_t",
            "scope2_market_t",
            "scope3_t",
        )
        .order_by("pk")
    )
    units = {
        pk: (code, name, share)
        for pk, code, name, share in BusinessUnit.objects.filter(
            pk__in={row["business_unit_id"] for row in rows}
            | {unit_id for unit_id, *_ in recalculations if unit_id is not None}
        )
        .order_by("code", "pk")
        .values_list("pk", "code", "name", "equity_share")
    }
    instrument_kg: dict[tuple[int, int], Decimal] = {}
    market = _market_kg_by_year(
        organisation=organisation,
        unit_ids=unit_ids,
        rows=rows,
        shares={pk: share for pk, (_code, _name, share) in units.items()},
        instrument_kg=instrument_kg,
    )
    entered = _scope_totals(organisation=organisation, rows=rows, market=market)
    empty = ScopeTotals(year, ZERO, ZERO, ZERO, ZERO, headline_market)

    # The base year: as entered, plus the approved recalculations.
    adjustments = Recalculated(
        *(
            _add(values)
            for values in zip(
                *([ZERO] * 4, *(r[1:] for r in recalculations)), strict=True
            )
        )
    )
    base_original = entered.get(base)
    series = dict(entered)
    if recalculations:
        series[base] = _adjusted_base(
            base_original or ScopeTotals(base, ZERO, ZERO, ZERO, ZERO, headline_market),
            adjustments,
        )
    series = dict(sorted(series.items()))
    base_adjusted = series.get(base)
    totals = series.get(year, empty) if year != base else entered.get(year, empty)

    # The year's detail, and per activity type the previous year's figures
    # for the effect split.
    previous = series.get(year - 1)
    this_year_ids = [pk for pk, y in year_of.items() if y == year]
    this_year = _detail_rows(
        organisation=organisation, unit_ids=unit_ids, year_ids=this_year_ids
    )
    previous_year = (
        _activity_type_rows(
            organisation=organisation,
            unit_ids=unit_ids,
            year_ids=[pk for pk, y in year_of.items() if y == year - 1],
        )
        if previous is not None
        else []
    )
    types = _activity_types([*this_year, *previous_year])

    # Market-based scope 2 per line: each unit's instruments change its grid
    # lines' figure, shared by their grid kWh (the last line takes the rest,
    # so that the lines add up exactly to the unit's figure).
    raw_market: dict[int, list[Decimal]] = defaultdict(list)
    grid_rows: dict[int, list[dict]] = defaultdict(list)
    for row in this_year:
        if row["scope"] == 2:
            raw_market[row["business_unit_id"]].append(row["market"])
            if row["grid_kwh"] > 0:
                grid_rows[row["business_unit_id"]].append(row)
    for row in this_year:
        row["market_final"] = row["market"] if row["scope"] == 2 else row["kg"]
    for unit_id, unit_rows in grid_rows.items():
        delta = market.get(year, {}).get(unit_id, ZERO) - _add(raw_market[unit_id])
        kwh = _add(row["grid_kwh"] for row in unit_rows)
        left = delta
        for row in unit_rows[:-1]:
            part = delta * row["grid_kwh"] / kwh
            row["market_final"] = row["market"] + part
            left -= part
        unit_rows[-1]["market_final"] = unit_rows[-1]["market"] + left

    by_scope3: dict[int, list[Decimal]] = defaultdict(list)
    by_iso: dict[int, list[Decimal]] = defaultdict(list)
    by_iso_market: dict[int, list[Decimal]] = defaultdict(list)
    by_quality: dict[str, list[Decimal]] = defaultdict(list)
    count_by_quality: dict[str, int] = defaultdict(int)
    by_source: dict[tuple, tuple[list, list, list, list]] = defaultdict(
        lambda: ([], [], [], [])
    )
    for row in this_year:
        kg = row["kg"]
        if row["scope"] == 3 and row["scope3_category"] is not None:
            by_scope3[row["scope3_category"]].append(kg)
        by_iso[row["iso_category"]].append(kg)
        by_iso_market[row["iso_category"]].append(row["market_final"])
        by_quality[row["data_quality"]].append(kg)
        count_by_quality[row["data_quality"]] += row["n"]
        code, name = types[row["activity_type_id"]]
        key = (code, name, row["scope"], row["scope3_category"], row["unit"])
        quantities, kgs, markets, kwhs = by_source[key]
        quantities.append(row["q"])
        kgs.append(kg)
        markets.append(row["market_final"])
        if row["kwh"] is not None:
            kwhs.append(row["kwh"])
    scope3_by_category = {
        category: _t(_add(kgs)) for category, kgs in sorted(by_scope3.items())
    }
    iso_by_category = {
        category: _t(_add(kgs)) for category, kgs in sorted(by_iso.items())
    }
    iso_by_category_market = {
        category: _t(_add(kgs)) for category, kgs in sorted(by_iso_market.items())
    }

    # Per unit: scope 1 + 3 as entered, scope 2 by the headline method.
    def unit_total(unit_id: int, kgs: dict[int, list[Decimal]], y: int) -> Decimal:
        other = _add([*kgs[1], *kgs[3]])
        s2 = market.get(y, {}).get(unit_id, ZERO) if headline_market else _add(kgs[2])
        return _t(other + s2)

    unit_kg: dict[int, dict[int, dict[int, list[Decimal]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for row in rows:
        if row["year"] in (year, base):
            unit_kg[row["year"]][row["business_unit_id"]][row["scope"]].append(
                row["kg"]
            )
    by_business_unit = {}
    names = {}
    for unit_id, (code, name, _share_pct) in units.items():
        if unit_id not in unit_kg[year]:
            continue
        by_business_unit[code] = unit_total(unit_id, unit_kg[year][unit_id], year)
        names[code] = name

    # Each unit's base year, and the recalculations not allocated to a unit.
    adjustment_t: dict[int | None, list[Decimal]] = defaultdict(list)
    for unit_id, s1, s2l, s2m, s3 in recalculations:
        adjustment_t[unit_id].append(s1 + (s2m if headline_market else s2l) + s3)
    base_year_by_unit = [
        BaseYearUnitLine(
            code=code,
            name=name,
            original_t=(
                unit_total(unit_id, unit_kg[base][unit_id], base)
                if unit_id in unit_kg[base]
                else ZERO
            ),
            adjustment_t=_add(adjustment_t.get(unit_id, [])),
        )
        for unit_id, (code, name, _share_pct) in units.items()
        if unit_id in unit_kg[base] or unit_id in adjustment_t
    ]
    if None in adjustment_t:
        base_year_by_unit.append(
            BaseYearUnitLine(
                code="",
                name="",
                original_t=ZERO,
                adjustment_t=_add(adjustment_t[None]),
            )
        )

    gas_entries = entries_for(organisation=organisation, unit_ids=unit_ids).filter(
        reporting_year_id__in=this_year_ids
    )
    by_gas = _kg_by_gas(organisation=organisation, entries=gas_entries)
    gas_table, co2e_only = gas_table_for(
        organisation=organisation,
        entries=gas_entries,
        year=year,
        headline_market=headline_market,
        gwp_set=year_settings.gwp_set,
        market=market.get(year, {}),
        instrument_kg={
            unit_id: kg for (y, unit_id), kg in instrument_kg.items() if y == year
        },
    )

    # Largest first (by the headline method); equal emissions in the
    # database's order of codes.
    code_rank: dict[str, int] = {}
    for code, _name in types.values():
        code_rank.setdefault(code, len(code_rank))
    sources_added = []
    for key, (quantities, kgs, markets, kwhs) in by_source.items():
        location, market_kg = _add(kgs), _add(markets)
        headline = market_kg if headline_market else location
        sources_added.append(
            (headline, key, _add(quantities), location, market_kg, kwhs)
        )
    sources_added.sort(key=lambda source: (-source[0], code_rank[source[1][0]]))
    sources = [
        ActivityLine(
            code=code,
            name=name,
            scope=scope,
            scope3_category=scope3_category,
            quantity=quantity,
            unit=unit,
            t_co2e=_t(headline),
            t_co2e_location=_t(location),
            t_co2e_market=_t(market_kg),
            energy_kwh=_add(kwhs) if kwhs else None,
        )
        for headline, (
            code,
            name,
            scope,
            scope3_category,
            unit,
        ), quantity, location, market_kg, kwhs in sources_added
    ]

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
    # Σ over the organisation's years after the base year of (base - year); a
    # year the unit has no lines in counts at zero, so units add up.
    cumulative = ZERO
    if base_total is not None:
        org_years = (
            set(series)
            if unit_ids is None
            else set(
                ActivityEntry.objects.filter(organisation=organisation)
                .values_list("reporting_year__year", flat=True)
                .distinct()
                .order_by()
            )
        )
        for y in sorted(org_years):
            if base < y <= year:
                cumulative += base_total - series.get(y, empty).total_t

    credits = CarbonCredit.objects.filter(
        organisation=organisation, claimed_year__year=year
    ).aggregate(t=Coalesce(Sum("tonnes"), Value(ZERO), output_field=_DEC))["t"]
    if business_unit is not None:
        credits = ZERO  # credits are claimed by the organisation, not per unit

    intensity_lines = _intensity_lines(
        organisation=organisation,
        year=year,
        unit_ids=unit_ids,
        by_business_unit=by_business_unit,
    )
    intensities = {line.key: line.t_per_unit for line in intensity_lines}
    metrics = {line.key: line.value for line in intensity_lines}

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
            base_scope = _target_scope_total(target_base, target.scopes)
            target_t = base_scope * (1 - target.reduction_pct / 100)
            span = target.target_year - target.base_year
            elapsed = min(max(year - target.base_year, 0), span)
            trajectory_t = base_scope - (base_scope - target_t) * elapsed / span
        target_scope_t = _target_scope_total(totals, target.scopes)

    return YearInventory(
        year=year,
        base_year=base,
        headline_scope2=year_settings.scope2_headline,
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
        top_sources=sources[:10],
        base_year_original_t_co2e=(
            (base_original.total_t if base_original else ZERO)
            if base_adjusted
            else None
        ),
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
        sources=sources,
        iso_by_category_market=iso_by_category_market,
        gas_table=gas_table,
        co2e_only=co2e_only,
        intensity_lines=intensity_lines,
        base_year_by_unit=base_year_by_unit,
        base_year_original=(
            (
                base_original
                or ScopeTotals(base, ZERO, ZERO, ZERO, ZERO, headline_market)
            )
            if recalculations
            else None
        ),
        base_year_adjustment=(
            ScopeTotals(
                base,
                adjustments.scope1_t,
                adjustments.scope2_location_t,
                adjustments.scope2_market_t,
                adjustments.scope3_t,
                headline_market,
            )
            if recalculations
            else None
        ),
        settings=year_settings,
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
    # Countries whose market-based scope 2 falls back to the grid factor.
    residual_mix_gaps: list[str]
    scope3_categories_reported: list[int]
    # Settings that changed since the year's were fixed (the report names them).
    settings_changed: list[str] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return self.inventory.year_status != "approved"


def _factor_set_short(kind: str) -> str:
    """Return a factor set's short name for tables (DESNZ 2024, Grid factors 2024)."""
    return {
        "desnz": "DESNZ",
        "epa": "US EPA",
        "curated": gettext("Grid factors"),
        "generic": gettext("Own factors"),
    }.get(kind, kind)


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
                    f"{_factor_set_short(row['factor_set__kind'])} "
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
    unit_ids = unit_subtree_ids(organisation=organisation, business_unit=business_unit)
    units = organisation.business_units.all()
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    settings = inventory.settings
    if settings is not None and settings.is_fixed:
        # A closed year's boundary is the one fixed with it; the units are
        # shown with the shares its figures use (not saved).
        units_in_boundary = []
        for unit in units.filter(pk__in=list(settings.units)).order_by("code"):
            fixed = settings.units[unit.pk]
            if fixed.active_in(year):
                unit.equity_share = fixed.equity_share
                unit.year_joined, unit.year_left = fixed.year_joined, fixed.year_left
                units_in_boundary.append(unit)
    else:
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
    recalculations = BaseYearRecalculation.objects.filter(organisation=organisation)
    if unit_ids is not None:
        recalculations = recalculations.filter(business_unit_id__in=unit_ids)
    recalculations = list(
        recalculations.select_related("approved_by", "business_unit").order_by(
            "effective_date", "pk"
        )
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
            organisation=organisation, year=year, unit_ids=unit_ids
        ),
        residual_mix_gaps=residual_mix_gaps(
            organisation=organisation, year=year, unit_ids=unit_ids
        ),
        scope3_categories_reported=sorted(inventory.scope3_by_category),
        settings_changed=(
            settings_changed_since(settings, organisation=organisation)
            if settings is not None
            else []
        ),
    )
