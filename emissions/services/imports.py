"""Import of activity spreadsheets: preview, all-or-nothing commit, rollback.

The browser and `manage.py import_activities` share these functions. A preview
writes no entries: it reads, validates and calculates every row, records the
batch and, when every row is valid, keeps what it parsed from each row. A
commit checks and calculates every row again from those parsed values (the
organisation may have changed since; the file cannot have), and writes every
entry in one transaction or none at all.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation, User
from accounts.roles import Capability
from carbonledger.lib.bulk import GroupedRowInserter, copy_to_history
from carbonledger.lib.files import storage_delete, storage_save
from emissions.importing.reading import RawFile, check_upload, read_upload
from emissions.importing.values import (
    cell_text,
    parse_date,
    parse_number,
    parse_text,
    parse_year,
)
from emissions.models import (
    ActivityEntry,
    ActivityType,
    DataQuality,
    Finding,
    ImportBatch,
    ImportStatus,
    ReportingYear,
)
from emissions.resolution import Plan, ResolutionCache, entry_plan
from emissions.services.entries import (
    membership_for_write,
    parse_quantity,
    quantity_limit,
)
from emissions.services.locks import ensure_year_writable, reporting_year_for
from emissions.units import UNITS

ZERO = Decimal(0)
PROGRESS_EVERY = 5000
MAX_KEPT_ERRORS = 1000
# The layout of the prepared rows a preview keeps (_Prepared); a commit reads
# the uploaded file again when it finds another.
PREPARED_FORMAT = 1
# The layout of the rows a preview's pages show (_Shown); pages check the file
# again when they find another.
SHOWN_FORMAT = 1
# The cells a preview's pages show of each row.
SHOWN_COLUMNS = ("business_unit", "year", "activity", "quantity", "unit")
# The ActivityEntry fields each row gives itself, and those the rows of one kind
# share (the others are the same for a batch).
ROW_COLUMNS = [
    "period_start",
    "period_end",
    "quantity",
    "data_quality",
    "comment",
    "source_reference",
    "converted_quantity",
    "kg_co2e",
    "kg_by_gas",
    "energy_kwh",
    "kg_co2e_market",
]
SHARED_COLUMNS = [
    "business_unit_id",
    "reporting_year_id",
    "activity_type_id",
    "unit",
    "scope",
    "scope3_category",
    "iso_category",
    "factor_id",
    "factor_set_id",
    "factor_key",
    "factor_value",
    "factor_unit",
    "factor_note",
    "gwp_set",
    "calculation_method",
    "residual_mix_factor",
]


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
class ImportPreview:
    """What a preview found: the rows with errors and the valid rows' totals.

    Valid rows are not kept (a file may have hundreds of thousands);
    `import_batch_page` reads them again, a page at a time.
    """

    batch: ImportBatch
    row_count: int
    error_rows: list[RowResult]
    totals: dict[int, Decimal]

    @property
    def is_valid(self) -> bool:
        return not self.error_rows

    def totals_by_scope(self) -> dict[int, Decimal]:
        return dict(sorted(self.totals.items()))


@dataclass
class ImportPage:
    """One page of a previewed file: rows with errors first, then the others."""

    rows: list[RowResult]
    row_count: int
    error_count: int
    totals: dict[int, Decimal]


class _Tally:
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
class _Kind:
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
    # Its position in the prepared rows of a preview (see _Prepared).
    index: int | None = None
    # The entry fields its rows share.
    fields: dict | None = None


class _Context:
    """Look-ups cached for a whole file, so rows cost no queries of their own."""

    def __init__(self, organisation: Organisation, actor: User):
        self.organisation = organisation
        self.actor = actor
        self.membership = membership_for_write(organisation=organisation, actor=actor)
        self.units = {u.code.upper(): u for u in organisation.business_units.all()}
        limited = (
            {u.pk for u in self.membership.business_units.all()}
            if self.membership is not None
            else set()
        )
        self.limited = limited
        types = ActivityType.objects.filter(is_active=True).filter(
            organisation__isnull=True
        )
        self.types = {t.code: t for t in types}
        self.types.update(
            {t.code: t for t in organisation.activity_types.filter(is_active=True)}
        )
        self.years: dict[int, ReportingYear | str] = {}
        self.kinds: dict[tuple, _Kind] = {}
        self.parsed_kinds: dict[tuple, _Kind] = {}
        self.qualities: dict[tuple, tuple[str, tuple[str, str] | None]] = {}
        self.cache = ResolutionCache()
        self.parse_quantity = partial(parse_quantity, limit=quantity_limit())
        self.now = timezone.now()

    def year(self, year: int) -> ReportingYear:
        if year not in self.years:
            try:
                reporting_year = reporting_year_for(
                    organisation=self.organisation, year=year
                )
                ensure_year_writable(reporting_year)
                self.years[year] = reporting_year
            except ValidationError as exc:
                self.years[year] = " ".join(exc.messages)
        found = self.years[year]
        if isinstance(found, str):
            raise ValidationError(found)
        return found

    def kind(self, values: dict) -> _Kind:
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
            year = _checked(year_errors, "year", parse_year, cells[1])
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
    ) -> _Kind:
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
    ) -> _Kind:
        head: list[tuple[str, str]] = []
        unit = self.units.get(code)
        if unit is None:
            head.append(
                (
                    "business_unit",
                    _("Unknown business unit “%(code)s”.") % {"code": code},
                )
            )
        elif self.limited and unit.pk not in self.limited:
            head.append(
                (
                    "business_unit",
                    _("You may not enter data for %(code)s.") % {"code": code},
                )
            )
        if year_error is not None:
            head.append(("year", year_error))
        reporting_year = _checked(head, "year", self.year, year) if year else None
        if unit is not None and year and not unit.active_in(year):
            head.append(
                (
                    "business_unit",
                    _("%(code)s did not belong to the organisation in %(year)s.")
                    % {"code": code, "year": year},
                )
            )
        activity = self.types.get(activity_code)
        if activity is None:
            head.append(
                (
                    "activity",
                    _("Unknown activity “%(code)s”.") % {"code": activity_code},
                )
            )
        tail: list[tuple[str, str]] = []
        if unit_code not in UNITS:
            tail.append(
                ("unit", _("“%(unit)s” is not a known unit.") % {"unit": unit_code})
            )
        elif activity is not None and unit_code not in activity.allowed_units:
            tail.append(
                (
                    "unit",
                    _("%(activity)s is entered in %(allowed)s, not %(unit)s.")
                    % {
                        "activity": activity.code,
                        "allowed": ", ".join(activity.allowed_units),
                        "unit": unit_code,
                    },
                )
            )
        return _Kind(
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

    def plan(self, kind: _Kind) -> Plan:
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

    def quality(self, cell) -> tuple[str, tuple[str, str] | None]:
        """Return a data-quality cell's value and its error, if any."""
        key = (cell, type(cell))
        found = self.qualities.get(key)
        if found is None:
            quality = parse_text(cell).lower() or DataQuality.MEASURED
            error = None
            if quality not in DataQuality.values:
                error = (
                    "data_quality",
                    _("“%(value)s” is not one of %(allowed)s.")
                    % {"value": quality, "allowed": ", ".join(DataQuality.values)},
                )
            found = self.qualities[key] = (quality, error)
        return found


