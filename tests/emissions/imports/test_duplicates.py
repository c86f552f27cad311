"""The same file imported twice is refused at commit too, whatever the order."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from emissions.imports.commit import import_commit
from emissions.imports.preview import import_preview
from emissions.management.commands import import_activities
from emissions.models import ActivityEntry, ImportBatch
from tests.emissions.imports.support import xlsx

pytestmark = pytest.mark.django_db


TEN = [
    ["OSL", 2024, "electricity", 1000 + n, "kWh", None, None, "measured", "", f"i{n}"]
    for n in range(10)
]


def _preview(org, actor, data):
    return import_preview(
        organisation=org, actor=actor, file_name="q1.xlsx", data=data
    ).batch


@pytest.mark.parametrize("first", [0, 1])
def test_two_previews_of_one_file_commit_once(
    org, editor, admin, unit, catalogue, first
):
    data = xlsx(TEN)
    batches = [_preview(org, editor, data), _preview(org, admin, data)]
    # Neither preview knew of the other: both were accepted.
    assert [b.duplicate_of_id for b in batches] == [None, None]
    winner, loser = batches[first], batches[1 - first]
    import_commit(organisation=org, actor=editor, batch=winner)
    with pytest.raises(ValidationError, match="already imported") as refused:
        import_commit(organisation=org, actor=admin, batch=loser)
    assert refused.value.error_list[0].code == "duplicate_file"
    assert ActivityEntry.objects.count() == 10
    loser.refresh_from_db()
    # Back to its preview, which now asks for the confirmation.
    assert (loser.status, loser.duplicate_of_id, loser.rows_created) == (
        "preview",
        winner.pk,
        0,
    )
    import_commit(
        organisation=org, actor=admin, batch=loser, confirm_duplicate_file=True
    )
    assert ActivityEntry.objects.count() == 20
    assert ActivityEntry.objects.filter(import_batch=loser).count() == 10


def test_a_file_committed_while_the_rows_are_checked_is_refused_under_the_lock(
    org, editor, admin, unit, catalogue, monkeypatch
):
    """The other commit lands between the first look and the writing."""
    from emissions.imports import commit

    data = xlsx(TEN)
    mine, other = _preview(org, editor, data), _preview(org, admin, data)
    real = commit.prepared_rows

    def other_commits_first(context, batch):
        rows = real(context, batch)
        monkeypatch.setattr(commit, "prepared_rows", real)
        import_commit(organisation=org, actor=admin, batch=other)
        return rows

    monkeypatch.setattr(commit, "prepared_rows", other_commits_first)
    with pytest.raises(ValidationError, match="already imported"):
        import_commit(organisation=org, actor=editor, batch=mine)
    mine.refresh_from_db()
    assert (mine.status, mine.duplicate_of_id) == ("preview", other.pk)
    assert ActivityEntry.objects.count() == 10
    assert set(ActivityEntry.objects.values_list("import_batch", flat=True)) == {
        other.pk
    }


def test_the_page_refuses_the_second_commit_and_asks_for_the_confirmation(
    client_for, org, editor, admin, unit, catalogue
):
    data = xlsx(TEN)
    first, second = _preview(org, editor, data), _preview(org, admin, data)
    client = client_for(admin)
    client.post(reverse("import_commit", args=[org.slug, first.pk]))
    response = client.post(
        reverse("import_commit", args=[org.slug, second.pk]), follow=True
    )
    page = response.content.decode()
    assert "The same file was already imported on" in page
    assert 'name="confirm_duplicate"' in page
    assert ActivityEntry.objects.count() == 10
    client.post(
        reverse("import_commit", args=[org.slug, second.pk]),
        {"confirm_duplicate": "yes"},
    )
    assert ActivityEntry.objects.count() == 20


def test_a_background_commit_of_a_file_committed_meanwhile_returns_to_its_preview(
    client_for,
    org,
    editor,
    admin,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    data = xlsx(TEN)
    first, second = _preview(org, editor, data), _preview(org, admin, data)
    client = client_for(admin)
    # Each request's transaction commits; without a worker its task runs then.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_commit", args=[org.slug, first.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_commit", args=[org.slug, second.pk]))
    second.refresh_from_db()
    assert (second.status, second.duplicate_of_id) == ("preview", first.pk)
    assert ActivityEntry.objects.count() == 10


def test_the_command_refuses_a_file_a_member_committed_meanwhile(
    org, editor, admin, unit, catalogue, tmp_path
):
    path = tmp_path / "q1.xlsx"
    path.write_bytes(xlsx(TEN))
    waiting = _preview(org, editor, path.read_bytes())
    call_command("import_activities", str(path), org=org.slug)
    assert ActivityEntry.objects.count() == 10
    # The member's earlier preview is refused at commit.
    with pytest.raises(ValidationError, match="already imported"):
        import_commit(organisation=org, actor=editor, batch=waiting)
    assert ActivityEntry.objects.count() == 10


def test_the_command_is_refused_when_a_member_commits_during_its_preview(
    org, editor, admin, unit, catalogue, tmp_path, monkeypatch
):
    path = tmp_path / "q1.xlsx"
    path.write_bytes(xlsx(TEN))
    waiting = _preview(org, editor, path.read_bytes())
    real = import_activities.import_preview

    def member_commits(**kwargs):
        preview = real(**kwargs)
        monkeypatch.setattr(import_activities, "import_preview", real)
        import_commit(organisation=org, actor=editor, batch=waiting)
        return preview

    monkeypatch.setattr(import_activities, "import_preview", member_commits)
    with pytest.raises(CommandError, match="already imported"):
        call_command("import_activities", str(path), org=org.slug)
    assert ActivityEntry.objects.count() == 10
    assert set(ActivityEntry.objects.values_list("import_batch", flat=True)) == {
        waiting.pk
    }
    call_command("import_activities", str(path), org=org.slug, confirm_duplicate=True)
    assert ActivityEntry.objects.count() == 20
    assert ImportBatch.objects.filter(status="committed").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_commits_of_the_same_file_wait_for_each_other_on_postgresql(
    org, editor, admin, unit, catalogue
):
    """The second commit waits for the first to end, then sees it committed."""
    import threading

    from django.db import connection, connections, transaction

    from emissions.imports.commit import _lock_content

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time anyway")
    data = xlsx(TEN)
    first, second = _preview(org, editor, data), _preview(org, admin, data)
    holding, release = threading.Event(), threading.Event()
    outcome = {}

    def first_commit():
        # As the first commit does while it writes: hold the content lock.
        try:
            with transaction.atomic():
                _lock_content(org, first.sha256)
                holding.set()
                release.wait(10)
                import_commit(organisation=org, actor=editor, batch=first)
        finally:
            connections.close_all()

    def second_commit():
        try:
            import_commit(organisation=org, actor=admin, batch=second)
            outcome["second"] = "committed"
        except ValidationError as exc:
            outcome["second"] = exc.messages[0]
        finally:
            connections.close_all()

    one = threading.Thread(target=first_commit)
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=second_commit)
    two.start()
    two.join(1.5)
    # Still waiting for the lock the first commit holds.
    assert two.is_alive()
    release.set()
    one.join(20)
    two.join(20)
    assert outcome["second"].startswith("The same file was already imported on")
    assert ActivityEntry.objects.count() == 10
    assert set(ActivityEntry.objects.values_list("import_batch", flat=True)) == {
        first.pk
    }
