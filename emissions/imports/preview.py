"""Preview an upload: read, check and calculate every row; write no entries.

A small upload is checked in the request (`import_preview`); a large one is
kept at once, after the checks made before any parser sees it, and checked by
the task queue (`import_upload_for_check`, then `import_check`). `import_upload`
decides which. Either way the batch becomes a preview with its errors, the
parsed rows of a valid file and the rows as its pages show them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Organisation, User
from accounts.tenancy import membership_for_write
from carbonledger.lib.files import storage_delete, storage_save
from emissions.imports import tasks
from emissions.imports.reading import RawFile, check_upload, read_upload
from emissions.imports.rows import (
    PROGRESS_EVERY,
    Context,
    RowResult,
    Tally,
    error_records,
    evaluate,
)
from emissions.imports.stored import Prepared, Shown, read_stored, store_upload
from emissions.models import ImportBatch, ImportStatus


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
        stored_file=store_upload(organisation, sha, file_name, data),
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


def import_upload(
    *, organisation: Organisation, actor: User, file_name: str, data: bytes
) -> ImportBatch:
    """Preview an upload: a large one through the task queue, others now.

    The one place that decides: an upload of more than IMPORT_BACKGROUND_BYTES
    is kept as `checking` and checked by the task queue
    (`import_upload_for_check`); a smaller one is checked in the request
    (`import_preview`). The batch returned says which way it went.
    """
    arguments = {
        "organisation": organisation,
        "actor": actor,
        "file_name": file_name,
        "data": data,
    }
    if len(data) > settings.IMPORT_BACKGROUND_BYTES:
        return import_upload_for_check(**arguments)
    return import_preview(**arguments).batch


def import_upload_for_check(
    *, organisation: Organisation, actor: User, file_name: str, data: bytes
) -> ImportBatch:
    """Keep a large upload and have its rows checked by the task queue.

    The checks made before any parser sees the file (size, type, macros,
    archive) are made at once; the batch then waits, as `checking`, for
    `import_check`, which makes it a preview as `import_preview` would.
    """
    membership_for_write(organisation=organisation, actor=actor)
    check_upload(file_name, data)
    sha = hashlib.sha256(data).hexdigest()
    batch = ImportBatch.objects.create(
        organisation=organisation,
        file_name=PurePath(file_name).name[:255],
        sha256=sha,
        stored_file=store_upload(organisation, sha, file_name, data),
        uploaded_by=actor,
        status=ImportStatus.CHECKING,
        progress_at=timezone.now(),
    )
    # The messages of the rows in the uploader's language.
    language = get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(partial(tasks.import_check_task.enqueue, batch.pk, language))
    return batch


def import_check(*, batch: ImportBatch) -> ImportBatch:
    """Check the rows of an upload kept by `import_upload_for_check`.

    Progress is saved as it goes (`rows_done`). The batch becomes a preview,
    or fails with the reason when the file cannot be read.
    """
    if batch.status != ImportStatus.CHECKING:
        return batch
    try:
        raw = read_upload(batch.file_name, read_stored(batch))
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

    tally: Tally
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
    tally = Tally()
    prepared = Prepared()
    shown = Shown()
    for done, row in enumerate(
        evaluate(Context(organisation, actor), raw, prepared), start=1
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
    batch.errors = error_records(checked.tally.error_rows)
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
