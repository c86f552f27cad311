"""Reads for the report's summary, bridges and methodology, per organisation.

The bridge (waterfall) from one year to another adds up exactly: every step is
computed from the same grouped rows, and per source the factor effect is what
the activity effect leaves of the change, so no rounding residue is left over.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation
from emissions.calculations import factor_effect_split
from emissions.models.factors import UNCHECKED
from emissions.selectors_factors import global_set_names
from reports.models import ReportNarrative, Scope3Exclusion
from reports.selectors import (
    _activity_types,
    _add,
    _in_language,
    _market_kg_by_year,
    _sum,
    _t,
    _unit_scope_rows,
    _year_of,
    entries_for,
    inventory_for_year,
    scope_totals_by_year,
)

ZERO = Decimal(0)
# Sources named in a bridge; the others are added up as one.
BRIDGE_SOURCES = 5
# Factors whose provenance is not confirmed. When factors carry a flag for it,
# this is the one line to change (e.g. Q(factor__unverified=True) | ...).
# Factors named in the methodology: marked unverified (or withdrawn) in the
# library, or approximate by their source note.
UNCONFIRMED_FACTORS = Q(factor__verification__in=UNCHECKED) | Q(
    factor__source_note__icontains="approximate"
)


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
        return _add(step.value_t for step in self.changes)


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
        .annotate(kg=_sum(organisation, "kg_co2e"), q=Sum("converted_quantity"))
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
        for pk, year in _year_of(organisation=organisation).items()
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
    kg_start = _add(row["kg"] for row in rows if row["year"] == start_year)
    kg_end = _add(row["kg"] for row in rows if row["year"] == end_year)
    start_t = _t(kg_start) + instruments(start_year)
    end_t = _t(kg_end) + instruments(end_year)

    types = _activity_types(rows)
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
        q0, kg0 = (_add(v) for v in years[start_year])
        q1, kg1 = (_add(v) for v in years[end_year])
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
                    _t(activity),
                )
            )
        if factor:
            steps.append(
                BridgeStep(
                    _("%(source)s: factors") % {"source": name}, "factor", _t(factor)
                )
            )
    if rest:
        steps.append(
            BridgeStep(
                _("Other sources: activity"),
                "activity",
                _t(_add(e[2] for e in rest)),
            )
        )
        steps.append(
            BridgeStep(
                _("Other sources: factors"), "factor", _t(_add(e[3] for e in rest))
            )
        )
    new_units_t = _t(_add(new_units_kg)) - adjustment_t
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


# --- The organisation's own texts -------------------------------------------


@dataclass(frozen=True)
class Narrative:
    """Key messages, highlights and actions, split into paragraphs or lines."""

    language: str
    key_messages: list[str]
    highlights: list[str]
    actions: list[str]


def _paragraphs(text: str) -> list[str]:
    return [
        part.strip()
        for part in text.replace("\r\n", "\n").split("\n\n")
        if part.strip()
    ]


def _lines(text: str) -> list[str]:
    return [
        line.strip().lstrip("-•*").strip()
        for line in text.replace("\r\n", "\n").split("\n")
        if line.strip().lstrip("-•*").strip()
    ]


def report_narrative_for(
    *, organisation: Organisation, year: int, language: str
) -> Narrative | None:
    """Return the year's texts in the report's language (None where it has none).

    A report never borrows another language's texts: without texts in its
    language it leaves those blocks out, and the report-texts page says so.
    """
    narrative = ReportNarrative.objects.filter(
        organisation=organisation, year=year, language=language
    ).first()
    if narrative is None or narrative.is_empty:
        return None
    return Narrative(
        language=language,
        key_messages=_paragraphs(narrative.key_messages),
        highlights=_lines(narrative.highlights),
        actions=_lines(narrative.actions),
    )


def scope3_exclusions_for(
    *, organisation: Organisation, year: int
) -> list[Scope3Exclusion]:
    """Return the scope 3 categories left out of a year, in category order."""
    return list(
        Scope3Exclusion.objects.filter(organisation=organisation, year=year).order_by(
            "category"
        )
    )


# --- Methodology ------------------------------------------------------------


@dataclass(frozen=True)
class UnconfirmedFactor:
    """A factor used in the year whose value its publisher has not confirmed."""

    factor_set: str
    note: str
    activities: list[str]
    entries: int


def unconfirmed_factors_for(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> list[UnconfirmedFactor]:
    """Return the approximate or unverified factors the year's lines use, named."""
    rows = (
        entries_for(organisation=organisation, business_unit=business_unit)
        .filter(reporting_year__year=year)
        .filter(UNCONFIRMED_FACTORS)
        .values(
            "factor_id",
            "factor__source_note",
            "factor_set__kind",
            "factor_set__organisation_id",
            "factor_set__name",
            "factor_set__edition_year",
            "activity_type__name",
            "activity_type__name_nb",
            "activity_type__name_sv",
        )
        .annotate(n=Count("pk"))
        .order_by("factor_set__edition_year", "factor__source_note", "factor_id")
    )
    grouped: dict[int, dict] = {}
    for row in rows:
        names = None
        if row["factor_set__organisation_id"] is None:
            names = global_set_names(
                row["factor_set__kind"], row["factor_set__edition_year"]
            )
        item = grouped.setdefault(
            row["factor_id"],
            {
                "factor_set": names[1] if names else row["factor_set__name"],
                "note": row["factor__source_note"] or "",
                "activities": [],
                "entries": 0,
            },
        )
        activity = _in_language(
            row["activity_type__name"],
            row["activity_type__name_nb"],
            row["activity_type__name_sv"],
        )
        if activity not in item["activities"]:
            item["activities"].append(activity)
        item["entries"] += row["n"]
    return [UnconfirmedFactor(**item) for item in grouped.values()]


