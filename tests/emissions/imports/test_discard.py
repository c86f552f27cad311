"""Discarding an upload that was never imported."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from emissions.imports.commit import import_commit
from emissions.imports.discard import import_discard
from emissions.imports.preview import import_preview
from emissions.models import ActivityEntry
from tests.emissions.imports.support import (
    GOOD,
    xlsx,
)

pytestmark = pytest.mark.django_db


def test_an_upload_that_was_not_imported_can_be_discarded(
    client_for, org, editor, viewer, unit, catalogue, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = preview.batch
    files = [batch.stored_file, batch.prepared_file, batch.shown_file]
    assert all(default_storage.exists(name) for name in files)
    url = reverse("import_discard", args=[org.slug, batch.pk])
    assert client_for(viewer).post(url).status_code == 403
    detail = reverse("import_detail", args=[org.slug, batch.pk])
    assert url in client_for(editor).get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("import_upload", args=[org.slug])
    assert "The upload was discarded and its files deleted." in (
        response.content.decode()
    )
    batch.refresh_from_db()
    assert (batch.status, batch.stored_file, batch.prepared_file, batch.shown_file) == (
        "discarded",
        "",
        "",
        "",
    )
    assert not any(default_storage.exists(name) for name in files)
    assert ActivityEntry.objects.count() == 0
    # Nothing is left to commit, and it cannot be discarded twice.
    with pytest.raises(ValidationError, match="cannot be committed again"):
        import_commit(organisation=org, actor=editor, batch=batch)
    with pytest.raises(ValidationError, match="Only an upload that was not imported"):
        import_discard(organisation=org, actor=editor, batch=batch)


def test_an_imported_batch_cannot_be_discarded(org, editor, unit, catalogue):
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    with pytest.raises(ValidationError, match="Only an upload that was not imported"):
        import_discard(organisation=org, actor=editor, batch=batch)
    batch.refresh_from_db()
    assert (batch.status, ActivityEntry.objects.count()) == ("committed", 2)
