"""The import pages: roles, upload, preview, commit."""

import io

import pytest
from django.urls import reverse

from emissions.models import ActivityEntry, ImportBatch
from tests.emissions.imports.support import (
    GOOD,
    xlsx,
)

pytestmark = pytest.mark.django_db


def test_import_pages(
    client_for, client, org, editor, viewer, outsider, unit, catalogue
):
    url = reverse("import_upload", args=[org.slug])
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    editor_client = client_for(editor)
    upload = io.BytesIO(xlsx(GOOD))
    upload.name = "q1.xlsx"
    response = editor_client.post(url, {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    detail = editor_client.get(reverse("import_detail", args=[org.slug, batch.pk]))
    assert "Import all 2 rows" in detail.content.decode()
    editor_client.post(reverse("import_commit", args=[org.slug, batch.pk]))
    assert ActivityEntry.objects.count() == 2
    template = editor_client.get(reverse("import_template", args=[org.slug, "xlsx"]))
    assert template.status_code == 200, template.content[:300]
    assert template["Content-Disposition"].endswith('import-template.xlsx"')
    response = client_for(viewer).post(
        reverse("import_rollback", args=[org.slug, batch.pk])
    )
    assert response.status_code == 403
