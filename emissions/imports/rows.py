"""Check and calculate the rows of an activity file, one kind of row at a time.

A row's business unit, year, activity and unit cells make its kind: every row
of a kind shares the look-ups, the checks of those cells and the calculation
plan (`Kind`, resolved once per file by `Context`). Each row then parses only
its own cells (quantity, period, data quality, comment, source reference).
The preview, the background check, the pages and the commit all check rows
through `evaluate` (from the file) or `stored.prepared_rows` (from what a
preview parsed).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation, User
from accounts.tenancy import membership_for_write
from emissions import rules
from emissions.imports.reading import RawFile
from emissions.imports.values import parse_date, parse_text, parse_year
from emissions.models import ActivityType, DataQuality, ReportingYear
from emissions.numbers import parse_number, parse_quantity, quantity_limit
from emissions.resolution import Plan, ResolutionCache, entry_plan
from emissions.rules import Problem

if TYPE_CHECKING:
    from emissions.imports.stored import Prepared

ZERO = Decimal(0)
PROGRESS_EVERY = 5000
MAX_KEPT_ERRORS = 1000


@dataclass
class RowResult:
    number: int
    values: dict[str, object]
    errors: list[tuple[str, str]] = field(default_factory=list)
    quantity: Decimal | None = None
    kg_co2e: Decimal | None = None
    scope: int | None = None
    # ActivityEntry field values (by attribute name) while a valid row is
    # being written; not kept afterwards.
    fields: dict | None = None


@dataclass
class ImportPage:
    """One page of a previewed file: rows with errors first, then the others."""

    rows: list[RowResult]
    row_count: int
    error_count: int
    totals: dict[int, Decimal]


class Tally:
    """Count rows and errors and add up the valid rows' kg CO2e per scope."""

    def __init__(self) -> None:
        self.row_count = 0
        self.error_rows: list[RowResult] = []
        self.totals: dict[int, Decimal] = {}

    def add(self, row: RowResult) -> None:
        self.row_count += 1
        if row.errors:
            self.error_rows.append(row)
        else:
            self.totals[row.scope] = self.totals.get(row.scope, ZERO) + row.kg_co2e


@dataclass
class Kind:
    """What a row's business unit, year, activity type and unit resolve to.

    Every row of a file with the same four cells resolves the same way, so
    that part of the checking is done once per kind of row; `head` holds its
    errors of the columns before the quantity, `tail` those of the unit.
    """

    code: str
    year: int | None
    activity_code: str
    unit_code: str
    business_unit: BusinessUnit | None
    reporting_year: ReportingYear | None
    activity: ActivityType | None
    head: tuple[tuple[str, str], ...]
    tail: tuple[tuple[str, str], ...]
    plan: Plan | ValidationError | None = None
    # Its position in the prepared rows of a preview (see Prepared).
    index: int | None = None
    # The entry fields its rows share.
    fields: dict | None = None


