"""Background work of imports (django-tasks; inline without a worker)."""

from django_tasks import task


@task()
def import_commit_task(
    batch_id: int, user_id: int, confirm_duplicate_file: bool
) -> str:
    """Commit a large previewed import outside the web request."""
    from django.core.exceptions import ValidationError

    from accounts.models import User
    from emissions.imports.commit import import_commit
    from emissions.models import ImportBatch

    batch = ImportBatch.objects.select_related("organisation").get(pk=batch_id)
    try:
        batch = import_commit(
            organisation=batch.organisation,
            actor=User.objects.get(pk=user_id),
            batch=batch,
            confirm_duplicate_file=confirm_duplicate_file,
            queued=True,
        )
    except ValidationError:
        batch.refresh_from_db()
    return batch.status


@task()
def import_check_task(batch_id: int, language: str) -> str:
    """Check the rows of a large upload outside the web request."""
    from django.utils import translation

    from emissions.imports.preview import import_check as check
    from emissions.models import ImportBatch

    batch = ImportBatch.objects.select_related("organisation", "uploaded_by").get(
        pk=batch_id
    )
    with translation.override(language):
        return check(batch=batch).status