def _evaluate(
    context: _Context,
    raw_file: RawFile,
    prepared: _Prepared | None = None,
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
        quantity = _check_kind_and_quantity(
            row, kind, quantity_of, values.get("quantity")
        )
        year = kind.year
        start = end = None
        cell = values.get("period_start")
        if cell is not None and cell != "":
            start = _checked(errors, "period_start", parse_date, cell)
        cell = values.get("period_end")
        if cell is not None and cell != "":
            end = _checked(errors, "period_end", parse_date, cell)
        if start or end:
            if start and end and end < start:
                errors.append(("period_end", _("The period ends before it starts.")))
            for column, day in (("period_start", start), ("period_end", end)):
                if day and year and day.year != year:
                    errors.append(
                        (
                            column,
                            _("The date is outside the year %(year)s.")
                            % {"year": year},
                        )
                    )
        quality, quality_error = quality_of(values.get("data_quality"))
        if quality_error is not None:
            errors.append(quality_error)
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
            _calculate(
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


def _check_kind_and_quantity(
    row: RowResult, kind: _Kind, quantity_of: Callable, cell
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


def _calculate(
    context: _Context,
    row: RowResult,
    kind: _Kind,
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


class _Prepared:
    """What a valid preview parsed from each row, kept for the commit.

    The commit then need not read the file again. The first line (JSON) holds
    the kinds of row (business unit code, year, activity and unit as parsed);
    each further line (CSV) a row's number, the index of its kind and the
    values parsed from its other cells: period, quantity, data quality,
    comment and source reference. Nothing that depends on the organisation is
    kept: the commit resolves every kind again and calculates every row again,
    with the organisation as it is then.
    """

    def __init__(self) -> None:
        self.kinds: list[list] = []
        self.rows = io.StringIO()
        self.writer = csv.writer(self.rows, lineterminator="\n")

    def add(
        self,
        number: int,
        kind: _Kind,
        start: datetime.date | None,
        end: datetime.date | None,
        quantity: Decimal,
        quality: str,
        comment: str,
        source_reference: str,
    ) -> None:
        if kind.index is None:
            kind.index = len(self.kinds)
            self.kinds.append(
                [kind.code, kind.year, kind.activity_code, kind.unit_code]
            )
        self.writer.writerow(
            (
                number,
                kind.index,
                start.isoformat() if start else "",
                end.isoformat() if end else "",
                quantity,
                quality,
                comment,
                source_reference,
            )
        )

    def content(self, sha256: str) -> bytes:
        header = json.dumps(
            {"format": PREPARED_FORMAT, "sha256": sha256, "kinds": self.kinds},
            ensure_ascii=False,
        )
        return f"{header}\n{self.rows.getvalue()}".encode()


class _Shown:
    """Every row of a preview as its pages show it, kept beside the upload.

    Pages then need not check the whole file again for every page looked at.
    The first line (JSON) holds the counts, the totals by scope and the
    language of the messages; each further line (CSV) a row's number, the text
    of its shown cells, its quantity, scope and kg CO2e as checked and its
    errors (JSON), the rows with errors first, as the pages order them. The
    commit does not read this: it checks every row again.
    """

    def __init__(self) -> None:
        self.failed = io.StringIO()
        self.valid = io.StringIO()
        self._failed = csv.writer(self.failed, lineterminator="\n")
        self._valid = csv.writer(self.valid, lineterminator="\n")

    def add(self, row: RowResult) -> None:
        values = row.values
        cells = [cell_text(values.get(name)) for name in SHOWN_COLUMNS]
        figures = (
            "" if row.quantity is None else row.quantity,
            "" if row.scope is None else row.scope,
            "" if row.kg_co2e is None else row.kg_co2e,
        )
        if row.errors:
            errors = json.dumps(row.errors, ensure_ascii=False)
            self._failed.writerow((row.number, *cells, *figures, errors))
        else:
            self._valid.writerow((row.number, *cells, *figures, ""))

    def content(self, sha256: str, tally: _Tally) -> bytes:
        header = json.dumps(
            {
                "format": SHOWN_FORMAT,
                "sha256": sha256,
                "language": get_language(),
                "rows": tally.row_count,
                "errors": len(tally.error_rows),
                "totals": {scope: str(kg) for scope, kg in tally.totals.items()},
            }
        )
        body = self.failed.getvalue() + self.valid.getvalue()
        return f"{header}\n{body}".encode()


def _shown_page(batch: ImportBatch, start: int, end: int) -> ImportPage | None:
    """Return rows start to end of a preview as it was checked, from its shown
    rows; None without them, or when they are in another language or layout."""
    if not batch.shown_file:
        return None
    try:
        with default_storage.open(batch.shown_file, "rb") as handle:
            text = handle.read().decode()
        header_end = text.index("\n")
        header = json.loads(text[:header_end])
        if (
            header.get("format") != SHOWN_FORMAT
            or header.get("sha256") != batch.sha256
            or header.get("language") != get_language()
        ):
            return None
        lines = csv.reader(io.StringIO(text[header_end + 1 :]))
        rows = []
        for line in itertools.islice(lines, start, end):
            number, *cells, quantity, scope, kg, errors = line
            rows.append(
                RowResult(
                    number=int(number),
                    values=dict(zip(SHOWN_COLUMNS, cells, strict=True)),
                    errors=[tuple(error) for error in json.loads(errors or "[]")],
                    quantity=Decimal(quantity) if quantity else None,
                    scope=int(scope) if scope else None,
                    kg_co2e=Decimal(kg) if kg else None,
                )
            )
        return ImportPage(
            rows=rows,
            row_count=header["rows"],
            error_count=header["errors"],
            totals={
                int(scope): Decimal(kg)
                for scope, kg in sorted(
                    header["totals"].items(), key=lambda i: int(i[0])
                )
            },
        )
    except (OSError, ValueError, KeyError, TypeError, ArithmeticError, csv.Error):
        return None


def _prepared_rows(context: _Context, batch: ImportBatch) -> Iterator[RowResult] | None:
    """Return the rows of a batch's prepared file, checked again; None without one.

    A missing, altered or older-format file gives None: the commit then reads
    the uploaded file again, as it would without it.
    """
    if not batch.prepared_file:
        return None
    try:
        with default_storage.open(batch.prepared_file, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return None
    if hashlib.sha256(data).hexdigest() != batch.prepared_sha256:
        return None
    text = data.decode()
    del data
    header_end = text.find("\n")
    try:
        header = json.loads(text[:header_end])
    except ValueError:
        return None
    if header.get("format") != PREPARED_FORMAT or header.get("sha256") != batch.sha256:
        return None
    kinds = [
        context.resolved(code, year, None, activity_code, unit_code)
        for code, year, activity_code, unit_code in header["kinds"]
    ]
    rows = csv.reader(io.StringIO(text[header_end + 1 :]))
    return _rows_from_prepared(context, kinds, rows)


def _rows_from_prepared(
    context: _Context, kinds: list[_Kind], rows: Iterator[list[str]]
) -> Iterator[RowResult]:
    parse_quantity = context.parse_quantity
    fromisoformat = datetime.date.fromisoformat

    def quantity_of(text: str) -> Decimal:
        return parse_quantity(Decimal(text))

    for number, kind_index, start, end, quantity, quality, comment, reference in rows:
        kind = kinds[int(kind_index)]
        row = RowResult(number=int(number), values={})
        quantity = _check_kind_and_quantity(row, kind, quantity_of, quantity)
        if not row.errors:
            _calculate(
                context,
                row,
                kind,
                quantity,
                fromisoformat(start) if start else None,
                fromisoformat(end) if end else None,
                quality,
                comment,
                reference,
            )
        yield row


def _checked(errors: list, column: str, func, value):
    """Return func(value), or None with the error recorded against the column."""
    try:
        return func(value)
    except ValidationError as exc:
        errors.append((column, " ".join(exc.messages)))
        return None


def _read_stored(batch: ImportBatch) -> bytes:
    try:
        with default_storage.open(batch.stored_file, "rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        raise ValidationError(
            _("The uploaded file of this import is no longer available.")
        ) from None


def import_preview(
    *, organisation: Organisation, actor: User, file_name: str, data: bytes
) -> ImportPreview:
    """Read, validate and calculate a file; record the batch; write no entries.

    A file that cannot be read, or has too many rows or none, leaves nothing.
    """
    membership_for_write(organisation=organisation, actor=actor)
    raw = read_upload(file_name, data)
    sha = hashlib.sha256(data).hexdigest()
    checked = _check_rows(organisation, actor, raw, sha)
    batch = ImportBatch(
        organisation=organisation,
        file_name=PurePath(file_name).name[:255],
        sha256=sha,
        stored_file=_store_upload(organisation, sha, file_name, data),
        uploaded_by=actor,
    )
    try:
        _record_check(batch, checked)
    except ValidationError:
        storage_delete(batch.stored_file)
        raise
    return ImportPreview(
        batch=batch,
        row_count=checked.tally.row_count,
        error_rows=checked.tally.error_rows,
        totals=checked.tally.totals,
    )


def import_upload_for_check(
    *, organisation: Organisation, actor: User, file_name: str, data: bytes
) -> ImportBatch:
    """Keep a large upload and have its rows checked by the task queue.

    The checks made before any parser sees the file (size, type, macros,
    archive) are made at once; the batch then waits, as `checking`, for
    `import_check`, which makes it a preview as `import_preview` would.
    """
    from emissions.tasks import import_check_task

    membership_for_write(organisation=organisation, actor=actor)
    check_upload(file_name, data)
    sha = hashlib.sha256(data).hexdigest()
    batch = ImportBatch.objects.create(
        organisation=organisation,
        file_name=PurePath(file_name).name[:255],
        sha256=sha,
        stored_file=_store_upload(organisation, sha, file_name, data),
        uploaded_by=actor,
        status=ImportStatus.CHECKING,
        progress_at=timezone.now(),
    )
    # The messages of the rows in the uploader's language.
    language = get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(partial(import_check_task.enqueue, batch.pk, language))
    return batch


def import_check(*, batch: ImportBatch) -> ImportBatch:
    """Check the rows of an upload kept by `import_upload_for_check`.

    Progress is saved as it goes (`rows_done`). The batch becomes a preview,
    or fails with the reason when the file cannot be read.
    """
    if batch.status != ImportStatus.CHECKING:
        return batch
    try:
        raw = read_upload(batch.file_name, _read_stored(batch))
        checked = _check_rows(
            batch.organisation, batch.uploaded_by, raw, batch.sha256, batch.pk
        )
        with transaction.atomic():
            # Discarded meanwhile (as stopped), or checked by a resumed task.
            current = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if current.status != ImportStatus.CHECKING:
                return current
            batch.status = ImportStatus.PREVIEW
            _record_check(batch, checked)
    except ValidationError as exc:
        # Nothing of a file that cannot be read (or kept) is kept but the reason.
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            rows_done=0,
            stored_file="",
            prepared_file="",
            prepared_sha256="",
            shown_file="",
            errors=[{"row": None, "column": "", "message": m} for m in exc.messages],
        )
        if batch.stored_file:
            storage_delete(batch.stored_file)
        batch.refresh_from_db()
        return batch
    return batch


@dataclass
class _Checked:
    """What checking every row of a file gave, before it is recorded."""

    tally: _Tally
    prepared: bytes | None  # the parsed rows, when every row is valid
    shown: bytes


def _check_rows(
    organisation: Organisation,
    actor: User,
    raw: RawFile,
    sha256: str,
    batch_pk: int | None = None,
) -> _Checked:
    """Check and calculate every row; with `batch_pk`, save progress as it goes."""
    tally = _Tally()
    prepared = _Prepared()
    shown = _Shown()
    for done, row in enumerate(
        _evaluate(_Context(organisation, actor), raw, prepared), start=1
    ):
        row.fields = None
        tally.add(row)
        shown.add(row)
        if batch_pk is not None and done % PROGRESS_EVERY == 0:
            ImportBatch.objects.filter(pk=batch_pk).update(
                rows_done=done, progress_at=timezone.now()
            )
    return _Checked(
        tally=tally,
        prepared=None if tally.error_rows else prepared.content(sha256),
        shown=shown.content(sha256, tally),
    )


def _store_upload(
    organisation: Organisation, sha256: str, file_name: str, data: bytes
) -> str:
    suffix = PurePath(file_name).suffix.lower()[:6]
    return storage_save(
        f"imports/{organisation.pk}/{sha256}{suffix}", ContentFile(data)
    )


def _record_check(batch: ImportBatch, checked: _Checked) -> None:
    """Keep the parsed and shown rows beside the upload; save the batch."""
    folder = f"imports/{batch.organisation_id}/{batch.sha256}"
    if checked.prepared is not None:
        batch.prepared_sha256 = hashlib.sha256(checked.prepared).hexdigest()
        batch.prepared_file = storage_save(
            f"{folder}.rows.jsonl", ContentFile(checked.prepared)
        )
    try:
        batch.shown_file = storage_save(
            f"{folder}.shown.csv", ContentFile(checked.shown)
        )
    except ValidationError:
        if batch.prepared_file:
            storage_delete(batch.prepared_file)
        raise
    batch.rows_read = checked.tally.row_count
    batch.rows_done = 0
    batch.errors = _error_records(checked.tally.error_rows)
    batch.duplicate_of = (
        ImportBatch.objects.filter(
            organisation_id=batch.organisation_id,
            sha256=batch.sha256,
            status=ImportStatus.COMMITTED,
        )
        .order_by("-committed_at")
        .first()
    )
    batch.save()


def _error_records(rows: Iterable[RowResult]) -> list[dict]:
    """Return the first errors of the rows as the batch keeps them."""
    records = []
    for row in rows:
        for column, message in row.errors:
            if len(records) == MAX_KEPT_ERRORS:
                return records
            records.append({"row": row.number, "column": column, "message": message})
    return records


def import_commit(
    *,
    organisation: Organisation,
    actor: User,
    batch: ImportBatch,
    confirm_duplicate_file: bool = False,
) -> ImportBatch:
    """Create every entry of a previewed batch in one transaction, or none.

    Every row is checked and calculated again, since the organisation may have
    changed since the preview: from the rows the preview parsed (`_Prepared`),
    or, without them, from the stored file, read again. The progress of that
    pass is saved as it goes (`rows_done`), so the page of a background import
    can show it. The entries and their history are then written in a single
    transaction, in which the batch and its years are locked and checked again.
    """
    membership_for_write(organisation=organisation, actor=actor)
    _ensure_committable(organisation, batch, confirm_duplicate_file)
    context = _Context(organisation, actor)
    rows = _prepared_rows(context, batch)
    if rows is None:
        rows = _evaluate(context, read_upload(batch.file_name, _read_stored(batch)))
    inserter = GroupedRowInserter(
        ActivityEntry,
        columns=ROW_COLUMNS,
        shared=SHARED_COLUMNS,
        constants={
            "import_batch_id": batch.pk,
            "organisation_id": organisation.pk,
            "calculated_at": context.now,
            "created_by_id": actor.pk,
            "updated_by_id": actor.pk,
        },
        now=context.now,
    )
    failed: list[RowResult] = []
    years: set[int] = set()
    for done, row in enumerate(rows, start=1):
        if row.errors:
            failed.append(row)
        elif not failed:
            inserter.add(row.fields)
            years.add(row.fields["reporting_year_id"])
        row.fields = None
        if done % PROGRESS_EVERY == 0:
            ImportBatch.objects.filter(pk=batch.pk).update(
                rows_done=done, progress_at=timezone.now()
            )
    del rows
    if failed:
        inserter.clear()
        _fail(batch, _error_records(failed))
        raise ValidationError(
            _("%(count)s rows have errors; nothing was imported.")
            % {"count": len(failed)}
        )
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        # Two commits of the same file wait for each other here, so the second
        # sees the first as committed.
        _lock_content(organisation, batch.sha256)
        refused = None
        try:
            _ensure_committable(organisation, locked, confirm_duplicate_file)
        except ValidationError as exc:
            if exc.code != "duplicate_file":
                raise
            # The same file was committed while this one was being checked;
            # the batch is back at its preview, asking for the confirmation.
            refused = exc
        closed = []
        for reporting_year in ReportingYear.objects.select_for_update().filter(
            pk__in=years
        ):
            try:
                ensure_year_writable(reporting_year)
            except ValidationError as exc:
                closed.extend(exc.messages)
        if not closed and refused is None:
            inserter.insert()
            copy_to_history(
                ActivityEntry,
                field_name="import_batch",
                value=batch.pk,
                history_date=context.now,
                history_user_id=actor.pk,
                change_reason=f"import {batch.file_name}"[:100],
            )
            batch.status = ImportStatus.COMMITTED
            batch.rows_created = len(inserter)
            batch.rows_done = len(inserter)
            batch.committed_at = timezone.now()
            batch.errors = []
            # They served the preview and this commit only; the upload is kept.
            _delete_on_commit(batch.preview_files())
            batch.prepared_file = batch.prepared_sha256 = batch.shown_file = ""
            batch.save()
    if refused is not None:
        inserter.clear()
        batch.refresh_from_db()
        raise refused
    if closed:
        # A year was locked between the check of the rows and the writing.
        _fail(batch, [{"row": None, "column": "year", "message": m} for m in closed])
        raise ValidationError(closed)
    return batch


def _fail(batch: ImportBatch, errors: list[dict]) -> None:
    """Record a failed commit; a failed batch is never committed, so its
    parsed and shown rows are deleted."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED,
        errors=errors,
        rows_done=0,
        prepared_file="",
        prepared_sha256="",
        shown_file="",
    )
    for name in batch.preview_files():
        storage_delete(name)
    batch.refresh_from_db()


def _ensure_committable(
    organisation: Organisation, batch: ImportBatch, confirm_duplicate_file: bool
) -> None:
    """Refuse a batch of another organisation, one not waiting to be committed
    and, unless confirmed, a file committed before."""
    if batch.organisation_id != organisation.pk:
        raise ValidationError(_("That import belongs to another organisation."))
    if batch.status not in (ImportStatus.PREVIEW, ImportStatus.PROCESSING):
        raise ValidationError(
            _("This import is %(status)s and cannot be committed again.")
            % {"status": batch.get_status_display().lower()}
        )
    if not confirm_duplicate_file:
        # Looked up again, not taken from the preview: another member may
        # have committed the same file since.
        duplicate = _committed_duplicate(batch)
        if duplicate is not None:
            raise _refuse_duplicate(batch, duplicate)


def _committed_duplicate(batch: ImportBatch) -> ImportBatch | None:
    """Return the latest committed batch of the same file, other than this one."""
    return (
        ImportBatch.objects.filter(
            organisation_id=batch.organisation_id,
            sha256=batch.sha256,
            status=ImportStatus.COMMITTED,
        )
        .exclude(pk=batch.pk)
        .order_by("-committed_at")
        .first()
    )


def _refuse_duplicate(batch: ImportBatch, duplicate: ImportBatch) -> ValidationError:
    """Return the batch to its preview, which asks for the confirmation, and
    return the error saying why."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.PREVIEW, rows_done=0, duplicate_of=duplicate
    )
    batch.status, batch.rows_done = ImportStatus.PREVIEW, 0
    batch.duplicate_of = duplicate
    return ValidationError(
        _("The same file was already imported on %(date)s; confirm to import it again.")
        % {"date": duplicate.committed_at.date().isoformat()},
        code="duplicate_file",
    )


def _lock_content(organisation: Organisation, sha256: str) -> None:
    """Hold, until the transaction ends, a lock on a file's content in the
    organisation, so two commits of the same file never run side by side.

    PostgreSQL takes an advisory lock on the organisation and the checksum;
    SQLite's write transactions already run one at a time.
    """
    if connection.vendor != "postgresql":
        return
    content = int(sha256[:8], 16) - 2**31
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [organisation.pk, content]
        )


def import_batch_stopped(batch: ImportBatch, *, now=None) -> bool:
    """Whether a check or commit in the background has stopped.

    Its worker reports progress at least every PROGRESS_EVERY rows; a batch
    still checking or processing without progress for IMPORT_STALE_MINUTES
    lost its worker (killed, or the machine restarted). Its commit, if it had
    begun, wrote nothing: the entries are written in one transaction.
    """
    if batch.status not in (ImportStatus.CHECKING, ImportStatus.PROCESSING):
        return False
    last = batch.progress_at or batch.created_at
    limit = datetime.timedelta(minutes=settings.IMPORT_STALE_MINUTES)
    return last < (now or timezone.now()) - limit


def import_commit_request(
    *,
    organisation: Organisation,
    actor: User,
    batch: ImportBatch,
    confirm_duplicate_file: bool = False,
) -> ImportBatch:
    """Commit a previewed batch: a large one through the task queue, others now.

    A batch of more than IMPORT_BACKGROUND_ROWS rows becomes `processing` and
    is committed by `import_commit_task`; the batch returned says which. A
    batch already processing is never committed again here, in the request.
    """
    from emissions.tasks import import_commit_task

    membership_for_write(organisation=organisation, actor=actor)
    if batch.status == ImportStatus.PROCESSING:
        raise ValidationError(_being_processed(batch), code="processing")
    if batch.rows_read <= settings.IMPORT_BACKGROUND_ROWS:
        return import_commit(
            organisation=organisation,
            actor=actor,
            batch=batch,
            confirm_duplicate_file=confirm_duplicate_file,
        )
    # Refused now rather than by the task: another organisation's batch, one
    # committed or failed, a file imported before without the confirmation.
    _ensure_committable(organisation, batch, confirm_duplicate_file)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(
            pk=batch.pk, organisation=organisation
        )
        if locked.status == ImportStatus.PROCESSING:
            raise ValidationError(_being_processed(locked), code="processing")
        # The commit task checks the rest again under its own lock.
        _ensure_committable(organisation, locked, confirm_duplicate_file=True)
        locked.status = ImportStatus.PROCESSING
        locked.rows_done = 0
        locked.progress_at = timezone.now()
        locked.save(update_fields=["status", "rows_done", "progress_at"])
    # Without a task worker the task runs here, before the request goes on.
    import_commit_task.enqueue(locked.pk, actor.pk, confirm_duplicate_file)
    locked.refresh_from_db()
    return locked


def _being_processed(batch: ImportBatch) -> str:
    if import_batch_stopped(batch):
        return _(
            "This import stopped while it was being processed; resume it or discard it."
        )
    return _("This import is already being processed.")


def import_resume(
    *, organisation: Organisation, actor: User, batch: ImportBatch
) -> ImportBatch:
    """Start a stopped check or commit again, through the task queue.

    The check reads the stored file from the start; the commit checks every
    row again and writes them all in one transaction, as it would have.
    """
    from emissions.tasks import import_check_task, import_commit_task

    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.EDIT
    )
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(
            pk=batch.pk, organisation=organisation
        )
        if not import_batch_stopped(locked):
            raise ValidationError(
                _(
                    "Only an import that stopped while it was checked or "
                    "processed can be resumed."
                ),
                code="not_stopped",
            )
        locked.rows_done = 0
        locked.progress_at = timezone.now()
        locked.save(update_fields=["rows_done", "progress_at"])
        if locked.status == ImportStatus.CHECKING:
            language = get_language() or settings.LANGUAGE_CODE
            task = partial(import_check_task.enqueue, locked.pk, language)
        else:
            # A batch of a file imported before was committed with the
            # confirmation; one imported meanwhile is refused by the commit.
            task = partial(
                import_commit_task.enqueue,
                locked.pk,
                actor.pk,
                locked.duplicate_of_id is not None,
            )
        transaction.on_commit(task)
    return locked


@transaction.atomic
def import_rollback(
    *, organisation: Organisation, actor: User, batch: ImportBatch
) -> ImportBatch:
    """Delete every entry a batch created, while all its years are open."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.EDIT
    )
    batch = ImportBatch.objects.select_for_update().get(
        pk=batch.pk, organisation=organisation
    )
    if batch.status != ImportStatus.COMMITTED:
        raise ValidationError(_("Only a committed import can be rolled back."))
    year_ids = ReportingYear.objects.filter(entries__import_batch=batch).values("pk")
    for reporting_year in ReportingYear.objects.select_for_update().filter(
        pk__in=year_ids
    ):
        ensure_year_writable(reporting_year)
    now = timezone.now()
    reason = f"rollback of import {batch.file_name}"[:100]
    # Findings on these entries go with them, as the entries' own deletion
    # would take them; they are few and keep their own history.
    for finding in Finding.objects.filter(entry__import_batch=batch):
        finding._change_reason = reason
        finding.delete()
    # The entries' last state goes to their history as deleted, then the
    # entries and their evidence links go in two statements (one by one, each
    # line cost several queries of its own).
    copy_to_history(
        ActivityEntry,
        field_name="import_batch",
        value=batch.pk,
        history_date=now,
        history_user_id=actor.pk,
        change_reason=reason,
        history_type="-",
    )
    _delete_entries_of(batch)
    batch.status = ImportStatus.ROLLED_BACK
    batch.rolled_back_at = now
    batch.rolled_back_by = actor
    batch.save()
    return batch


@transaction.atomic
def import_discard(
    *, organisation: Organisation, actor: User, batch: ImportBatch
) -> ImportBatch:
    """Discard an upload that was never imported: its files go, its record stays.

    A preview (valid or not), a failed commit, or a check or commit that
    stopped (`import_batch_stopped`) wrote no entries; its uploaded file,
    parsed rows and shown rows are deleted once the status is saved.
    """
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.EDIT
    )
    batch = ImportBatch.objects.select_for_update().get(
        pk=batch.pk, organisation=organisation
    )
    if batch.status not in (ImportStatus.PREVIEW, ImportStatus.FAILED) and not (
        import_batch_stopped(batch)
    ):
        raise ValidationError(
            _("Only an upload that was not imported can be discarded.")
        )
    _delete_on_commit(batch.files())
    batch.status = ImportStatus.DISCARDED
    batch.stored_file = batch.prepared_file = batch.shown_file = ""
    batch.prepared_sha256 = ""
    batch.save()
    return batch


def _delete_on_commit(names: list[str]) -> None:
    """Delete stored files once the transaction that stops using them commits."""
    for name in names:
        transaction.on_commit(partial(storage_delete, name))


def _delete_entries_of(batch: ImportBatch) -> None:
    """Delete a batch's entries and their evidence links, without signals."""
    quote = connection.ops.quote_name
    links = ActivityEntry.evidence.through
    entries = quote(ActivityEntry._meta.db_table)
    entry_column = quote(links._meta.get_field("activityentry").column)
    batch_column = quote(ActivityEntry._meta.get_field("import_batch").column)
    # Identifiers come from the models' metadata, quoted; the batch is a parameter.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(links._meta.db_table)} WHERE {entry_column} IN "  # noqa: S608
            f"(SELECT id FROM {entries} WHERE {batch_column} = %s)",
            [batch.pk],
        )
        cursor.execute(
            f"DELETE FROM {entries} WHERE {batch_column} = %s",  # noqa: S608
            [batch.pk],
        )


