"""A check or commit whose worker was killed can be resumed or discarded.

And a batch being processed is never committed again inside a request.
"""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from emissions.imports import commit, preview, tasks
from emissions.imports.commit import import_commit_request
from emissions.imports.discard import import_discard
from emissions.imports.preview import import_check, import_preview
from emissions.imports.resume import import_resume
from emissions.imports.selectors import import_batch_stopped
from emissions.models import ActivityEntry, ImportBatch
from tests.emissions.imports.support import GOOD, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def processing(
    org,
    editor,
    unit,
    catalogue,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """A batch handed to the task queue whose task has not run."""
    settings.IMPORT_BACKGROUND_ROWS = 1
    batch = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    ).batch
    enqueued = []

    def enqueue(*arguments):
        enqueued.append(arguments)

    with (
        monkeypatch.context() as patch,
        django_capture_on_commit_callbacks(execute=True),
    ):
        patch.setattr(tasks, "import_commit_task", SimpleNamespace(enqueue=enqueue))
        batch = import_commit_request(organisation=org, actor=editor, batch=batch)
    assert batch.status == "processing"
    assert enqueued == [(batch.pk, editor.pk, False)]
    return batch


def _stop(batch, minutes=11):
    """As if its worker was killed `minutes` ago."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        progress_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    batch.refresh_from_db()


def test_a_second_post_on_a_processing_batch_does_not_commit_in_the_request(
    client_for, org, editor, processing, monkeypatch
):
    def refuse(**kwargs):
        raise AssertionError("the request committed the batch itself")

    monkeypatch.setattr(commit, "import_commit", refuse)
    response = client_for(editor).post(
        reverse("import_commit", args=[org.slug, processing.pk]), follow=True
    )
    assert "This import is already being processed." in response.content.decode()
    processing.refresh_from_db()
    assert processing.status == "processing"
    assert ActivityEntry.objects.count() == 0


def test_a_request_holding_an_old_state_never_commits_a_batch_being_processed(
    org, editor, processing, settings
):
    # A second request read the batch before the first handed it to the
    # queue, and the batch is now below the threshold: the commit looks again
    # under its lock and leaves the batch to its task.
    stale = ImportBatch.objects.get(pk=processing.pk)
    stale.status = "preview"
    settings.IMPORT_BACKGROUND_ROWS = 100
    with pytest.raises(ValidationError) as refused:
        import_commit_request(organisation=org, actor=editor, batch=stale)
    assert refused.value.error_list[0].code == "processing"
    assert refused.value.messages == ["This import is already being processed."]
    processing.refresh_from_db()
    assert (processing.status, processing.rows_created) == ("processing", 0)
    assert ActivityEntry.objects.count() == 0


def test_a_stopped_batch_is_told_apart_after_the_configured_time(processing, settings):
    settings.IMPORT_STALE_MINUTES = 10
    _stop(processing, minutes=9)
    assert import_batch_stopped(processing) is False
    _stop(processing, minutes=11)
    assert import_batch_stopped(processing) is True
    settings.IMPORT_STALE_MINUTES = 30
    assert import_batch_stopped(processing) is False


def test_the_page_of_a_stopped_commit_offers_resume_and_discard(
    client_for, org, editor, viewer, processing
):
    url = reverse("import_detail", args=[org.slug, processing.pk])
    running = client_for(editor).get(url).content.decode()
    assert 'hx-trigger="every 2s"' in running
    assert "Resume" not in running
    _stop(processing)
    page = client_for(editor).get(url).content.decode()
    assert "the work in the background stopped. Nothing was imported" in page
    assert reverse("import_resume", args=[org.slug, processing.pk]) in page
    assert reverse("import_discard", args=[org.slug, processing.pk]) in page
    # It no longer polls for progress that will not come.
    assert 'hx-trigger="every 2s"' not in page
    # A viewer is told, but offered nothing to press.
    seen = client_for(viewer).get(url).content.decode()
    assert "the work in the background stopped" in seen
    assert reverse("import_resume", args=[org.slug, processing.pk]) not in seen


def test_a_second_post_on_a_stopped_batch_asks_to_resume_it(
    client_for, org, editor, processing
):
    _stop(processing)
    response = client_for(editor).post(
        reverse("import_commit", args=[org.slug, processing.pk]), follow=True
    )
    assert (
        "This import stopped while it was being processed; resume it or discard it."
        in response.content.decode()
    )
    assert ActivityEntry.objects.count() == 0


def test_a_stopped_commit_resumes_through_the_task_queue(
    client_for, org, editor, processing, django_capture_on_commit_callbacks
):
    _stop(processing)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(editor).post(
            reverse("import_resume", args=[org.slug, processing.pk])
        )
    assert response.status_code == 302
    processing.refresh_from_db()
    # Started again: progress now, the rows counted from the start.
    assert processing.status == "processing"
    assert processing.rows_done == 0
    assert not import_batch_stopped(processing)
    assert ActivityEntry.objects.count() == 0
    callbacks[0]()  # the worker runs the task
    processing.refresh_from_db()
    assert (processing.status, processing.rows_created) == ("committed", 2)
    assert ActivityEntry.objects.filter(import_batch=processing).count() == 2


def test_a_stopped_check_resumes_and_becomes_a_preview(
    client_for,
    org,
    editor,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_BYTES = 100
    upload = io.BytesIO(xlsx(GOOD))
    upload.name = "big.xlsx"
    client = client_for(editor)
    with django_capture_on_commit_callbacks():
        client.post(reverse("import_upload", args=[org.slug]), {"file": upload})
    batch = ImportBatch.objects.get()
    assert batch.status == "checking"
    _stop(batch)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("import_resume", args=[org.slug, batch.pk]))
    callbacks[0]()
    batch.refresh_from_db()
    assert (batch.status, batch.rows_read, batch.errors) == ("preview", 2, [])


def test_a_stopped_batch_can_be_discarded_and_its_files_go(
    org, editor, processing, settings, django_capture_on_commit_callbacks
):
    _stop(processing)
    files = processing.files()
    assert files
    with django_capture_on_commit_callbacks(execute=True):
        import_discard(organisation=org, actor=editor, batch=processing)
    processing.refresh_from_db()
    assert processing.status == "discarded"
    assert processing.files() == []
    media = settings.MEDIA_ROOT
    assert [name for name in files if (media / name).exists()] == []
    # The old task, had it been only slow, finds nothing to commit.
    with pytest.raises(ValidationError, match="cannot be committed"):
        commit.import_commit(organisation=org, actor=editor, batch=processing)
    assert ActivityEntry.objects.count() == 0


def test_a_batch_still_making_progress_is_neither_resumed_nor_discarded(
    org, editor, processing
):
    _stop(processing, minutes=2)
    with pytest.raises(ValidationError, match="Only an import that stopped"):
        import_resume(organisation=org, actor=editor, batch=processing)
    with pytest.raises(ValidationError, match="Only an upload that was not imported"):
        import_discard(organisation=org, actor=editor, batch=processing)
    processing.refresh_from_db()
    assert processing.status == "processing"


def test_a_viewer_cannot_resume(client_for, org, viewer, processing):
    _stop(processing)
    response = client_for(viewer).post(
        reverse("import_resume", args=[org.slug, processing.pk])
    )
    assert response.status_code == 403


def test_a_check_discarded_while_it_ran_stays_discarded(
    monkeypatch,
    client_for,
    org,
    editor,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_BYTES = 100
    upload = io.BytesIO(xlsx(GOOD))
    upload.name = "big.xlsx"
    with django_capture_on_commit_callbacks():
        client_for(editor).post(
            reverse("import_upload", args=[org.slug]), {"file": upload}
        )
    batch = ImportBatch.objects.get()
    _stop(batch)
    # The old worker was only slow: it reads the file, then the batch is
    # discarded before it records what it found.
    real = preview._check_rows

    def discarded_meanwhile(*args):
        checked = real(*args)
        import_discard(organisation=org, actor=editor, batch=batch)
        return checked

    monkeypatch.setattr(preview, "_check_rows", discarded_meanwhile)
    import_check(batch=batch)
    batch.refresh_from_db()
    assert (batch.status, batch.shown_file, batch.prepared_file) == (
        "discarded",
        "",
        "",
    )
