"""The bridge (waterfall) from one year's total to another's.

It adds up exactly: every step is computed from the same grouped rows, and
per source the factor effect is what the activity effect leaves of the
change, so no rounding residue is left over.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation
from emissions.calculations import factor_effect_split
from emissions.totals import (
    ZERO,
    add_exactly,
    entries_for,
    reporting_years,
    scope_totals_by_year,
    tonnes,
    weighted_sum,
)
from reports.selectors.names import activity_types

# Sources named in a bridge; the others are added up as one.
BRIDGE_SOURCES = 5


@dataclass(frozen=True)
class BridgeStep:
    """One bar of a bridge: a change (t CO2e), or a level where `level` is set."""

    label: str
    kind: str  # structural, activity, factor, units, instruments, subtotal
    value_t: Decimal
    level: bool = False


@dataclass
class Bridge:
    """From one year's total to another's, step by step."""

    start_year: int
    end_year: int
    start_label: str
    start_t: Decimal
    end_label: str
    end_t: Decimal
    steps: list[BridgeStep] = field(default_factory=list)

    @property
    def changes(self) -> list[BridgeStep]:
        return [step for step in self.steps if not step.level]

    @property
    def total_change_t(self) -> Decimal:
        return add_exactly(step.value_t for step in self.changes)


def _bridge_rows(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit | None,
    year_of: dict[int, int],
) -> list[dict]:
    """Return kg CO2e and converted quantity per year, business unit and type."""
    rows = list(
        entries_for(organisation=organisation, business_unit=business_unit)
        .filter(reporting_year_id__in=list(year_of))
        .values("reporting_year_id", "business_unit_id", "activity_type_id")
        .annotate(kg=weighted_sum(organisation, "kg_co2e"), q=Sum("converted_quantity"))
        .order_by()
    )
    for row in rows:
        row["year"] = year_of[row["reporting_year_id"]]
    return rows


def bridge_between(
    *,
    organisation: Organisation,
    start_year: int,
    end_year: int,
    business_unit: BusinessUnit | None = None,
    adjustment_t: Decimal = ZERO,
) -> Bridge | None:
    """Return the bridge from `start_year` to `end_year` (None without both years).

    `adjustment_t` is the start year's recalculation (structural changes,
    corrections), shown as its own step. Per source the change of the units
    that had lines in the start year is split into an activity effect and a
    factor effect; units without lines then (acquired since) are one step,
    net of the recalculation that already put them into the start year.
    Market-based scope 2 differs from the lines' location-based figures by
    the contractual instruments; where the headline uses it, that is a step.
    """
    year_of = {
        pk: year
        for pk, year in reporting_years(organisation=organisation).items()
        if year in (start_year, end_year)
    }
    rows = _bridge_rows(
        organisation=organisation, business_unit=business_unit, year_of=year_of
    )
    series = scope_totals_by_year(
        organisation=organisation, business_unit=business_unit
    )
    if start_year not in series or end_year not in series:
        return None

    def instruments(year: int) -> Decimal:
        totals = series[year]
        return totals.scope2_t - totals.scope2_location_t

    start_units = {row["business_unit_id"] for row in rows if row["year"] == start_year}
    kg_start = add_exactly(row["kg"] for row in rows if row["year"] == start_year)
    kg_end = add_exactly(row["kg"] for row in rows if row["year"] == end_year)
    start_t = tonnes(kg_start) + instruments(start_year)
    end_t = tonnes(kg_end) + instruments(end_year)

    types = activity_types(rows)
    by_type: dict[str, dict[int, list[list[Decimal]]]] = defaultdict(
        lambda: {start_year: [[], []], end_year: [[], []]}
    )
    names: dict[str, str] = {}
    new_units_kg: list[Decimal] = []
    for row in rows:
        if row["business_unit_id"] not in start_units:
            new_units_kg.append(row["kg"])
            continue
        code, name = types[row["activity_type_id"]]
        names[code] = name
        quantities, kgs = by_type[code][row["year"]]
        quantities.append(row["q"] or ZERO)
        kgs.append(row["kg"])

    effects = []
    for code, years in sorted(by_type.items()):
        q0, kg0 = (add_exactly(v) for v in years[start_year])
        q1, kg1 = (add_exactly(v) for v in years[end_year])
        f0 = kg0 / q0 if q0 else (kg1 / q1 if q1 else ZERO)
        f1 = kg1 / q1 if q1 else f0
        activity = factor_effect_split(q0, f0, q1, f1).activity_effect
        change = kg1 - kg0
        # The factor effect is the rest of the change, so the two add up exactly.
        effects.append((code, names[code], activity, change - activity, change))
    effects.sort(key=lambda e: (-abs(e[4]), e[0]))

    steps: list[BridgeStep] = []
    if adjustment_t:
        steps.append(
            BridgeStep(
                _("Structural changes (base-year recalculations)"),
                "structural",
                adjustment_t,
            )
        )
        steps.append(
            BridgeStep(
                _("Base year %(year)s recalculated") % {"year": start_year},
                "subtotal",
                start_t + adjustment_t,
                level=True,
            )
        )
    named, rest = effects[:BRIDGE_SOURCES], effects[BRIDGE_SOURCES:]
    for _code, name, activity, factor, _change in named:
        # A step of nothing is left out; it would not move the total.
        if activity:
            steps.append(
                BridgeStep(
                    _("%(source)s: activity") % {"source": name},
                    "activity",
                    tonnes(activity),
                )
            )
        if factor:
            steps.append(
                BridgeStep(
                    _("%(source)s: factors") % {"source": name},
                    "factor",
                    tonnes(factor),
                )
            )
    if rest:
        steps.append(
            BridgeStep(
                _("Other sources: activity"),
                "activity",
                tonnes(add_exactly(e[2] for e in rest)),
            )
        )
        steps.append(
            BridgeStep(
                _("Other sources: factors"),
                "factor",
                tonnes(add_exactly(e[3] for e in rest)),
            )
        )
    new_units_t = tonnes(add_exactly(new_units_kg)) - adjustment_t
    if new_units_kg or adjustment_t:
        label = (
            _("Units added since %(year)s, less their recalculated base")
            if adjustment_t
            else _("Units without lines in %(year)s")
        )
        steps.append(BridgeStep(label % {"year": start_year}, "units", new_units_t))
    instruments_change = instruments(end_year) - instruments(start_year)
    if instruments_change:
        steps.append(
            BridgeStep(
                _("Contractual instruments (scope 2 market-based)"),
                "instruments",
                instruments_change,
            )
        )
    return Bridge(
        start_year=start_year,
        end_year=end_year,
        start_label=(
            _("%(year)s as first reported") % {"year": start_year}
            if adjustment_t
            else str(start_year)
        ),
        start_t=start_t,
        end_label=str(end_year),
        end_t=end_t,
        steps=steps,
    )
