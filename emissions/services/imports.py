"""Import of activity spreadsheets: preview, all-or-nothing commit, rollback.

The browser and `manage.py import_activities` share these functions. A preview
writes no entries: it reads, validates and calculates every row and records the
batch. A commit reads the stored file again (the organisation may have changed
since), and writes every entry in one transaction or none at all.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Organisation, User
from accounts.roles import Capability
from emissions.importing.reading import RawRow, read_upload
from emissions.importing.values import parse_date, parse_number, parse_text, parse_year
from emissions.models import (
    ActivityEntry,
    ActivityType,
    DataQuality,
    ImportBatch,
    ImportStatus,
    ReportingYear,
)
from emissions.resolution import ResolutionCache, calculate_entry
from emissions.services.entries import membership_for_write, parse_quantity
from emissions.services.locks import ensure_year_writable, reporting_year_for
from emissions.units import UNITS

CHUNK = 2000


@dataclass
class RowResult:
    number: int
    values: dict[str, object]
    errors: list[tuple[str, str]] = field(default_factory=list)
    kg_co2e: Decimal | None = None
    scope: int | None = None
    fields: dict | None = None  # ActivityEntry keyword arguments when valid


@dataclass
class ImportPreview:
    batch: ImportBatch
    rows: list[RowResult]

    @property
    def error_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.error_rows

    def totals_by_scope(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = {}
        for row in self.rows:
            if row.kg_co2e is not None:
                totals[row.scope] = totals.get(row.scope, Decimal(0)) + row.kg_co2e
        return dict(sorted(totals.items()))


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
        self.cache = ResolutionCache()

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


def _evaluate(context: _Context, raw_rows: Iterable[RawRow]) -> list[RowResult]:
    results: list[RowResult] = []
    seen: dict[tuple, int] = {}
    now = timezone.now()
    for raw in raw_rows:
        row = RowResult(number=raw.number, values=raw.values)
        errors = row.errors

        def check(column: str, func, *args, errors=errors):
            try:
                return func(*args)
            except ValidationError as exc:
                errors.append((column, " ".join(exc.messages)))
                return None

        code = parse_text(raw.values.get("business_unit")).upper()
        unit = context.units.get(code)
        if unit is None:
            errors.append(
                (
                    "business_unit",
                    _("Unknown business unit “%(code)s”.") % {"code": code},
                )
            )
        elif context.limited and unit.pk not in context.limited:
            errors.append(
                (
                    "business_unit",
                    _("You may not enter data for %(code)s.") % {"code": code},
                )
            )
        year = check("year", parse_year, raw.values.get("year"))
        reporting_year = check("year", context.year, year) if year else None
        if unit is not None and year and not unit.active_in(year):
            errors.append(
                (
                    "business_unit",
                    _("%(code)s did not belong to the organisation in %(year)s.")
                    % {"code": code, "year": year},
                )
            )
        activity_code = parse_text(raw.values.get("activity"))
        activity = context.types.get(activity_code)
        if activity is None:
            errors.append(
                (
                    "activity",
                    _("Unknown activity “%(code)s”.") % {"code": activity_code},
                )
            )
        quantity = check("quantity", parse_number, raw.values.get("quantity"))
        if quantity is not None:
            quantity = check("quantity", parse_quantity, quantity)
        unit_code = parse_text(raw.values.get("unit"))
        if unit_code not in UNITS:
            errors.append(
                ("unit", _("“%(unit)s” is not a known unit.") % {"unit": unit_code})
            )
        elif activity is not None and unit_code not in activity.allowed_units:
            errors.append(
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
        start = check("period_start", parse_date, raw.values.get("period_start"))
        end = check("period_end", parse_date, raw.values.get("period_end"))
        if start and end and end < start:
            errors.append(("period_end", _("The period ends before it starts.")))
        for column, day in (("period_start", start), ("period_end", end)):
            if day and year and day.year != year:
                errors.append(
                    (
                        column,
                        _("The date is outside the year %(year)s.") % {"year": year},
                    )
                )
        quality = (
            parse_text(raw.values.get("data_quality")).lower() or DataQuality.MEASURED
        )
        if quality not in DataQuality.values:
            errors.append(
                (
                    "data_quality",
                    _("“%(value)s” is not one of %(allowed)s.")
                    % {"value": quality, "allowed": ", ".join(DataQuality.values)},
                )
            )
        # Rows that differ only in their source reference (two invoices of the
        # same amount) are distinct; everything else the same is a duplicate.
        key = (
            code,
            year,
            activity_code,
            start,
            end,
            quantity,
            unit_code,
            parse_text(raw.values.get("source_reference")),
        )
        if not errors and key in seen:
            errors.append(("", _("Duplicates row %(row)s.") % {"row": seen[key]}))
        seen.setdefault(key, raw.number)
        if not errors:
            try:
                calculation = calculate_entry(
                    organisation=context.organisation,
                    business_unit=unit,
                    year=year,
                    activity_type=activity,
                    quantity=quantity,
                    unit=unit_code,
                    cache=context.cache,
                )
            except ValidationError as exc:
                errors.append(("activity", " ".join(exc.messages)))
            else:
                row.kg_co2e = calculation.kg_co2e
                row.scope = calculation.scope
                row.fields = {
                    **calculation.as_model_fields(),
                    "organisation": context.organisation,
                    "business_unit": unit,
                    "reporting_year": reporting_year,
                    "activity_type": activity,
                    "quantity": quantity,
                    "unit": unit_code,
                    "period_start": start,
                    "period_end": end,
                    "data_quality": quality,
                    "comment": parse_text(raw.values.get("comment"))[:5000],
                    "source_reference": parse_text(raw.values.get("source_reference"))[
                        :200
                    ],
                    "calculated_at": now,
                    "created_by": context.actor,
                    "updated_by": context.actor,
                }
        results.append(row)
    return results


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
    """Read, validate and calculate a file; record the batch; write no entries."""
    membership_for_write(organisation=organisation, actor=actor)
    raw = read_upload(file_name, data)
    sha = hashlib.sha256(data).hexdigest()
    suffix = PurePath(file_name).suffix.lower()[:6]
    stored = default_storage.save(
        f"imports/{organisation.pk}/{sha}{suffix}", ContentFile(data)
    )
    context = _Context(organisation, actor)
    rows = _evaluate(context, raw.rows)
    duplicate = (
        ImportBatch.objects.filter(
            organisation=organisation, sha256=sha, status=ImportStatus.COMMITTED
        )
        .order_by("-committed_at")
        .first()
    )
    batch = ImportBatch.objects.create(
        organisation=organisation,
        file_name=PurePath(file_name).name[:255],
        sha256=sha,
        stored_file=stored,
        uploaded_by=actor,
        rows_read=len(rows),
        errors=[
            {"row": row.number, "column": column, "message": message}
            for row in rows
            for column, message in row.errors
        ][:1000],
        duplicate_of=duplicate,
    )
    return ImportPreview(batch=batch, rows=rows)


def import_commit(
    *,
    organisation: Organisation,
    actor: User,
    batch: ImportBatch,
    confirm_duplicate_file: bool = False,
) -> ImportBatch:
    """Create every entry of a previewed batch in one transaction, or none."""
    membership_for_write(organisation=organisation, actor=actor)
    if batch.organisation_id != organisation.pk:
        raise ValidationError(_("That import belongs to another organisation."))
    if batch.status not in (ImportStatus.PREVIEW, ImportStatus.PROCESSING):
        raise ValidationError(
            _("This import is %(status)s and cannot be committed again.")
            % {"status": batch.get_status_display().lower()}
        )
    if batch.duplicate_of_id and not confirm_duplicate_file:
        raise ValidationError(
            _(
                "The same file was already imported on %(date)s; confirm to import "
                "it again."
            )
            % {"date": batch.duplicate_of.committed_at.date().isoformat()}
        )
    raw = read_upload(batch.file_name, _read_stored(batch))
    try:
        with transaction.atomic():
            context = _Context(organisation, actor)
            rows = _evaluate(context, raw.rows)
            errors = [
                {"row": row.number, "column": column, "message": message}
                for row in rows
                for column, message in row.errors
            ]
            if errors:
                raise ValidationError(
                    _("%(count)s rows have errors; nothing was imported.")
                    % {"count": len({e["row"] for e in errors})}
                )
            entries = [ActivityEntry(**row.fields, import_batch=batch) for row in rows]
            for start in range(0, len(entries), CHUNK):
                bulk_create_with_history(
                    entries[start : start + CHUNK],
                    ActivityEntry,
                    batch_size=CHUNK,
                    default_user=actor,
                    default_change_reason=f"import {batch.file_name}",
                )
                ImportBatch.objects.filter(pk=batch.pk).update(
                    rows_done=min(start + CHUNK, len(entries))
                )
            batch.status = ImportStatus.COMMITTED
            batch.rows_created = len(entries)
            batch.rows_done = len(entries)
            batch.committed_at = timezone.now()
            batch.errors = []
            batch.save()
    except ValidationError:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            errors=locals().get("errors", [])[:1000],
        )
        batch.refresh_from_db()
        raise
    return batch


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
    years = ReportingYear.objects.filter(entries__import_batch=batch).distinct()
    for reporting_year in years:
        ensure_year_writable(reporting_year)
    for entry in batch.entries.all().iterator(chunk_size=CHUNK):
        entry._change_reason = f"rollback of import {batch.file_name}"
        entry.delete()
    batch.status = ImportStatus.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = actor
    batch.save()
    return batch


def import_limits() -> dict[str, int]:
    return {
        "max_rows": settings.IMPORT_MAX_ROWS,
        "max_megabytes": settings.IMPORT_MAX_BYTES // (1024 * 1024),
    }


def import_batch_rows(
    *, organisation: Organisation, batch: ImportBatch
) -> list[RowResult]:
    """Return a previewed batch's rows with their results or errors (no writes)."""
    raw = read_upload(batch.file_name, _read_stored(batch))
    return _evaluate(_Context(organisation, batch.uploaded_by), raw.rows)
