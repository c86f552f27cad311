"""Roll back a committed batch: delete every entry it created, years permitting."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.roles import Capability
from accounts.tenancy import membership_for_write
from carbonledger.lib.bulk import copy_to_history
from emissions.models import (
    ActivityEntry,
    Finding,
    ImportBatch,
    ImportStatus,
    ReportingYear,
)
from emissions.services.locks import ensure_year_writable


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