class Context:
    """Look-ups cached for a whole file, so rows cost no queries of their own."""

    def __init__(self, organisation: Organisation, actor: User):
        self.organisation = organisation
        self.actor = actor
        self.membership = membership_for_write(organisation=organisation, actor=actor)
        self.units = {u.code.upper(): u for u in organisation.business_units.all()}
        types = ActivityType.objects.filter(is_active=True).filter(
            organisation__isnull=True
        )
        self.types = {t.code: t for t in types}
        self.types.update(
            {t.code: t for t in organisation.activity_types.filter(is_active=True)}
        )
        self.years: dict[int, tuple[ReportingYear | None, Problem | None]] = {}
        self.kinds: dict[tuple, Kind] = {}
        self.parsed_kinds: dict[tuple, Kind] = {}
        self.qualities: dict[tuple, tuple[str, Problem | None]] = {}
        self.cache = ResolutionCache()
        self.parse_quantity = partial(parse_quantity, limit=quantity_limit())
        self.now = timezone.now()

    def year(self, year: int) -> tuple[ReportingYear | None, Problem | None]:
        """Return the open reporting year, or the year's problem (once a year)."""
        if year not in self.years:
            self.years[year] = rules.year_open(
                organisation=self.organisation, year=year
            )
        return self.years[year]

    def kind(self, values: dict) -> Kind:
        """Return the resolution of a row's business unit, year, activity, unit."""
        cells = (
            values.get("business_unit"),
            values.get("year"),
            values.get("activity"),
            values.get("unit"),
        )
        # The types are part of the key: True and 1 are equal, but not as cells.
        key = (*cells, *map(type, cells))
        found = self.kinds.get(key)
        if found is None:
            year_errors: list[tuple[str, str]] = []
            year = checked(year_errors, "year", parse_year, cells[1])
            found = self.kinds[key] = self.resolved(
                parse_text(cells[0]).upper(),
                year,
                year_errors[0][1] if year_errors else None,
                parse_text(cells[2]),
                parse_text(cells[3]),
            )
        return found

    def resolved(
        self,
        code: str,
        year: int | None,
        year_error: str | None,
        activity_code: str,
        unit_code: str,
    ) -> Kind:
        """Return the resolution of a kind of row from its parsed cells."""
        key = (code, year, year_error, activity_code, unit_code)
        found = self.parsed_kinds.get(key)
        if found is None:
            found = self.parsed_kinds[key] = self._resolve_kind(*key)
        return found

    def _resolve_kind(
        self,
        code: str,
        year: int | None,
        year_error: str | None,
        activity_code: str,
        unit_code: str,
    ) -> Kind:
        head: list[tuple[str, str]] = []
        tail: list[tuple[str, str]] = []

        def add(errors: list, problem: Problem | None) -> None:
            if problem is not None:
                errors.append((problem.field, problem.message))

        # In the order of the template's columns; the quantity comes between
        # the head and the tail.
        unit = self.units.get(code)
        if unit is None:
            add(head, rules.business_unit_known(code, unit))
        else:
            add(head, rules.unit_writable(self.membership, unit))
        if year_error is not None:
            head.append(("year", year_error))
        reporting_year = None
        if year:
            reporting_year, problem = self.year(year)
            add(head, problem)
            if unit is not None:
                add(head, rules.business_unit_active(unit, year))
        activity = self.types.get(activity_code)
        add(head, rules.activity_known(activity_code, activity))
        add(tail, rules.unit_of_measure(activity, unit_code))
        return Kind(
            code=code,
            year=year,
            activity_code=activity_code,
            unit_code=unit_code,
            business_unit=unit,
            reporting_year=reporting_year,
            activity=activity,
            head=tuple(head),
            tail=tuple(tail),
        )

    def plan(self, kind: Kind) -> Plan:
        """Return the calculation plan of a kind of row without errors, or raise."""
        if kind.plan is None:
            try:
                kind.plan = entry_plan(
                    organisation=self.organisation,
                    business_unit=kind.business_unit,
                    year=kind.year,
                    activity_type=kind.activity,
                    unit=kind.unit_code,
                    cache=self.cache,
                )
            except ValidationError as exc:
                kind.plan = exc
        if isinstance(kind.plan, ValidationError):
            raise kind.plan.with_traceback(None)
        return kind.plan

    def quality(self, cell) -> tuple[str, Problem | None]:
        """Return a data-quality cell's value and its problem, if any."""
        key = (cell, type(cell))
        found = self.qualities.get(key)
        if found is None:
            quality = parse_text(cell).lower() or DataQuality.MEASURED
            found = self.qualities[key] = (quality, rules.data_quality_known(quality))
        return found


