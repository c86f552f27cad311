"""Files kept beside an upload: parsed rows for the commit, shown rows for pages."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from emissions.imports.commit import import_commit
from emissions.imports.preview import import_preview
from emissions.imports.rollback import import_rollback
from emissions.imports.selectors import import_batch_page
from emissions.models import ActivityEntry, ImportBatch, ReportingYear
from tests.emissions.entries_support import load_heating_figures
from tests.emissions.imports.support import (
    GOOD,
    MIXED,
    entry_values,
    page_checked_again,
    shown_rows,
    stored_names,
    xlsx,
)

pytestmark = pytest.mark.django_db


def test_a_valid_preview_keeps_the_parsed_rows_for_the_commit(
    org, editor, unit, catalogue, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.files.storage import default_storage

    from emissions.imports import commit

    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = preview.batch
    with default_storage.open(batch.prepared_file, "rb") as handle:
        lines = handle.read().decode().splitlines()
    assert len(lines) == 3
    assert '"kinds": [["OSL", 2024, "electricity", "kWh"]]' in lines[0]
    assert lines[1:] == [
        "2,0,,,10000.0,measured,,inv-1",
        "3,0,2024-01-01,2024-03-31,2500.5,estimated,Q1,inv-2",
    ]
    path = batch.prepared_file

    def no_reading(*args):
        raise AssertionError("the commit read the uploaded file again")

    monkeypatch.setattr(commit, "read_upload", no_reading)
    with django_capture_on_commit_callbacks(execute=True):
        committed = import_commit(organisation=org, actor=editor, batch=batch)
    # It served the commit and is gone; the uploaded file stays for the audit.
    assert committed.prepared_file == ""
    assert not default_storage.exists(path)
    assert default_storage.exists(committed.stored_file)
    assert [e["quantity"] for e in entry_values(committed)] == [
        Decimal("10000"),
        Decimal("2500.5"),
    ]


def test_a_preview_with_errors_keeps_no_parsed_rows(org, editor, unit, catalogue):
    rows = [*GOOD, ["OSL", 2024, "electricity", -5, "kWh"]]
    preview = import_preview(
        organisation=org, actor=editor, file_name="bad.xlsx", data=xlsx(rows)
    )
    assert not preview.is_valid
    assert preview.batch.prepared_file == ""
    assert preview.batch.prepared_sha256 == ""


@pytest.mark.parametrize("damage", ["missing", "altered", "other format"])
def test_the_commit_reads_the_file_again_without_sound_parsed_rows(
    org, editor, unit, catalogue, damage
):
    """Entries are the same whether the commit reads the parsed rows or the file."""
    from django.core.files.storage import default_storage

    first = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    import_commit(organisation=org, actor=editor, batch=first.batch)
    expected = entry_values(first.batch)
    assert [e["quantity"] for e in expected] == [Decimal("10000"), Decimal("2500.5")]
    import_rollback(organisation=org, actor=editor, batch=first.batch)

    second = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = second.batch
    path = batch.prepared_file
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    default_storage.delete(path)
    if damage == "altered":
        # A quantity changed on disk: the checksum no longer matches.
        default_storage.save(path, io.BytesIO(content.replace(b",10000.0,", b",99,")))
    elif damage == "other format":
        import hashlib

        content = content.replace(b'"format": 1', b'"format": 0')
        default_storage.save(path, io.BytesIO(content))
        batch.prepared_sha256 = hashlib.sha256(content).hexdigest()
        batch.save(update_fields=["prepared_sha256"])
    batch = import_commit(
        organisation=org, actor=editor, batch=batch, confirm_duplicate_file=True
    )
    assert batch.rows_created == 2
    assert entry_values(batch) == expected


def test_text_with_commas_quotes_and_line_breaks_survives_the_parsed_rows(
    org, editor, unit, catalogue, monkeypatch
):
    from emissions.imports import commit

    comment = 'Tank 2, "north side"\nrefilled; 50 % estimated'
    rows = [["OSL", 2024, "electricity", 12.5, "kWh", None, None, "", comment, "a,b"]]
    preview = import_preview(
        organisation=org, actor=editor, file_name="t.xlsx", data=xlsx(rows)
    )
    monkeypatch.setattr(commit, "read_upload", None)  # the file is not read again
    import_commit(organisation=org, actor=editor, batch=preview.batch)
    entry = ActivityEntry.objects.get()
    assert (entry.comment, entry.source_reference) == (comment, "a,b")
    assert (entry.quantity, entry.kg_co2e) == (
        Decimal("12.5"),
        Decimal("0.1487500000"),
    )  # x 0.0119


def test_preview_pages_show_the_rows_as_checked_without_reading_the_file(
    org, editor, unit, catalogue, monkeypatch
):
    from emissions.imports import selectors

    load_heating_figures(org)
    preview = import_preview(
        organisation=org, actor=editor, file_name="mixed.xlsx", data=xlsx(MIXED)
    )
    batch = preview.batch
    assert batch.shown_file.endswith(".shown.csv")
    expected = [page_checked_again(org, batch, page, 2) for page in (1, 2, 3)]
    # Errors first, then the valid rows, in file order.
    assert [row.number for page in expected for row in page.rows] == [3, 5, 6, 2, 4, 7]

    def no_reading(*args):
        raise AssertionError("the page read the uploaded file again")

    monkeypatch.setattr(selectors, "read_upload", no_reading)
    for number, checked in enumerate(expected, start=1):
        page = import_batch_page(organisation=org, batch=batch, page=number, per_page=2)
        assert shown_rows(page.rows) == shown_rows(checked.rows)
        # 10 000 kWh and 2 500 500 kWh x 0.0119, 300 kWh of heating x 0.015.
        assert (page.row_count, page.error_count, page.totals) == (
            6,
            3,
            {2: Decimal("29879.4500000000")},
        )
        assert page.totals == checked.totals
    first = import_batch_page(organisation=org, batch=batch, page=1, per_page=2)
    assert shown_rows(first.rows)[0] == (
        3,
        {
            "business_unit": "OSL",
            "year": "2024",
            "activity": "electricity",
            "quantity": "-5",
            "unit": "kWh",
        },
        [("quantity", "The quantity cannot be negative.")],
        None,
        None,
        None,
    )
    empty = import_batch_page(organisation=org, batch=batch, page=4, per_page=2)
    assert (empty.rows, empty.row_count) == ([], 6)


def test_a_page_in_another_language_checks_every_row_again(
    org, editor, unit, catalogue
):
    preview = import_preview(
        organisation=org, actor=editor, file_name="mixed.xlsx", data=xlsx(MIXED)
    )
    with translation.override("nb"):
        page = import_batch_page(organisation=org, batch=preview.batch, page=1)
    assert page.rows[0].errors == [("quantity", "Mengden kan ikke være negativ.")]


@pytest.mark.parametrize("damage", ["missing", "truncated", "other file"])
def test_a_page_without_sound_shown_rows_checks_every_row_again(
    org, editor, unit, catalogue, damage
):
    from django.core.files.storage import default_storage

    preview = import_preview(
        organisation=org, actor=editor, file_name="mixed.xlsx", data=xlsx(MIXED)
    )
    batch = preview.batch
    expected = shown_rows(page_checked_again(org, batch, 1, 50).rows)
    path = batch.shown_file
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    default_storage.delete(path)
    if damage == "truncated":
        default_storage.save(path, io.BytesIO(content[: len(content) // 2]))
    elif damage == "other file":
        content = content.replace(batch.sha256.encode(), b"0" * 64)
        default_storage.save(path, io.BytesIO(content))
    page = import_batch_page(organisation=org, batch=batch, page=1, per_page=50)
    assert shown_rows(page.rows) == expected


def test_the_shown_rows_go_once_the_batch_is_committed_or_failed(
    org, editor, unit, catalogue, django_capture_on_commit_callbacks, tmp_path
):
    from django.core.files.storage import default_storage

    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    path = preview.batch.shown_file
    assert default_storage.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert batch.shown_file == ""
    assert not default_storage.exists(path)

    import_rollback(organisation=org, actor=editor, batch=batch)
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    path = preview.batch.shown_file
    ReportingYear.objects.filter(organisation=org, year=2024).update(status="approved")
    with pytest.raises(ValidationError):
        import_commit(
            organisation=org,
            actor=editor,
            batch=preview.batch,
            confirm_duplicate_file=True,
        )
    assert ImportBatch.objects.get(pk=preview.batch.pk).shown_file == ""
    assert not default_storage.exists(path)

    file = tmp_path / "q1.xlsx"
    file.write_bytes(xlsx(GOOD))
    kept = set(stored_names())
    # The command's batch goes with its transaction when the file has errors
    # (the year is still approved) or when it is a dry run; so do its files.
    with pytest.raises(CommandError, match="2 rows have errors"):
        call_command("import_activities", str(file), org=org.slug, user=editor.email)
    ReportingYear.objects.filter(organisation=org, year=2024).update(status="open")
    call_command(
        "import_activities", str(file), org=org.slug, user=editor.email, dry_run=True
    )
    assert set(stored_names()) == kept
