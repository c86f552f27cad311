"""A year's inventory: everything the dashboard, the PDF and the API say about it.

`inventory_for_year` reads the year's grouped rows once (`rows.year_rows`)
and composes the small selectors of this package: the scope totals and the
units' (`totals`), the base year (`base_year`), the breakdowns
(`breakdowns`), the gases (`gases`), the comparisons and effects (`trends`),
the target (`targets`) and the intensities (`intensity`). `YearInventory`
holds their results under the names pages, reports and the API read.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import BusinessUnit, Organisation
from emissions.models import CarbonCredit, Target
from emissions.totals import DECIMAL, ZERO, ScopeTotals, add_exactly
from emissions.year_settings import YearSettings
from reports.selectors.base_year import BaseYearUnitLine, base_year_of
from reports.selectors.breakdowns import ActivityLine, breakdowns_of
from reports.selectors.gases import Co2eOnlyShare, gases_of
from reports.selectors.intensity import IntensityLine, intensity_lines
from reports.selectors.rows import read_detail, year_rows
from reports.selectors.targets import target_progress
from reports.selectors.totals import by_business_unit, entered_totals, unit_totals
from reports.selectors.trends import EffectLine, comparison_of, effects_of


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
    co2e_only: Co2eOnlyShare | None = None
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
        return add_exactly(line.recalculated_t for line in self.base_year_by_unit)

    # The settings the year's figures use (fixed with a closed year).
    settings: YearSettings | None = None


def _credits_t(organisation: Organisation, year: int) -> Decimal:
    """Return the carbon credits retired for the year (memo, never subtracted)."""
    return CarbonCredit.objects.filter(
        organisation=organisation, claimed_year__year=year
    ).aggregate(t=Coalesce(Sum("tonnes"), Value(ZERO), output_field=DECIMAL))["t"]


def inventory_for_year(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> YearInventory:
    """Return the full inventory of one year (tonnes CO2e, full precision).

    A parent unit's figures are those of its whole subtree; the base year is
    the recalculated one everywhere, with the recalculations allocated to the
    units they concern.
    """
    rows = year_rows(organisation=organisation, year=year, business_unit=business_unit)
    entered = entered_totals(rows)
    units = unit_totals(rows)
    base = base_year_of(rows, entered=entered, units=units)
    series = base.series
    empty = ScopeTotals(year, ZERO, ZERO, ZERO, ZERO, rows.headline_market)
    # The base year's own figures are as entered; its recalculation is apart.
    totals = series.get(year, empty) if year != rows.base else entered.get(year, empty)
    previous_rows = read_detail(rows, with_previous=year - 1 in series)
    detail = breakdowns_of(rows)
    unit_figures, unit_names = by_business_unit(rows, units)
    gases = gases_of(rows)
    comparison = comparison_of(
        rows, series=series, totals=totals, base_total_t=base.total_t
    )
    # Credits are claimed by the organisation, not per unit.
    credits = _credits_t(organisation, year) if business_unit is None else ZERO
    intensities = intensity_lines(
        organisation=organisation,
        year=year,
        unit_ids=rows.unit_ids,
        by_business_unit=unit_figures,
    )
    target = target_progress(rows, series=series, totals=totals)
    return YearInventory(
        year=year,
        base_year=rows.base,
        headline_scope2=rows.settings.scope2_headline,
        year_status=rows.year_status,
        scope1_t_co2e=totals.scope1_t,
        scope2_location_t_co2e=totals.scope2_location_t,
        scope2_market_t_co2e=totals.scope2_market_t,
        scope3_t_co2e=totals.scope3_t,
        total_t_co2e=totals.total_t,
        scope3_by_category=detail.scope3_by_category,
        iso_by_category=detail.iso_by_category,
        by_business_unit=unit_figures,
        business_unit_names=unit_names,
        by_gas=gases.by_gas,
        top_sources=detail.sources[:10],
        base_year_original_t_co2e=base.original_total_t,
        base_year_total_t_co2e=base.total_t,
        change_vs_base_year_t=comparison.change_vs_base_year_t,
        change_vs_base_year_pct=comparison.change_vs_base_year_pct,
        previous_year_total_t_co2e=comparison.previous_year_total_t,
        change_vs_previous_year_pct=comparison.change_vs_previous_year_pct,
        cumulative_reduction_t_co2e=comparison.cumulative_reduction_t,
        credits_retired_t_co2e=credits,
        net_after_credits_t_co2e=totals.total_t - credits,
        intensities={line.key: line.t_per_unit for line in intensities},
        metrics={line.key: line.value for line in intensities},
        data_quality_by_kg=detail.data_quality_by_kg,
        data_quality_by_count=detail.data_quality_by_count,
        entry_count=detail.entry_count,
        target=target.target,
        target_t_co2e=target.target_t,
        target_trajectory_t_co2e=target.trajectory_t,
        target_scope_t_co2e=target.scope_t,
        effects=effects_of(rows, previous_rows) if year - 1 in series else [],
        series={y: t for y, t in series.items() if y >= rows.base},
        sources=detail.sources,
        iso_by_category_market=detail.iso_by_category_market,
        gas_table=gases.table,
        co2e_only=gases.co2e_only,
        intensity_lines=intensities,
        base_year_by_unit=base.by_unit,
        base_year_original=base.original,
        base_year_adjustment=base.adjustment,
        settings=rows.settings,
    )
