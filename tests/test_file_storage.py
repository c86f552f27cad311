"""A file storage that refuses writes, and stored files that went missing.

Uploads answer with a message and keep nothing, a report fails with the
reason instead of running for ever, and a missing report or evidence file
answers 404 with a message on the page and in the API alike.
"""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken
from emissions.models import EvidenceDocument, ImportBatch
from emissions.services.evidence import evidence_upload
from reports.models import GeneratedReport
from tests.emissions.imports.support import GOOD, xlsx
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
NOT_WRITABLE = (
    "The file could not be stored: the file storage does not accept it. Nothing "
    "was saved; ask the administrator to check the media folder."
)


@pytest.fixture
def catalogue(db):
    from emissions.catalogue import load_activity_types, load_curated_factors

    load_activity_types()
    load_curated_factors()


@pytest.fixture
def year_data(org, admin):
    unit = BusinessUnitFactory(organisation=org, code="OSL")
    entry(
        organisation=org,
        unit=unit,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="5000",
        user=admin,
    )
    return unit


@pytest.fixture
def unwritable_media(settings, tmp_path):
    """A media folder that cannot be created: its parent is a plain file."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    return settings.MEDIA_ROOT


def _stored_files(root) -> list[str]:
    return [name for _dir, _dirs, names in os.walk(root) for name in names]


def test_an_import_upload_to_unwritable_storage_answers_with_a_message(
    client_for, org, editor, catalogue, unwritable_media
):
    BusinessUnitFactory(organisation=org, code="OSL", country="NO")
    upload = io.BytesIO(xlsx(GOOD))
    upload.name = "q1.xlsx"
    response = client_for(editor).post(
        reverse("import_upload", args=[org.slug]), {"file": upload}
    )
    assert response.status_code == 200
    assert NOT_WRITABLE in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_large_import_checked_in_the_background_fails_when_its_rows_cannot_be_kept(
    client_for,
    org,
    editor,
    catalogue,
    settings,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    BusinessUnitFactory(organisation=org, code="OSL", country="NO")
    settings.IMPORT_BACKGROUND_BYTES = 100
    upload = io.BytesIO(xlsx(GOOD))
    upload.name = "big.xlsx"
    with django_capture_on_commit_callbacks() as callbacks:
        client_for(editor).post(
            reverse("import_upload", args=[org.slug]), {"file": upload}
        )
    batch = ImportBatch.objects.get()
    assert batch.status == "checking"
    # The storage stops accepting files before the worker keeps the checked rows.
    from django.core.files.storage import FileSystemStorage

    original = FileSystemStorage.save

    def refuse(storage, name, content, *args, **kwargs):
        if name.endswith((".rows.jsonl", ".shown.csv")):
            raise PermissionError(13, "Permission denied", name)
        return original(storage, name, content, *args, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "save", refuse)
    callbacks[0]()
    batch.refresh_from_db()
    assert (batch.status, batch.stored_file, batch.prepared_file, batch.shown_file) == (
        "failed",
        "",
        "",
        "",
    )
    assert batch.errors == [{"row": None, "column": "", "message": NOT_WRITABLE}]
    assert _stored_files(tmp_path / "media") == []


def test_evidence_upload_to_unwritable_storage_answers_with_a_message(
    client_for, org, editor, unwritable_media
):
    response = client_for(editor).post(
        reverse("year_evidence_upload", args=[org.slug, 2024]),
        {"file": SimpleUploadedFile("invoice.pdf", PDF), "kind": "invoice"},
        follow=True,
    )
    assert response.status_code == 200
    assert NOT_WRITABLE in response.content.decode()
    assert EvidenceDocument.objects.count() == 0


def test_a_report_that_cannot_be_stored_fails_with_the_reason(
    client_for,
    org,
    viewer,
    year_data,
    unwritable_media,
    django_capture_on_commit_callbacks,
):
    client = client_for(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("report_list", args=[org.slug]),
            {"kind": "pdf", "year": "2024", "language": "en"},
        )
    report = GeneratedReport.objects.get()
    assert (report.status, report.file.name, report.error) == (
        "failed",
        "",
        NOT_WRITABLE,
    )
    assert report.finished_at is not None
    # The list says why, and asks for itself no more: nothing is left running.
    listing = client.get(reverse("report_list", args=[org.slug])).content.decode()
    assert NOT_WRITABLE in listing
    assert 'hx-trigger="every 2s"' not in listing


def _built_report(client, org, capture):
    with capture(execute=True):
        client.post(
            reverse("report_list", args=[org.slug]),
            {"kind": "xlsx", "year": "2024", "language": "en"},
        )
    report = GeneratedReport.objects.get()
    assert report.status == "done"
    return report


def test_a_report_whose_file_is_missing_answers_404_with_a_message(
    client_for, org, viewer, year_data, django_capture_on_commit_callbacks
):
    client = client_for(viewer)
    report = _built_report(client, org, django_capture_on_commit_callbacks)
    os.remove(report.file.path)
    response = client.get(reverse("report_download", args=[org.slug, report.pk]))
    assert response.status_code == 404
    assert (
        "The file of this report is missing from the file storage; ask for the "
        "report again to build it anew." in response.content.decode()
    )
    # Reading the page changes nothing.
    report.refresh_from_db()
    assert report.status == "done"


def test_the_api_answers_404_for_a_report_whose_file_is_missing(
    client_for, org, viewer, year_data, django_capture_on_commit_callbacks
):
    report = _built_report(client_for(viewer), org, django_capture_on_commit_callbacks)
    os.remove(report.file.path)
    api = APIClient()
    _token, raw = ApiToken.issue(user=viewer, name="tests")
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = api.get(
        f"/api/v1/organisations/{org.slug}/reports/{report.pk}/download/"
    )
    assert response.status_code == 404
    assert response.json() == {
        "errors": {
            "detail": [
                "The file of this report is missing from the file storage; ask "
                "for the report again to build it anew."
            ]
        }
    }


def test_evidence_whose_file_is_missing_answers_404_with_a_message(
    client_for, org, editor
):
    document = evidence_upload(
        organisation=org,
        actor=editor,
        uploaded_file=SimpleUploadedFile("invoice.pdf", PDF),
        kind="invoice",
    )
    os.remove(document.file.path)
    response = client_for(editor).get(
        reverse("evidence_download", args=[org.slug, document.pk])
    )
    assert response.status_code == 404
    assert "The stored file of this document is missing" in response.content.decode()
