"""How a year compares: with the base year, the previous year, and over time.

The change against the base year is against the recalculated one; the
cumulative reduction is the sum, over the organisation's years after the base
year up to the year shown, of the base year minus that year. Per activity
type the change from one year to the next is split into an activity effect
and a factor effect (the symmetric, Shapley decomposition), which add up
exactly to the change.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import BusinessUnit, Organisation
from accounts.selectors import unit_subtree_ids
from emissions.calculations import factor_effect_split
from emissions.models import ActivityEntry
from emissions.totals import (
    ZERO,
    ScopeTotals,
    add_exactly,
    percent_of,
    reporting_years,
    scope_totals_by_year,
    tonnes,
)
from reports.selectors.base_year import adjusted_base, base_year_adjustments
from reports.selectors.names import activity_types
from reports.selectors.rows import YearRows, activity_type_rows


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
        series[base] = adjusted_base(
            series.get(base)
            or ScopeTotals(
                base, ZERO, ZERO, ZERO, ZERO, organisation.scope2_headline == "market"
            ),
            adjustments,
        )
    return {y: t for y, t in sorted(series.items()) if y >= base}


@dataclass(frozen=True)
class Comparison:
    change_vs_base_year_t: Decimal | None
    change_vs_base_year_pct: Decimal | None
    previous_year_total_t: Decimal | None
    change_vs_previous_year_pct: Decimal | None
    cumulative_reduction_t: Decimal


def comparison_of(
    rows: YearRows,
    *,
    series: dict[int, ScopeTotals],
    totals: ScopeTotals,
    base_total_t: Decimal | None,
) -> Comparison:
    """Compare the year with the (recalculated) base year and the previous year."""
    year, base = rows.year, rows.base
    change_t = change_pct = None
    if base_total_t is not None and year in series:
        change_t = totals.total_t - base_total_t
        change_pct = percent_of(change_t, base_total_t)
    previous = series.get(year - 1)
    previous_total = previous.total_t if previous else None
    change_previous = (
        percent_of(totals.total_t - previous_total, previous_total)
        if previous_total is not None and year in series
        else None
    )
    # Σ over the organisation's years after the base year of (base - year); a
    # year the unit has no lines in counts at zero, so units add up.
    cumulative = ZERO
    if base_total_t is not None:
        years = (
            set(series)
            if rows.unit_ids is None
            else set(
                ActivityEntry.objects.filter(organisation=rows.organisation)
                .values_list("reporting_year__year", flat=True)
                .distinct()
                .order_by()
            )
        )
        empty = ScopeTotals(year, ZERO, ZERO, ZERO, ZERO, rows.headline_market)
        for y in sorted(years):
            if base < y <= year:
                cumulative += base_total_t - series.get(y, empty).total_t
    return Comparison(
        change_vs_base_year_t=change_t,
        change_vs_base_year_pct=change_pct,
        previous_year_total_t=previous_total,
        change_vs_previous_year_pct=change_previous,
        cumulative_reduction_t=cumulative,
    )


@dataclass(frozen=True)
class EffectLine:
    """The change of one activity type between two years, split in two effects."""

    code: str
    name: str
    previous_t: Decimal
    current_t: Decimal
    activity_effect_t: Decimal
    factor_effect_t: Decimal


def effect_lines(rows: list[dict], *, previous: int, current: int) -> list[EffectLine]:
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
                previous_t=tonnes(kg0),
                current_t=tonnes(kg1),
                activity_effect_t=tonnes(split.activity_effect),
                factor_effect_t=tonnes(split.factor_effect),
            )
        )
    return lines


def effect_rows(
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
        {
            "year": year,
            "code": code,
            "name": name,
            "q": add_exactly(q),
            "kg": add_exactly(kg),
        }
        for (year, code, name), (q, kg) in grouped.items()
    ]


def effects_of(rows: YearRows, previous_rows: list[dict]) -> list[EffectLine]:
    """Split the change from the previous year per activity type."""
    return effect_lines(
        effect_rows(
            [*previous_rows, *rows.detail], year_of=rows.year_of, types=rows.types
        ),
        previous=rows.year - 1,
        current=rows.year,
    )


def effects_between(
    *,
    organisation: Organisation,
    previous: int,
    current: int,
    business_unit: BusinessUnit | None = None,
) -> list[EffectLine]:
    """Split each activity type's change between two years into two effects."""
    years = {
        pk: year
        for pk, year in reporting_years(organisation=organisation).items()
        if year in (previous, current)
    }
    by_type = activity_type_rows(
        organisation=organisation,
        unit_ids=unit_subtree_ids(
            organisation=organisation, business_unit=business_unit
        ),
        year_ids=list(years),
    )
    rows = effect_rows(by_type, year_of=years, types=activity_types(by_type))
    return effect_lines(rows, previous=previous, current=current)
