"""The base year: as entered, its approved recalculations, and per unit.

A recalculation belongs to the business unit it concerns; one without a unit
counts in the organisation's base year and in no unit's. The recalculated base
year is the one used everywhere; the original and the adjustment are kept
apart to be shown.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import BusinessUnit, Organisation
from accounts.selectors import unit_subtree_ids
from emissions.models import BaseYearRecalculation
from emissions.totals import DECIMAL, ZERO, ScopeTotals, add_exactly
from reports.selectors.rows import YearRows
from reports.selectors.totals import UnitTotals


@dataclass(frozen=True)
class Recalculated:
    scope1_t: Decimal
    scope2_location_t: Decimal
    scope2_market_t: Decimal
    scope3_t: Decimal


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


def base_year_adjustments(
    *, organisation: Organisation, business_unit: BusinessUnit | None = None
) -> Recalculated:
    """Return the sum of approved base-year recalculations per scope (t).

    Of one unit: those allocated to the unit or a unit below it.
    """
    unit_ids = unit_subtree_ids(organisation=organisation, business_unit=business_unit)
    qs = BaseYearRecalculation.objects.filter(
        organisation=organisation, approved_at__isnull=False
    )
    if unit_ids is not None:
        qs = qs.filter(business_unit_id__in=unit_ids)
    agg = qs.aggregate(
        s1=Coalesce(Sum("scope1_t"), Value(ZERO), output_field=DECIMAL),
        s2l=Coalesce(Sum("scope2_location_t"), Value(ZERO), output_field=DECIMAL),
        s2m=Coalesce(Sum("scope2_market_t"), Value(ZERO), output_field=DECIMAL),
        s3=Coalesce(Sum("scope3_t"), Value(ZERO), output_field=DECIMAL),
    )
    return Recalculated(agg["s1"], agg["s2l"], agg["s2m"], agg["s3"])


def adjusted_base(totals: ScopeTotals, adj: Recalculated) -> ScopeTotals:
    """Return a base year's totals with its recalculations added."""
    return ScopeTotals(
        year=totals.year,
        scope1_t=totals.scope1_t + adj.scope1_t,
        scope2_location_t=totals.scope2_location_t + adj.scope2_location_t,
        scope2_market_t=totals.scope2_market_t + adj.scope2_market_t,
        scope3_t=totals.scope3_t + adj.scope3_t,
        headline_market=totals.headline_market,
    )


@dataclass(frozen=True)
class BaseYear:
    """The base year of an inventory, recalculated and apart."""

    # Every year's totals, the base year recalculated.
    series: dict[int, ScopeTotals]
    # Without recalculations these are None: the base year is as entered.
    original: ScopeTotals | None
    adjustment: ScopeTotals | None
    original_total_t: Decimal | None
    total_t: Decimal | None
    by_unit: list[BaseYearUnitLine]


def base_year_of(
    rows: YearRows, *, entered: dict[int, ScopeTotals], units: UnitTotals
) -> BaseYear:
    """Return the base year: as entered plus the approved recalculations."""
    base, headline_market = rows.base, rows.headline_market
    recalculations = rows.recalculations
    empty = ScopeTotals(base, ZERO, ZERO, ZERO, ZERO, headline_market)
    adjustments = Recalculated(
        *(
            add_exactly(values)
            for values in zip(
                *([ZERO] * 4, *(r[1:] for r in recalculations)), strict=True
            )
        )
    )
    original = entered.get(base)
    series = dict(entered)
    if recalculations:
        series[base] = adjusted_base(original or empty, adjustments)
    series = dict(sorted(series.items()))
    recalculated = series.get(base)

    # Each unit's base year, and the recalculations not allocated to a unit.
    adjustment_t: dict[int | None, list[Decimal]] = {}
    for unit_id, s1, s2l, s2m, s3 in recalculations:
        adjustment_t.setdefault(unit_id, []).append(
            s1 + (s2m if headline_market else s2l) + s3
        )
    by_unit = [
        BaseYearUnitLine(
            code=unit.code,
            name=unit.name,
            original_t=units.of(base).get(unit_id, ZERO),
            adjustment_t=add_exactly(adjustment_t.get(unit_id, [])),
        )
        for unit_id, unit in rows.units.items()
        if unit_id in units.of(base) or unit_id in adjustment_t
    ]
    if None in adjustment_t:
        by_unit.append(
            BaseYearUnitLine(
                code="",
                name="",
                original_t=ZERO,
                adjustment_t=add_exactly(adjustment_t[None]),
            )
        )
    return BaseYear(
        series=series,
        original=(original or empty) if recalculations else None,
        adjustment=(
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
        original_total_t=(
            (original.total_t if original else ZERO) if recalculated else None
        ),
        total_t=recalculated.total_t if recalculated else None,
        by_unit=by_unit,
    )
