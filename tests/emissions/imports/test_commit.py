"""Commit: every entry in one transaction or none, checked again before writing."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from emissions.imports.commit import import_commit, import_commit_request
from emissions.imports.preview import import_preview
from emissions.imports.rollback import import_rollback
from emissions.imports.selectors import import_batch_page
from emissions.models import ActivityEntry, ImportBatch, ReportingYear
from tests.emissions.entries_support import load_heating_figures
from tests.emissions.imports.support import (
    GOOD,
    xlsx,
)

pytestmark = pytest.mark.django_db


def test_round_trip_preview_commit_and_rollback(org, editor, unit, catalogue):
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    assert preview.is_valid
    assert ActivityEntry.objects.count() == 0
    # NO 2024 grid factor 0.0119 kg/kWh: 10 000 -> 119, 2 500.5 -> 29.75595
    page = import_batch_page(organisation=org, batch=preview.batch, page=1)
    assert [(row.number, row.kg_co2e) for row in page.rows] == [
        (2, Decimal("119.0000000000")),
        (3, Decimal("29.7559500000")),
    ]
    assert preview.totals_by_scope() == {2: Decimal("148.7559500000")}
    assert preview.row_count == page.row_count == 2
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert batch.rows_created == 2
    entries = ActivityEntry.objects.order_by("pk")
    assert [e.quantity for e in entries] == [Decimal("10000"), Decimal("2500.5")]
    assert all(e.import_batch_id == batch.pk for e in entries)
    assert entries[1].period_start.isoformat() == "2024-01-01"
    assert entries[0].history.count() == 1
    import_rollback(organisation=org, actor=editor, batch=batch)
    assert ActivityEntry.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == "rolled_back"


def test_one_bad_row_means_nothing_is_written(org, editor, unit, catalogue):
    rows = [*GOOD, ["OSL", 2024, "electricity", -5, "kWh"]]
    preview = import_preview(
        organisation=org, actor=editor, file_name="bad.xlsx", data=xlsx(rows)
    )
    assert not preview.is_valid
    assert preview.error_rows[0].number == 4
    assert preview.error_rows[0].errors == [
        ("quantity", "The quantity cannot be negative.")
    ]
    with pytest.raises(ValidationError, match="1 rows have errors"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert ActivityEntry.objects.count() == 0
    assert ImportBatch.objects.get().status == "failed"


def test_the_same_file_twice_needs_a_confirmation(org, editor, unit, catalogue):
    data = xlsx([GOOD[0]])
    first = import_preview(
        organisation=org, actor=editor, file_name="a.xlsx", data=data
    )
    import_commit(organisation=org, actor=editor, batch=first.batch)
    second = import_preview(
        organisation=org, actor=editor, file_name="a.xlsx", data=data
    )
    with pytest.raises(ValidationError, match="already imported"):
        import_commit(organisation=org, actor=editor, batch=second.batch)
    import_commit(
        organisation=org, actor=editor, batch=second.batch, confirm_duplicate_file=True
    )
    assert ActivityEntry.objects.count() == 2


def test_large_imports_are_committed_by_the_task_queue(
    client_for,
    org,
    editor,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    client = client_for(editor)
    upload = io.BytesIO(xlsx(GOOD))
    upload.name = "large.xlsx"
    client.post(reverse("import_upload", args=[org.slug]), {"file": upload})
    batch = ImportBatch.objects.get()
    # The task is handed to the queue once `processing` is saved; without a
    # worker it runs then, and with one the page follows its progress.
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("import_commit", args=[org.slug, batch.pk]), follow=True
        )
    batch.refresh_from_db()
    assert (batch.status, ActivityEntry.objects.count()) == ("processing", 0)
    assert "The import is being processed." in response.content.decode()
    assert len(callbacks) == 1
    callbacks[0]()
    batch.refresh_from_db()
    assert batch.status == "committed"
    assert batch.rows_done == 2
    assert ActivityEntry.objects.count() == 2


def test_imported_entries_equal_entries_the_forms_would_save(
    org, editor, unit, catalogue
):
    """The fast writer stores exactly what the ORM stores for the same line."""
    from emissions.models import ActivityType
    from emissions.services.entries import entry_create

    preview = import_preview(
        organisation=org, actor=editor, file_name="q.xlsx", data=xlsx(GOOD[1:])
    )
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    imported = ActivityEntry.objects.get(import_batch=batch)
    typed = entry_create(
        organisation=org,
        actor=editor,
        business_unit=unit,
        year=2024,
        activity_type=ActivityType.objects.get(code="electricity"),
        quantity=Decimal("2500.5"),
        unit="kWh",
        period_start=imported.period_start,
        period_end=imported.period_end,
        data_quality="estimated",
        comment="Q1",
        source_reference="inv-2",
    )
    typed.refresh_from_db()
    skip = {"id", "import_batch_id", "calculated_at", "created_at", "updated_at"}
    names = [f.attname for f in ActivityEntry._meta.concrete_fields]
    for name in names:
        if name not in skip:
            assert getattr(imported, name) == getattr(typed, name), name
    assert imported.kg_co2e == Decimal("29.7559500000")  # 2 500.5 kWh x 0.0119
    assert imported.kg_co2e_market == typed.kg_co2e_market
    assert imported.created_at == imported.updated_at == imported.calculated_at
    assert imported.version == 1


def test_each_imported_entry_gets_one_history_row_with_its_values(
    org, editor, unit, catalogue
):
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    history = ActivityEntry.history.order_by("id")
    entries = ActivityEntry.objects.order_by("id")
    assert [(h.id, h.quantity, h.kg_co2e) for h in history] == [
        (e.id, e.quantity, e.kg_co2e) for e in entries
    ]
    assert {h.history_type for h in history} == {"+"}
    assert {h.history_user_id for h in history} == {editor.pk}
    assert {h.history_change_reason for h in history} == {"import q1.xlsx"}
    assert {h.import_batch_id for h in history} == {batch.pk}


def test_a_failure_while_writing_leaves_no_entries(
    org, editor, unit, catalogue, monkeypatch
):
    from emissions.imports import commit

    rows = [
        ["OSL", 2024, "electricity", 100 + i, "kWh", None, None, "", "", f"m-{i}"]
        for i in range(5)
    ]
    preview = import_preview(
        organisation=org, actor=editor, file_name="m.xlsx", data=xlsx(rows)
    )
    written = []

    def failing_history(model, **kwargs):
        # The entries are in the table by now; the history fails.
        written.append(model.objects.filter(import_batch=preview.batch).count())
        raise OSError("disk full")

    monkeypatch.setattr(commit, "copy_to_history", failing_history)
    with pytest.raises(OSError, match="disk full"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert written == [5]
    assert ActivityEntry.objects.count() == 0
    assert ActivityEntry.history.count() == 0
    assert ImportBatch.objects.get().status == "preview"


def test_a_year_locked_after_the_preview_refuses_the_commit(
    org, editor, unit, catalogue
):
    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([GOOD[0]])
    )
    ReportingYear.objects.filter(organisation=org, year=2024).update(status="approved")
    with pytest.raises(ValidationError, match="1 rows have errors"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert ActivityEntry.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    assert batch.errors[0]["row"] == 2
    assert "approved and locked" in batch.errors[0]["message"]


def test_a_year_locked_while_the_rows_are_checked_refuses_the_write(
    org, editor, unit, catalogue, monkeypatch
):
    from emissions.imports import commit

    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([GOOD[0]])
    )
    real_check = commit._ensure_committable
    calls = []

    def check_then_lock(*args):
        calls.append(args)
        if len(calls) == 2:  # the check inside the writing transaction
            ReportingYear.objects.filter(organisation=org, year=2024).update(
                status="approved"
            )
        real_check(*args)

    monkeypatch.setattr(commit, "_ensure_committable", check_then_lock)
    with pytest.raises(ValidationError, match="approved and locked"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert len(calls) == 2
    assert ActivityEntry.objects.count() == 0
    assert ActivityEntry.history.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    assert batch.errors == [
        {
            "row": None,
            "column": "year",
            "message": "The year 2024 is approved and locked; an administrator "
            "must unlock it with a reason before anything can change.",
        }
    ]


def test_a_committed_batch_cannot_be_committed_twice(org, editor, unit, catalogue):
    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([GOOD[0]])
    )
    import_commit(organisation=org, actor=editor, batch=preview.batch)
    stale = ImportBatch.objects.get()
    stale.status = "preview"  # a second request still holding the old state
    with pytest.raises(ValidationError, match="cannot be committed again"):
        import_commit(organisation=org, actor=editor, batch=stale)
    assert ActivityEntry.objects.count() == 1


def test_the_commit_calculates_with_the_organisation_as_it_is_then(
    org, editor, unit, catalogue
):
    """A unit moved to Sweden after the preview is committed with Swedish factors."""
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    assert preview.totals_by_scope() == {2: Decimal("148.7559500000")}  # NO 0.0119
    unit.country = "SE"
    unit.save()
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    entries = ActivityEntry.objects.filter(import_batch=batch).order_by("id")
    # SE 2024: 0.006 kg/kWh location-based (EEA), 0.08552 residual mix (AIB).
    assert [(e.kg_co2e, e.kg_co2e_market) for e in entries] == [
        (Decimal("60.0000000000"), Decimal("855.2000000000")),
        (Decimal("15.0030000000"), Decimal("213.8427600000")),
    ]
    assert [e.factor_key for e in entries] == ["grid_location|SE"] * 2


UNIT_NOT_YOURS = (
    "You may only enter data for the business units you are assigned to; "
    "OSL is not one of them."
)


def test_a_unit_removed_from_a_member_after_the_preview_fails_each_row(
    org, editor, unit, catalogue
):
    from django.core.files.storage import default_storage

    from accounts.models import Membership
    from tests.factories import BusinessUnitFactory

    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    path = preview.batch.prepared_file
    assert default_storage.exists(path)
    other = BusinessUnitFactory(organisation=org, code="BGO", country="NO")
    Membership.objects.get(user=editor, organisation=org).business_units.set([other])
    with pytest.raises(ValidationError, match="2 rows have errors"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert ActivityEntry.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    # A failed batch is never committed: its parsed rows are gone.
    assert (batch.prepared_file, batch.prepared_sha256) == ("", "")
    assert not default_storage.exists(path)
    assert batch.errors == [
        {
            "row": 2,
            "column": "business_unit",
            "message": UNIT_NOT_YOURS,
        },
        {
            "row": 3,
            "column": "business_unit",
            "message": UNIT_NOT_YOURS,
        },
    ]


def test_rows_of_several_kinds_keep_their_order_and_their_own_factors(
    org, editor, unit, catalogue
):
    from tests.factories import BusinessUnitFactory

    BusinessUnitFactory(organisation=org, code="STO", country="SE")
    load_heating_figures(org)
    rows = [
        ["OSL", 2024, "electricity", 100, "kWh", None, None, "", "", "a"],
        ["STO", 2024, "electricity", 100, "kWh", None, None, "", "", "b"],
        ["OSL", 2024, "district_heating", 100, "MWh", None, None, "", "", "c"],
        ["OSL", 2024, "electricity", 200, "kWh", None, None, "", "", "d"],
        ["STO", 2024, "district_heating", 1, "MWh", None, None, "", "", "e"],
    ]
    preview = import_preview(
        organisation=org, actor=editor, file_name="k.xlsx", data=xlsx(rows)
    )
    assert preview.is_valid, preview.error_rows
    import_commit(organisation=org, actor=editor, batch=preview.batch)
    entries = ActivityEntry.objects.order_by("pk").select_related("business_unit")
    # kg/kWh in 2024: grid NO 0.0119, SE 0.006; district heating from the
    # organisation's own file, NO 0.015, SE 0.047.
    assert [
        (
            e.source_reference,
            e.business_unit.code,
            e.unit,
            e.factor_key,
            e.converted_quantity,
            e.kg_co2e,
        )
        for e in entries
    ] == [
        ("a", "OSL", "kWh", "grid_location|NO", Decimal("100"), Decimal("1.19")),
        ("b", "STO", "kWh", "grid_location|SE", Decimal("100"), Decimal("0.6")),
        ("c", "OSL", "MWh", "district_heating|NO", Decimal("100000"), Decimal("1500")),
        ("d", "OSL", "kWh", "grid_location|NO", Decimal("200"), Decimal("2.38")),
        ("e", "STO", "MWh", "district_heating|SE", Decimal("1000"), Decimal("47")),
    ]


def test_the_commit_service_refuses_a_batch_already_processing(
    org, editor, unit, catalogue, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    batch = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    ).batch
    with django_capture_on_commit_callbacks() as callbacks:
        batch = import_commit_request(organisation=org, actor=editor, batch=batch)
    assert (batch.status, len(callbacks)) == ("processing", 1)
    # A second request, even below the threshold, neither commits nor queues.
    settings.IMPORT_BACKGROUND_ROWS = 100
    with (
        django_capture_on_commit_callbacks() as again,
        pytest.raises(ValidationError) as refused,
    ):
        import_commit_request(organisation=org, actor=editor, batch=batch)
    assert refused.value.error_list[0].code == "processing"
    assert refused.value.messages == ["This import is already being processed."]
    assert (again, ActivityEntry.objects.count()) == ([], 0)
    callbacks[0]()  # the worker runs the first request's task
    batch.refresh_from_db()
    assert (batch.status, batch.rows_created) == ("committed", 2)
