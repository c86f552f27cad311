"""Report kinds: one module each, in one table, written through the storage API."""

from pathlib import Path

import pytest
from django.urls import reverse

from reports.kinds import REPORT_KINDS
from reports.models import GeneratedReport, ReportKind
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_every_report_kind_is_one_module_in_the_table():
    assert sorted(REPORT_KINDS) == sorted(ReportKind.values)
    assert {
        code: (kind.extension, kind.content_type, kind.every_year)
        for code, kind in REPORT_KINDS.items()
    } == {
        "pdf": ("pdf", "application/pdf", False),
        "xlsx": ("xlsx", XLSX, False),
        "eco_lighthouse": ("xlsx", XLSX, False),
        "inventory_xlsx": ("xlsx", XLSX, True),
    }
    for code, kind in REPORT_KINDS.items():
        assert kind.code == code
        assert kind.build.__module__.startswith("reports.kinds.")


@pytest.fixture
def in_memory_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def test_reports_are_written_and_read_through_the_file_storage(
    settings,
    client_for,
    org,
    viewer,
    admin,
    in_memory_storage,
    django_capture_on_commit_callbacks,
):
    from django.core.files.storage import default_storage

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
    client = client_for(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("report_list", args=[org.slug]),
            {"kind": "xlsx", "year": "2024", "language": "en"},
        )
    report = GeneratedReport.objects.get()
    assert report.status == "done", report.error
    # The file is in the configured storage (in memory here), not on disk.
    assert report.file.name == f"reports/{org.pk}/2024/xlsx-2024-en-{report.pk}.xlsx"
    assert default_storage.exists(report.file.name)
    assert not (Path(settings.MEDIA_ROOT) / report.file.name).exists()
    response = client.get(reverse("report_download", args=[org.slug, report.pk]))
    body = b"".join(response.streaming_content)
    assert body.startswith(b"PK")
    assert len(body) == report.size
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].endswith(
        f'filename="{org.slug}-xlsx-2024-en.xlsx"'
    )
