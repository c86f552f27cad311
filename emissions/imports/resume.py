"""Resume a check or commit whose worker stopped, through the task queue."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.roles import Capability
from accounts.tenancy import membership_for_write
from emissions.imports import tasks
from emissions.imports.selectors import import_batch_stopped
from emissions.models import ImportBatch, ImportStatus


def import_resume(
    *, organisation: Organisation, actor: User, batch: ImportBatch
) -> ImportBatch:
    """Start a stopped check or commit again, through the task queue.

    The check reads the stored file from the start; the commit checks every
    row again and writes them all in one transaction, as it would have.
    """
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
            task = partial(tasks.import_check_task.enqueue, locked.pk, language)
        else:
            # A batch of a file imported before was committed with the
            # confirmation; one imported meanwhile is refused by the commit.
            task = partial(
                tasks.import_commit_task.enqueue,
                locked.pk,
                actor.pk,
                locked.duplicate_of_id is not None,
            )
        transaction.on_commit(task)
    return locked