def import_limits() -> dict[str, int]:
    return {
        "max_rows": settings.IMPORT_MAX_ROWS,
        "max_megabytes": settings.IMPORT_MAX_BYTES // (1024 * 1024),
    }


def import_batch_page(
    *, organisation: Organisation, batch: ImportBatch, page: int, per_page: int = 200
) -> ImportPage:
    """Return one page of a previewed batch's rows (no writes).

    Rows with errors come first, then the valid rows in file order. The page
    shows the rows as the preview checked them, from its shown rows; without
    them (or in another language than theirs) every row is checked again, and
    only the rows with errors and the valid rows up to the end of the page are
    kept. The commit checks every row again in any case.
    """
    end = max(page, 1) * per_page
    shown = _shown_page(batch, end - per_page, end)
    if shown is not None:
        return shown
    raw = read_upload(batch.file_name, _read_stored(batch))
    tally = _Tally()
    valid: list[RowResult] = []
    for row in _evaluate(_Context(organisation, batch.uploaded_by), raw):
        row.fields = None
        tally.add(row)
        if not row.errors and len(valid) < end:
            valid.append(row)
    ordered = tally.error_rows + valid
    return ImportPage(
        rows=ordered[end - per_page : end],
        row_count=tally.row_count,
        error_count=len(tally.error_rows),
        totals=dict(sorted(tally.totals.items())),
    )
