"""Rolling back a committed batch."""

from decimal import Decimal

import pytest

from emissions.imports.commit import import_commit
from emissions.imports.preview import import_preview
from emissions.imports.rollback import import_rollback
from emissions.models import ActivityEntry
from tests.emissions.imports.support import (
    GOOD,
    xlsx,
)

pytestmark = pytest.mark.django_db


def test_a_rollback_deletes_only_the_batch_lines_and_records_each_in_history(
    org, editor, auditor, unit, catalogue
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from emissions.models import EvidenceDocument, Finding
    from emissions.services.evidence import evidence_attach, evidence_upload

    kept = import_preview(
        organisation=org, actor=editor, file_name="keep.xlsx", data=xlsx(GOOD[:1])
    )
    kept_batch = import_commit(organisation=org, actor=editor, batch=kept.batch)
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD[1:])
    )
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    entry = ActivityEntry.objects.get(import_batch=batch)
    document = evidence_upload(
        organisation=org,
        actor=editor,
        uploaded_file=SimpleUploadedFile(
            "invoice.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
        ),
        kind="invoice",
    )
    evidence_attach(organisation=org, actor=editor, document=document, target=entry)
    Finding.objects.create(
        organisation=org,
        reporting_year=entry.reporting_year,
        entry=entry,
        text="Invoice?",
        raised_by=auditor,
    )
    import_rollback(organisation=org, actor=editor, batch=batch)
    assert list(ActivityEntry.objects.values_list("import_batch", flat=True)) == [
        kept_batch.pk
    ]
    assert not Finding.objects.exists()
    assert EvidenceDocument.objects.filter(pk=document.pk).exists()
    assert ActivityEntry.evidence.through.objects.count() == 0
    deleted = ActivityEntry.history.filter(history_type="-")
    assert [
        (h.id, h.quantity, h.history_user_id, h.history_change_reason) for h in deleted
    ] == [(entry.pk, Decimal("2500.5"), editor.pk, "rollback of import q1.xlsx")]
