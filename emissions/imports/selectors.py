"""Reads of imports: the uploads, a page of a preview, whether a batch stopped."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from accounts.tenancy import is_limited
from emissions.imports.reading import read_upload
from emissions.imports.rows import Context, ImportPage, RowResult, Tally, evaluate
from emissions.imports.stored import read_stored, shown_page
from emissions.models import ImportBatch, ImportStatus


def import_batches(
    *,
    organisation: Organisation,
    membership: Membership | None,
    user: User,
    limit: int = 30,
) -> list[ImportBatch]:
    """Return the latest uploads a member sees, newest first.

    A member limited to some units sees their own uploads only: another
    member's file may hold any unit's lines.
    """
    batches = ImportBatch.objects.filter(organisation=organisation)
    if is_limited(membership):
        batches = batches.filter(uploaded_by=user)
    return list(batches.select_related("uploaded_by")[:limit])


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
    shown = shown_page(batch, end - per_page, end)
    if shown is not None:
        return shown
    raw = read_upload(batch.file_name, read_stored(batch))
    tally = Tally()
    valid: list[RowResult] = []
    for row in evaluate(Context(organisation, batch.uploaded_by), raw):
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