@dataclass(frozen=True)
class FactorPublication:
    """A factor set the year's lines use, named in the reader's language."""

    publisher: str
    name: str
    edition_year: int
    version: str
    source_url: str
    entries: int


def factor_publications_for(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> list[FactorPublication]:
    """Return the factor sets (publication and edition) the year's lines use."""
    rows = (
        entries_for(organisation=organisation, business_unit=business_unit)
        .filter(reporting_year__year=year, factor_set__isnull=False)
        .values(
            "factor_set__kind",
            "factor_set__organisation_id",
            "factor_set__publisher",
            "factor_set__name",
            "factor_set__edition_year",
            "factor_set__version",
            "factor_set__source_url",
        )
        .annotate(n=Count("pk"))
        .order_by("factor_set__publisher", "factor_set__edition_year")
    )
    publications = []
    for row in rows:
        names = None
        if row["factor_set__organisation_id"] is None:
            names = global_set_names(
                row["factor_set__kind"], row["factor_set__edition_year"]
            )
        publisher, name = names or (
            row["factor_set__publisher"],
            row["factor_set__name"],
        )
        publications.append(
            FactorPublication(
                publisher=publisher,
                name=name,
                edition_year=row["factor_set__edition_year"],
                version=row["factor_set__version"] or "",
                source_url=row["factor_set__source_url"] or "",
                entries=row["n"],
            )
        )
    return publications


@dataclass(frozen=True)
class FigureTotals:
    """What the entries behind a figure add up to (t CO2e)."""

    lines_t: Decimal  # scope 2 location-based, as the lines carry it
    headline_t: Decimal | None  # scope 2 by the headline method, where it differs


def figure_totals(
    *,
    organisation: Organisation,
    year: int,
    units: list[int] | None,
    scope: int | None,
    scope3_category: int | None = None,
    activity: str | None = None,
    business_unit: BusinessUnit | None = None,
) -> FigureTotals:
    """Add up the entries behind a figure as the dashboard adds them.

    A category or an activity adds up its own lines; a year, a unit or a scope
    also says its total with scope 2 by the headline method, where it differs.
    """
    if scope3_category is not None or activity:
        lines = entries_for(organisation=organisation).filter(reporting_year__year=year)
        if units is not None:
            lines = lines.filter(business_unit_id__in=units)
        if scope is not None:
            lines = lines.filter(scope=scope)
        if scope3_category is not None:
            lines = lines.filter(scope=3, scope3_category=scope3_category)
        if activity:
            lines = lines.filter(activity_type__code=activity)
        kg = lines.aggregate(kg=_sum(organisation, "kg_co2e"))["kg"]
        headline = None
        if (
            activity
            # A set of units that is not one unit's subtree (a limited
            # member's) has no inventory of its own to share instruments by.
            and (units is None or business_unit is not None)
            and organisation.scope2_headline == "market"
            and lines.filter(scope=2).exists()
        ):
            # An activity's market-based figure is the inventory's share of its
            # units' instruments (by grid kWh), as the dashboard shows it.
            inventory = inventory_for_year(
                organisation=organisation, year=year, business_unit=business_unit
            )
            headline = _add(
                line.t_co2e for line in inventory.sources if line.code == activity
            )
        return FigureTotals(lines_t=_t(kg), headline_t=headline)
    rows = [
        row
        for row in _unit_scope_rows(
            organisation=organisation,
            unit_ids=None,
            year_of=_year_of(organisation=organisation),
        )
        if row["year"] == year
        and (units is None or row["business_unit_id"] in units)
        and (scope is None or row["scope"] == scope)
    ]
    lines_t = _t(_add(row["kg"] for row in rows))
    headline = None
    if organisation.scope2_headline == "market" and any(
        row["scope"] == 2 for row in rows
    ):
        market = _market_kg_by_year(
            organisation=organisation, unit_ids=None, rows=rows
        ).get(year, {})
        headline = _t(
            _add(row["kg"] for row in rows if row["scope"] != 2)
            + sum(market.values(), ZERO)
        )
    return FigureTotals(lines_t=lines_t, headline_t=headline)
