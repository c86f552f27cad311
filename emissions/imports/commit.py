"""Commit a previewed batch: every entry in one transaction, or none.

Every row is checked and calculated again, since the organisation may have
changed since the preview: from the rows the preview parsed
(`stored.prepared_rows`), or, without them, from the upload read again. A
batch of more than IMPORT_BACKGROUND_ROWS rows is committed by the task queue;
`import_commit_request` decides, and refuses a batch already processing.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.tenancy import membership_for_write
from carbonledger.lib.bulk import GroupedRowInserter, copy_to_history
from carbonledger.lib.files import storage_delete
from emissions.imports import tasks
from emissions.imports.reading import read_upload
from emissions.imports.rows import (
    PROGRESS_EVERY,
    Context,
    RowResult,
    error_records,
    evaluate,
)
from emissions.imports.selectors import import_batch_stopped
from emissions.imports.stored import delete_on_commit, prepared_rows, read_stored
from emissions.models import ActivityEntry, ImportBatch, ImportStatus, ReportingYear
from emissions.services.locks import ensure_year_writable

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


def import_commit(
    *,
    organisation: Organisation,
    actor: User,
    batch: ImportBatch,
    confirm_duplicate_file: bool = False,
    queued: bool = False,
) -> ImportBatch:
    """Create every entry of a previewed batch in one transaction, or none.

    Every row is checked and calculated again, since the organisation may have
    changed since the preview: from the rows the preview parsed (`Prepared`),
    or, without them, from the stored file, read again. The progress of that
    pass is saved as it goes (`rows_done`), so the page of a background import
    can show it. The entries and their history are then written in a single
    transaction, in which the batch and its years are locked and checked again.

    A batch being processed is committed only by its task (`queued`).
    """
    membership_for_write(organisation=organisation, actor=actor)
    _ensure_committable(organisation, batch, confirm_duplicate_file, queued)
    context = Context(organisation, actor)
    rows = prepared_rows(context, batch)
    if rows is None:
        rows = evaluate(context, read_upload(batch.file_name, read_stored(batch)))
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
        _fail(batch, error_records(failed))
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
            _ensure_committable(organisation, locked, confirm_duplicate_file, queued)
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
            delete_on_commit(batch.preview_files())
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
    organisation: Organisation,
    batch: ImportBatch,
    confirm_duplicate_file: bool,
    queued: bool = False,
) -> None:
    """Refuse a batch of another organisation, one not waiting to be committed
    and, unless confirmed, a file committed before.

    A batch being processed waits for its task (`queued`): any other caller is
    refused, so a request never commits it a second time itself.
    """
    if batch.organisation_id != organisation.pk:
        raise ValidationError(_("That import belongs to another organisation."))
    if batch.status == ImportStatus.PROCESSING and not queued:
        raise ValidationError(_being_processed(batch), code="processing")
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


def import_commit_request(
    *,
    organisation: Organisation,
    actor: User,
    batch: ImportBatch,
    confirm_duplicate_file: bool = False,
) -> ImportBatch:
    """Commit a previewed batch: a large one through the task queue, others now.

    The one place that decides: a batch of more than IMPORT_BACKGROUND_ROWS
    rows becomes `processing` and is handed to `import_commit_task` once that
    state is saved; the batch returned says which way it went. A batch already
    processing is refused, never committed again here, in the request.
    """
    membership_for_write(organisation=organisation, actor=actor)
    # Refused now rather than by the task: another organisation's batch, one
    # being processed, committed or failed, a file imported before without
    # the confirmation. A small batch is refused the same way by the commit.
    _ensure_committable(organisation, batch, confirm_duplicate_file)
    if batch.rows_read <= settings.IMPORT_BACKGROUND_ROWS:
        return import_commit(
            organisation=organisation,
            actor=actor,
            batch=batch,
            confirm_duplicate_file=confirm_duplicate_file,
        )
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(
            pk=batch.pk, organisation=organisation
        )
        # Another request may have handed it to the queue meanwhile; the
        # commit task checks the rest again under its own lock.
        _ensure_committable(organisation, locked, confirm_duplicate_file=True)
        locked.status = ImportStatus.PROCESSING
        locked.rows_done = 0
        locked.progress_at = timezone.now()
        locked.save(update_fields=["status", "rows_done", "progress_at"])
        # Queued once `processing` is saved, so a worker never finds the batch
        # still at its preview; without a task worker the task runs then,
        # before the request goes on.
        transaction.on_commit(
            partial(
                tasks.import_commit_task.enqueue,
                locked.pk,
                actor.pk,
                confirm_duplicate_file,
            )
        )
    locked.refresh_from_db()
    return locked


def _being_processed(batch: ImportBatch) -> str:
    if import_batch_stopped(batch):
        return _(
            "This import stopped while it was being processed; resume it or discard it."
        )
    return _("This import is already being processed.")
