"""Discard an upload that was never imported: its files go, its record stays."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.roles import Capability
from accounts.tenancy import membership_for_write
from emissions.imports.selectors import import_batch_stopped
from emissions.imports.stored import delete_on_commit
from emissions.models import ImportBatch, ImportStatus


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
    delete_on_commit(batch.files())
    batch.status = ImportStatus.DISCARDED
    batch.stored_file = batch.prepared_file = batch.shown_file = ""
    batch.prepared_sha256 = ""
    batch.save()
    return batch
