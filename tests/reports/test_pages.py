import pytest
from django.urls import reverse

from reports.models import GeneratedReport
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize("name", ["dashboard", "report_list"])
def test_every_role_sees_the_page(
    client_for, org, admin, editor, viewer, auditor, year_data, name
):
    for user in (admin, editor, viewer, auditor):
        response = client_for(user).get(reverse(name, args=[org.slug]))
        assert response.status_code == 200


@pytest.mark.parametrize("name", ["dashboard", "report_list"])
def test_outsider_gets_404_and_anonymous_the_login(
    client, client_for, org, outsider, name
):
    url = reverse(name, args=[org.slug])
    assert client.get(url).status_code == 302
    assert client_for(outsider).get(url).status_code == 404


def test_dashboard_rejects_post(client_for, org, viewer):
    assert (
        client_for(viewer).post(reverse("dashboard", args=[org.slug])).status_code
        == 405
    )


def test_dashboard_shows_the_year_total(client_for, org, viewer, year_data):
    body = (
        client_for(viewer).get(reverse("dashboard", args=[org.slug])).content.decode()
    )
    assert "5.0" in body
    assert 'role="img"' in body


def test_viewer_asks_for_a_pdf_and_downloads_it(
    client_for, org, viewer, year_data, django_capture_on_commit_callbacks
):
    client = client_for(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("report_list", args=[org.slug]),
            {"kind": "pdf", "year": "2024", "language": "en", "business_unit": ""},
        )
    assert response.status_code == 302
    report = GeneratedReport.objects.get(organisation=org)
    assert report.status == "done"
    assert report.requested_by == viewer
    assert len(report.sha256) == 64
    assert report.parameters["year"] == 2024
    download = client.get(reverse("report_download", args=[org.slug, report.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_year_without_data_is_refused_with_a_message(
    client_for, org, admin, year_data
):
    response = client_for(admin).post(
        reverse("report_list", args=[org.slug]),
        {"kind": "pdf", "year": "2023", "language": "en"},
    )
    assert response.status_code == 200
    assert GeneratedReport.objects.count() == 0


def test_outsider_cannot_download_another_organisations_report(
    client_for, org, viewer, outsider, year_data
):
    client_for(viewer).post(
        reverse("report_list", args=[org.slug]),
        {"kind": "xlsx", "year": "2024", "language": "nb"},
    )
    report = GeneratedReport.objects.get()
    response = client_for(outsider).get(
        reverse("report_download", args=[org.slug, report.pk])
    )
    assert response.status_code == 404


def test_eco_lighthouse_export_builds(
    client_for, org, admin, year_data, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("report_list", args=[org.slug]),
            {"kind": "eco_lighthouse", "year": "2024", "language": "nb"},
        )
    report = GeneratedReport.objects.get()
    assert report.status == "done", report.error
