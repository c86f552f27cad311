"""Evidence uploads: size, sniffed type, duplicates, download and removal."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.models import EvidenceDocument, ReportingYear, YearStatus
from emissions.services.evidence import (
    evidence_attach,
    evidence_remove,
    evidence_upload,
)
from tests.emissions.entries_support import load_reference, make_entry

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
EML = (
    b"From: faktura@kraft.example\r\nTo: energi@acme.example\r\n"
    b"Subject: Faktura januar\r\nDate: Mon, 5 Feb 2024 10:00:00 +0100\r\n\r\n"
    b"Forbruk: 10 000 kWh\r\n"
)


def _file(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _upload(org, actor, name, data, **kw):
    return evidence_upload(
        organisation=org,
        actor=actor,
        uploaded_file=_file(name, data),
        kind="invoice",
        **kw,
    )


def test_an_allowed_pdf_is_stored_with_hash_size_type_and_uploader(org, editor):
    document = _upload(org, editor, "invoice.pdf", PDF, title="January invoice")
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.size == len(PDF)
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == editor
    assert document.file.name.startswith(f"evidence/{org.pk}/")
    with document.file.open("rb") as handle:
        assert handle.read() == PDF


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("meter.png", PNG, "image/png"),
        ("readings.csv", b"date;kwh\n2024-01-31;812,5\n", "text/csv"),
        ("note.txt", "Måleravlesning 2024: 10 000 kWh".encode(), "text/plain"),
        ("invoice.eml", EML, "message/rfc822"),
    ],
)
def test_other_allowed_types_are_accepted(org, editor, name, data, content_type):
    assert _upload(org, editor, name, data).content_type == content_type


def test_an_exe_named_as_a_pdf_is_refused(org, editor):
    with pytest.raises(ValidationError) as error:
        _upload(org, editor, "invoice.pdf", EXE)
    assert "named as PDF" in error.value.messages[0]
    assert ".exe" in error.value.messages[0]
    assert EvidenceDocument.objects.count() == 0


def test_a_binary_file_named_as_csv_is_refused(org, editor):
    with pytest.raises(ValidationError, match="named as CSV"):
        _upload(org, editor, "data.csv", PNG)


def test_a_disallowed_extension_is_refused(org, editor):
    with pytest.raises(ValidationError, match="cannot be used as evidence"):
        _upload(org, editor, "setup.exe", EXE)


def test_an_oversized_file_is_refused(org, editor, settings):
    settings.EVIDENCE_MAX_BYTES = 50
    with pytest.raises(ValidationError, match="at most 50"):
        _upload(org, editor, "invoice.pdf", PDF)
    assert EvidenceDocument.objects.count() == 0


def test_the_same_bytes_twice_reuse_the_document(org, editor, admin):
    first = _upload(org, editor, "invoice.pdf", PDF)
    second = _upload(org, admin, "copy-of-invoice.pdf", PDF)
    assert second.pk == first.pk
    assert EvidenceDocument.objects.count() == 1
    assert second.original_name == "invoice.pdf"


def test_a_viewer_cannot_upload(org, viewer):
    with pytest.raises(ValidationError):
        _upload(org, viewer, "invoice.pdf", PDF)


@pytest.fixture
def catalogue(db):
    return load_reference()


def test_removal_in_a_locked_year_is_refused(org, unit, editor, catalogue):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    document = _upload(org, editor, "invoice.pdf", PDF)
    evidence_attach(organisation=org, actor=editor, document=document, target=entry)
    ReportingYear.objects.filter(pk=entry.reporting_year_id).update(
        status=YearStatus.APPROVED
    )
    with pytest.raises(ValidationError, match="approved and locked"):
        evidence_remove(organisation=org, actor=editor, document=document, reason="x")
    document.refresh_from_db()
    assert document.removed_at is None


def test_removal_in_an_open_year_is_soft_and_recorded(org, unit, editor, catalogue):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    document = _upload(org, editor, "invoice.pdf", PDF)
    evidence_attach(organisation=org, actor=editor, document=document, target=entry)
    with pytest.raises(ValidationError, match="Give a reason"):
        evidence_remove(organisation=org, actor=editor, document=document, reason="")
    evidence_remove(
        organisation=org, actor=editor, document=document, reason="Wrong invoice"
    )
    document.refresh_from_db()
    assert document.removed_by == editor
    assert document.removal_reason == "Wrong invoice"
    assert document.file.storage.exists(document.file.name)
    last = document.history.order_by("-history_id").first()
    assert (last.history_user, last.history_change_reason) == (editor, "Wrong invoice")


def test_attaching_to_a_submitted_year_is_refused(org, editor):
    reporting_year = ReportingYear.objects.create(
        organisation=org, year=2024, status=YearStatus.SUBMITTED
    )
    document = _upload(org, editor, "invoice.pdf", PDF)
    with pytest.raises(ValidationError, match="submitted"):
        evidence_attach(
            organisation=org, actor=editor, document=document, target=reporting_year
        )
    assert reporting_year.evidence.count() == 0


# --- Pages -------------------------------------------------------------------


def test_download_by_a_viewer_is_an_attachment_with_nosniff(
    client_for, org, editor, viewer
):
    document = _upload(org, editor, "invoice.pdf", PDF)
    response = client_for(viewer).get(
        reverse("evidence_download", args=["acme", document.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="invoice.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_download_by_an_outsider_is_404_and_anonymous_redirected(
    client, client_for, org, editor, outsider
):
    document = _upload(org, editor, "invoice.pdf", PDF)
    url = reverse("evidence_download", args=["acme", document.pk])
    assert client_for(outsider).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert client.post(url).status_code in (302, 405)


def test_download_refuses_post(client_for, org, editor):
    document = _upload(org, editor, "invoice.pdf", PDF)
    url = reverse("evidence_download", args=["acme", document.pk])
    assert client_for(editor).post(url).status_code == 405


def test_upload_on_the_entry_page(client_for, org, unit, editor, viewer, catalogue):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    url = reverse("entry_evidence_upload", args=["acme", entry.pk])
    data = {"file": _file("invoice.pdf", PDF), "kind": "invoice", "title": "Jan"}
    assert client_for(viewer).post(url, data).status_code == 403
    response = client_for(editor).post(
        url, {"file": _file("invoice.pdf", PDF), "kind": "invoice"}, follow=True
    )
    assert "was attached" in response.content.decode()
    assert entry.evidence.get().original_name == "invoice.pdf"
    disguised = client_for(editor).post(
        url, {"file": _file("scan.pdf", EXE), "kind": "invoice"}, follow=True
    )
    assert "was refused" in disguised.content.decode()
    assert EvidenceDocument.objects.count() == 1
    assert client_for(editor).get(url).status_code == 405


def test_upload_on_the_year_page(client_for, org, editor, outsider):
    url = reverse("year_evidence_upload", args=["acme", 2024])
    assert client_for(outsider).post(url).status_code == 404
    client_for(editor).post(url, {"file": _file("policy.pdf", PDF), "kind": "policy"})
    year = ReportingYear.objects.get(organisation=org, year=2024)
    assert year.evidence.get().kind == "policy"
    page = client_for(editor).get(reverse("year_detail", args=["acme", 2024]))
    assert "policy.pdf" in page.content.decode()


def test_remove_page_action(client_for, org, editor, viewer):
    reporting_year = ReportingYear.objects.create(organisation=org, year=2024)
    document = _upload(org, editor, "invoice.pdf", PDF)
    reporting_year.evidence.add(document)
    url = reverse("evidence_remove", args=["acme", document.pk])
    assert client_for(viewer).post(url, {"reason": "x"}).status_code == 403
    assert client_for(editor).get(url).status_code == 405
    response = client_for(editor).post(
        url, {"reason": "Duplicate", "next": "/o/acme/years/2024/"}
    )
    assert response["Location"] == "/o/acme/years/2024/"
    document.refresh_from_db()
    assert document.removal_reason == "Duplicate"


def test_attaching_is_recorded_in_the_documents_history(org, unit, editor, catalogue):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    document = _upload(org, editor, "invoice.pdf", PDF)
    evidence_attach(organisation=org, actor=editor, document=document, target=entry)
    evidence_attach(organisation=org, actor=editor, document=document, target=entry)
    records = list(document.history.order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    attached = records[1]
    assert attached.history_user_id == editor.pk
    assert attached.history_change_reason.startswith(
        f"Attached to activity entry #{entry.pk}: "
    )
    assert list(entry.evidence.all()) == [document]
