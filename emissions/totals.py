"""Scope totals per year and business unit, computed in the database.

The one place where lines become totals: every page, report and export that
shows a year's scopes reads them from here (the reports app composes its
inventory from them). Every total is gross: carbon credits are a memo line,
never subtracted. Stored values keep full precision; rounding happens only
where figures are shown. Scope 2 is reported both ways (GHG Protocol Scope 2
Guidance): location-based is the sum of the entries' grid-average figures;
market-based applies each business unit's contractual instruments to its grid
electricity first and the residual mix to the rest
(`emissions.calculations.scope2_market_based`). Instruments apply in the order
they were recorded, so an over-cover never depends on which certificate
happens to be the cleanest. Under the equity-share approach every sum is
weighted by the unit's share in the query (a closed year by the shares fixed
with it, `emissions.year_settings`).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Context, Decimal
from functools import reduce

from django.db.models import (
    Case,
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
from django.db.models.functions import Coalesce

from accounts.models import BusinessUnit, Organisation
from accounts.selectors import unit_subtree_ids
from emissions.calculations import InstrumentCover, scope2_market_based
from emissions.models import ActivityEntry, ContractualInstrument, ReportingYear
from emissions.year_settings import SettingsByYear, settings_by_year

ZERO = Decimal(0)
KG_PER_T = Decimal(1000)
# Partial sums from the database are added without rounding.
_EXACT = Context(prec=100)
DECIMAL = DecimalField(max_digits=38, decimal_places=10)


def tonnes(kg: Decimal | None) -> Decimal:
    """Return kilograms as tonnes (None as zero)."""
    return (kg or ZERO) / KG_PER_T


def add_exactly(values) -> Decimal:
    """Add partial sums without rounding, as the database adds their lines."""
    return reduce(_EXACT.add, values, ZERO)


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole * 100 if whole else None


@dataclass(frozen=True)
class Weighting:
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
        return Case(*whens, default=default, output_field=DECIMAL)

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


def weighting_for(
    organisation: Organisation, *, settings: SettingsByYear | None = None
) -> Weighting:
    """Return how the organisation's lines are weighted, year by year."""
    if settings is None:
        settings = settings_by_year(organisation=organisation)
    return Weighting(
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


def weighted(
    organisation: Organisation, expression, *, weighting: Weighting | None = None
):
    """Weight an expression by the unit's equity share under that approach.

    `weighting`, when given, is the organisation's (read once for many sums).
    """
    if weighting is None:
        weighting = weighting_for(organisation)
    if not weighting.weighted:
        return ExpressionWrapper(expression, output_field=DECIMAL)
    # Times 0.01 rather than divided by 100: SQLite stores whole decimals
    # as integers and would divide them as integers (47 x 50 / 100 = 23).
    # Lines that count whole are not multiplied at all, so that their sums
    # are exactly those of an unweighted year.
    share = expression * weighting.percent() * Value(Decimal("0.01"))
    if weighting.live_equity:
        whole = list(weighting.whole_year_ids)
        if not whole:
            return ExpressionWrapper(share, output_field=DECIMAL)
        condition, then, default = Q(reporting_year_id__in=whole), expression, share
    else:
        fixed = list(weighting.fixed_shares)
        condition, then, default = Q(reporting_year_id__in=fixed), share, expression
    return Case(When(condition, then=then), default=default, output_field=DECIMAL)


def weighted_sum(
    organisation: Organisation,
    field_name: str,
    *,
    weighting: Weighting | None = None,
    **filters,
):
    """Return the SUM of a field, weighted by equity share, zero for no lines."""
    return Coalesce(
        Sum(
            weighted(organisation, F(field_name), weighting=weighting),
            filter=Q(**filters) if filters else None,
        ),
        Value(ZERO),
        output_field=DECIMAL,
    )


def grid_kwh_sum():
    """Return the SUM of the grid kWh that a residual mix prices (unweighted)."""
    return Coalesce(
        Sum("energy_kwh", filter=Q(residual_mix_factor__isnull=False)),
        Value(ZERO),
        output_field=DECIMAL,
    )


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


def reporting_years(*, organisation: Organisation) -> dict[int, int]:
    """Return the organisation's reporting years (the year) by primary key."""
    return dict(
        ReportingYear.objects.filter(organisation=organisation).values_list(
            "pk", "year"
        )
    )


def unit_scope_rows(
    *,
    organisation: Organisation,
    unit_ids: list[int] | None,
    year_of: dict[int, int],
    weighting: Weighting | None = None,
) -> list[dict]:
    """Return kg CO2e per year, business unit and scope, in one pass over the lines.

    Scope 2 rows also carry what the market-based figure needs: the market kg
    before instruments, the grid kWh priced at the residual mix, and that mix.
    """
    rows = list(
        entries_for(organisation=organisation, unit_ids=unit_ids)
        .values("reporting_year_id", "business_unit_id", "scope")
        .annotate(
            kg=weighted_sum(organisation, "kg_co2e", weighting=weighting),
            market=weighted_sum(organisation, "kg_co2e_market", weighting=weighting),
            grid_kwh=grid_kwh_sum(),
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


def market_kg_by_year(
    *,
    organisation: Organisation,
    unit_ids: list[int] | None,
    rows: list[dict],
    shares: dict[int, Decimal] | None = None,
    instrument_kg: dict[tuple[int, int], Decimal] | None = None,
    weighting: Weighting | None = None,
) -> dict[int, dict[int, Decimal]]:
    """Return market-based scope 2 kg per year and business unit.

    `rows` are those of `unit_scope_rows`; `shares` the units' equity shares,
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
    if weighting is None:
        weighting = weighting_for(organisation)
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


def scope_totals_from_rows(
    *,
    organisation: Organisation,
    rows: list[dict],
    market: dict[int, dict[int, Decimal]],
    settings: SettingsByYear | None = None,
) -> dict[int, ScopeTotals]:
    """Add the rows of `unit_scope_rows` up to each year's scope totals."""
    kg: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        kg[row["year"]][row["scope"]].append(row["kg"])
    # Each year by its own headline: a closed year keeps the one fixed with it.
    if settings is None:
        settings = settings_by_year(organisation=organisation)
    return {
        year: ScopeTotals(
            year=year,
            scope1_t=tonnes(add_exactly(kg[year][1])),
            scope2_location_t=tonnes(add_exactly(kg[year][2])),
            scope2_market_t=tonnes(sum(market.get(year, {}).values(), ZERO)),
            scope3_t=tonnes(add_exactly(kg[year][3])),
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

    The base year as entered; the reports' inventory adds its recalculations.
    """
    unit_ids = unit_subtree_ids(organisation=organisation, business_unit=business_unit)
    settings = settings_by_year(organisation=organisation)
    weighting = weighting_for(organisation, settings=settings)
    rows = unit_scope_rows(
        organisation=organisation,
        unit_ids=unit_ids,
        year_of=reporting_years(organisation=organisation),
        weighting=weighting,
    )
    market = market_kg_by_year(
        organisation=organisation, unit_ids=unit_ids, rows=rows, weighting=weighting
    )
    return scope_totals_from_rows(
        organisation=organisation, rows=rows, market=market, settings=settings
    )
