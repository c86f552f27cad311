"""Previews: a small upload checked in the request, a large one by the task queue."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from emissions.imports.commit import import_commit
from emissions.imports.preview import import_upload
from emissions.imports.selectors import import_batch_page
from emissions.models import ActivityEntry, ImportBatch
from tests.emissions.imports.support import (
    GOOD,
    stored_names,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db


def test_a_large_upload_is_checked_in_the_background(
    client_for,
    org,
    editor,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_BYTES = 100
    rows = [*GOOD, ["OSL", 2024, "electricity", -5, "kWh"]]
    client = client_for(editor)
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(
            client, org, "big.xlsx", xlsx(rows), HTTP_ACCEPT_LANGUAGE="nb"
        )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("import_detail", args=[org.slug, batch.pk])
    # Kept and waiting for the worker: the page follows its progress.
    assert (batch.status, batch.rows_read, batch.shown_file) == ("checking", 0, "")
    waiting = client.get(response["Location"]).content.decode()
    assert "Checking the file: 0 rows read so far" in waiting
    with pytest.raises(ValidationError, match="cannot be committed"):
        import_commit(organisation=org, actor=editor, batch=batch)
    assert len(callbacks) == 1
    callbacks[0]()  # the worker runs the task
    batch.refresh_from_db()
    assert (batch.status, batch.rows_read) == ("preview", 3)
    # The messages are in the uploader's language, as the upload's would be.
    assert batch.errors == [
        {"row": 4, "column": "quantity", "message": "Mengden kan ikke være negativ."}
    ]
    with translation.override("nb"):
        page = import_batch_page(organisation=org, batch=batch, page=1)
    assert [(row.number, row.kg_co2e) for row in page.rows] == [
        (4, None),
        (2, Decimal("119.0000000000")),  # 10 000 kWh x 0.0119
        (3, Decimal("29.7559500000")),  # 2 500.5 kWh x 0.0119
    ]


def test_a_large_valid_upload_checked_in_the_background_commits(
    client_for,
    org,
    editor,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_BYTES = 100
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(editor), org, "big.xlsx", xlsx(GOOD))
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.prepared_file != "") == ("preview", True)
    batch = import_commit(organisation=org, actor=editor, batch=batch)
    assert [e.quantity for e in ActivityEntry.objects.order_by("pk")] == [
        Decimal("10000"),
        Decimal("2500.5"),
    ]


def test_a_large_upload_that_cannot_be_read_fails_with_the_reason(
    client_for,
    org,
    editor,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_BYTES = 100
    header = ["business_unit", "yaer", "activity", "quantity", "unit"]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(editor), org, "big.xlsx", xlsx([GOOD[0][:5]], header))
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.errors) == (
        "failed",
        [
            {
                "row": None,
                "column": "",
                "message": "The header row (row 1) lacks the column(s) “year” (did "
                "you mean to rename “yaer”?). Use the import template.",
            }
        ],
    )
    assert ActivityEntry.objects.count() == 0
    # Nothing of it is kept but the reason.
    assert (batch.stored_file, stored_names()) == ("", [])


def test_a_large_upload_of_the_wrong_type_is_refused_at_once(
    client_for, org, editor, settings
):
    settings.IMPORT_BACKGROUND_BYTES = 10
    response = upload(
        client_for(editor), org, "fake.xlsx", b"MZ\x90\x00 this is a program" * 4
    )
    assert response.status_code == 200
    assert "is not a real Excel workbook" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_the_upload_service_checks_a_small_file_now_and_queues_a_large_one(
    org, editor, unit, catalogue, settings, django_capture_on_commit_callbacks
):
    data = xlsx(GOOD)
    settings.IMPORT_BACKGROUND_BYTES = len(data)
    with django_capture_on_commit_callbacks() as callbacks:
        small = import_upload(
            organisation=org, actor=editor, file_name="a.xlsx", data=data
        )
    assert (small.status, small.rows_read, callbacks) == ("preview", 2, [])
    settings.IMPORT_BACKGROUND_BYTES = len(data) - 1
    with django_capture_on_commit_callbacks() as callbacks:
        large = import_upload(
            organisation=org, actor=editor, file_name="b.xlsx", data=data
        )
    # Kept as it came; checked once the transaction that keeps it commits.
    assert (large.status, large.rows_read, len(callbacks)) == ("checking", 0, 1)
    callbacks[0]()
    large.refresh_from_db()
    assert (large.status, large.rows_read, large.errors) == ("preview", 2, [])