def evaluate(
    context: Context,
    raw_file: RawFile,
    prepared: Prepared | None = None,
) -> Iterator[RowResult]:
    """Yield each row checked and calculated; valid rows carry their fields.

    With `prepared`, the parsed values of each valid row are added to it.
    """
    seen: dict[tuple, int] = {}
    kind_of = context.kind
    quality_of = context.quality
    parse_quantity = context.parse_quantity
    decimal_sign = raw_file.decimal_sign

    def quantity_of(cell):
        return parse_quantity(parse_number(cell, decimal_sign))

    for raw in raw_file.rows:
        values = raw.values
        row = RowResult(number=raw.number, values=values)
        errors = row.errors
        if raw.uncalculated:
            errors.append(
                (
                    "",
                    _(
                        "%(cells)s: a formula whose result is not saved in the "
                        "file (nothing is calculated on import). Open the file in "
                        "a spreadsheet program and save it, or paste the values."
                    )
                    % {"cells": ", ".join(raw.uncalculated)},
                )
            )
        kind = kind_of(values)
        quantity = check_kind_and_quantity(
            row, kind, quantity_of, values.get("quantity")
        )
        year = kind.year
        start = end = None
        cell = values.get("period_start")
        if cell is not None and cell != "":
            start = checked(errors, "period_start", parse_date, cell)
        cell = values.get("period_end")
        if cell is not None and cell != "":
            end = checked(errors, "period_end", parse_date, cell)
        if start or end:
            for problem in (
                rules.period_order(start, end),
                rules.period_in_year("period_start", start, year),
                rules.period_in_year("period_end", end, year),
            ):
                if problem is not None:
                    errors.append((problem.field, problem.message))
        quality, problem = quality_of(values.get("data_quality"))
        if problem is not None:
            errors.append((problem.field, problem.message))
        source_reference = parse_text(values.get("source_reference"))
        # Rows that differ only in their source reference (two invoices of the
        # same amount) are distinct; everything else the same is a duplicate.
        key = (
            kind.code,
            year,
            kind.activity_code,
            start,
            end,
            quantity,
            kind.unit_code,
            source_reference,
        )
        if not errors and key in seen:
            errors.append(("", _("Duplicates row %(row)s.") % {"row": seen[key]}))
        seen.setdefault(key, raw.number)
        if not errors:
            comment = parse_text(values.get("comment"))[:5000]
            source_reference = source_reference[:200]
            calculate(
                context,
                row,
                kind,
                quantity,
                start,
                end,
                quality,
                comment,
                source_reference,
            )
            if prepared is not None and not row.errors:
                prepared.add(
                    row.number,
                    kind,
                    start,
                    end,
                    quantity,
                    quality,
                    comment,
                    source_reference,
                )
        yield row


def check_kind_and_quantity(
    row: RowResult, kind: Kind, quantity_of: Callable, cell
) -> Decimal | None:
    """Record the errors of the row's kind and of its quantity, in column order.

    Return the quantity (also set on the row), or None when it is not valid.
    """
    errors = row.errors
    if kind.head:
        errors.extend(kind.head)
    try:
        row.quantity = quantity_of(cell)
    except ValidationError as exc:
        errors.append(("quantity", " ".join(exc.messages)))
    if kind.tail:
        errors.extend(kind.tail)
    return row.quantity


def calculate(
    context: Context,
    row: RowResult,
    kind: Kind,
    quantity: Decimal,
    start: datetime.date | None,
    end: datetime.date | None,
    quality: str,
    comment: str,
    source_reference: str,
) -> None:
    """Calculate a row that has no errors: set its fields, or its error."""
    try:
        calculation = context.plan(kind)(quantity)
    except ValidationError as exc:
        row.errors.append(("activity", " ".join(exc.messages)))
        return
    row.kg_co2e = calculation.kg_co2e
    row.scope = calculation.scope
    fields = calculation.__dict__.copy()
    factor = fields.pop("factor")
    factor_set = fields.pop("factor_set")
    if kind.fields is None:
        kind.fields = {
            "business_unit_id": kind.business_unit.id,
            "reporting_year_id": kind.reporting_year.id,
            "activity_type_id": kind.activity.id,
            "unit": kind.unit_code,
        }
    fields.update(kind.fields)
    fields.update(
        factor_id=factor.id if factor is not None else None,
        factor_set_id=factor_set.id if factor_set is not None else None,
        quantity=quantity,
        period_start=start,
        period_end=end,
        data_quality=quality,
        comment=comment,
        source_reference=source_reference,
    )
    row.fields = fields


def checked(errors: list, column: str, func, value):
    """Return func(value), or None with the error recorded against the column."""
    try:
        return func(value)
    except ValidationError as exc:
        errors.append((column, " ".join(exc.messages)))
        return None


def error_records(rows: Iterable[RowResult]) -> list[dict]:
    """Return the first errors of the rows as the batch keeps them."""
    records = []
    for row in rows:
        for column, message in row.errors:
            if len(records) == MAX_KEPT_ERRORS:
                return records
            records.append({"row": row.number, "column": column, "message": message})
    return records
