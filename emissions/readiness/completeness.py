"""What a year may be missing: last year's sources, months, whole units."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.dates import MONTHS as MONTH_NAMES

from accounts.models import BusinessUnit, Organisation
from emissions.models import ActivityEntry, ActivityType

ZERO = Decimal(0)
KG_PER_T = Decimal(1000)
MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class MissingSource:
    """An activity a unit reported last year and not this year."""

    unit_code: str
    unit_name: str
    activity_code: str
    activity_name: str
    previous_t: Decimal


@dataclass(frozen=True)
class MissingMonths:
    """A source entered month by month, with the months that have no line."""

    unit_code: str
    unit_name: str
    activity_code: str
    activity_name: str
    months: tuple[int, ...]

    @property
    def month_names(self) -> list[str]:
        return [str(MONTH_NAMES[month]) for month in self.months]


@dataclass
class Completeness:
    missing_sources: list[MissingSource] = field(default_factory=list)
    missing_months: list[MissingMonths] = field(default_factory=list)
    units_without_data: list[BusinessUnit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.missing_sources)
            + len(self.missing_months)
            + len(self.units_without_data)
        )


def is_calendar_month(start: datetime.date | None, end: datetime.date | None) -> bool:
    """Return whether a period is exactly one calendar month."""
    if start is None or end is None or start.day != 1:
        return False
    last_day = calendar.monthrange(start.year, start.month)[1]
    return end == start.replace(day=last_day)


def months_covered(
    year: int, start: datetime.date | None, end: datetime.date | None
) -> set[int]:
    """Return the months of the year a line's period touches (no period: all)."""
    if start is None or end is None:
        return set(MONTHS)
    first = start.month if start.year == year else 1
    last = end.month if end.year == year else 12
    if start.year > year or end.year < year:
        return set()
    return set(range(first, last + 1))


def _missing_sources(
    *, organisation: Organisation, year: int, units: dict[int, BusinessUnit]
) -> list[MissingSource]:
    rows = (
        ActivityEntry.objects.filter(
            organisation=organisation, reporting_year__year__in=(year - 1, year)
        )
        .values("reporting_year__year", "business_unit_id", "activity_type_id")
        .annotate(kg=Sum("kg_co2e"))
        .order_by()
    )
    last_year: dict[tuple[int, int], Decimal] = {}
    this_year: set[tuple[int, int]] = set()
    for row in rows:
        pair = (row["business_unit_id"], row["activity_type_id"])
        if row["reporting_year__year"] == year:
            this_year.add(pair)
        else:
            last_year[pair] = row["kg"] or ZERO
    gone = [
        pair
        for pair in last_year
        if pair not in this_year and units[pair[0]].active_in(year)
    ]
    types = ActivityType.objects.in_bulk({type_id for _unit, type_id in gone})
    found = [
        MissingSource(
            unit_code=units[unit_id].code,
            unit_name=units[unit_id].name,
            activity_code=types[type_id].code,
            activity_name=types[type_id].display_name,
            previous_t=last_year[(unit_id, type_id)] / KG_PER_T,
        )
        for unit_id, type_id in gone
    ]
    return sorted(found, key=lambda m: (m.unit_code, m.activity_code))


def _missing_months(
    *, organisation: Organisation, year: int, units: dict[int, BusinessUnit]
) -> list[MissingMonths]:
    periods: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for unit_id, type_id, start, end in ActivityEntry.objects.filter(
        organisation=organisation, reporting_year__year=year
    ).values_list("business_unit_id", "activity_type_id", "period_start", "period_end"):
        periods[(unit_id, type_id)].append((start, end))
    monthly = {
        pair: lines
        for pair, lines in periods.items()
        if any(is_calendar_month(start, end) for start, end in lines)
    }
    gaps: dict[tuple[int, int], tuple[int, ...]] = {}
    for pair, lines in monthly.items():
        covered: set[int] = set()
        for start, end in lines:
            covered |= months_covered(year, start, end)
        missing = tuple(m for m in MONTHS if m not in covered)
        if missing:
            gaps[pair] = missing
    types = ActivityType.objects.in_bulk({type_id for _unit, type_id in gaps})
    found = [
        MissingMonths(
            unit_code=units[unit_id].code,
            unit_name=units[unit_id].name,
            activity_code=types[type_id].code,
            activity_name=types[type_id].display_name,
            months=months,
        )
        for (unit_id, type_id), months in gaps.items()
    ]
    return sorted(found, key=lambda m: (m.unit_code, m.activity_code))


def _units_without_data(
    *, organisation: Organisation, year: int, units: dict[int, BusinessUnit]
) -> list[BusinessUnit]:
    """Return the units of the year without a line in their whole subtree."""
    with_lines = set(
        ActivityEntry.objects.filter(
            organisation=organisation, reporting_year__year=year
        )
        .values_list("business_unit_id", flat=True)
        .distinct()
        .order_by()
    )
    children: dict[int | None, list[int]] = defaultdict(list)
    for unit in units.values():
        children[unit.parent_id].append(unit.pk)

    def has_lines(unit_id: int) -> bool:
        todo, seen = [unit_id], set()
        while todo:
            pk = todo.pop()
            if pk in seen:
                continue
            seen.add(pk)
            if pk in with_lines:
                return True
            todo.extend(children[pk])
        return False

    return [
        unit
        for unit in sorted(units.values(), key=lambda u: u.code)
        if unit.active_in(year) and not has_lines(unit.pk)
    ]


def year_completeness(*, organisation: Organisation, year: int) -> Completeness:
    """Return the sources, months and units that have no lines in the year."""
    units = {unit.pk: unit for unit in organisation.business_units.all()}
    return Completeness(
        missing_sources=_missing_sources(
            organisation=organisation, year=year, units=units
        ),
        missing_months=_missing_months(
            organisation=organisation, year=year, units=units
        ),
        units_without_data=_units_without_data(
            organisation=organisation, year=year, units=units
        ),
    )
