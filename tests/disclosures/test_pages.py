"""The disclosure page, its downloads, the dashboard card, the API and the command."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.roles import Role
from emissions.catalogue import load_activity_types
from tests.factories import BusinessUnitFactory, MembershipFactory, UserFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(org, admin):
    load_activity_types()
    org.org_number = "918273645"
    org.org_number_scheme = "NO:ORG"
    org.reporting_currency = "NOK"
    org.save()
    osl = BusinessUnitFactory(organisation=org, code="OSL", country="NO")
    entry(
        organisation=org,
        unit=osl,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="30000",
        user=admin,
    )
    entry(
        organisation=org,
        unit=osl,
        year=2024,
        code="electricity",
        scope=2,
        kg="5000",
        market="20000",
        energy_kwh="100000",
        residual="0.2",
        user=admin,
    )
    return osl


@pytest.fixture
def limited(org, books):
    user = UserFactory(email="limited@acme.example")
    MembershipFactory(user=user, organisation=org, role=Role.EDITOR).business_units.set(
        [books]
    )
    return user


def test_the_page_shows_each_datapoint_with_its_entries(client_for, org, viewer, books):
    response = client_for(viewer).get(f"/o/{org.slug}/disclosures/")
    assert response.status_code == 302
    assert response.url == f"/o/{org.slug}/disclosures/2024/"
    page = client_for(viewer).get(response.url).content.decode()
    assert "draft: the year is not approved" in page
    assert 'data-key="b3.scope1"' in page
    assert f'href="/o/{org.slug}/entries/list/?year=2024&amp;scope=1"' in page
    assert "vsme:GrossScope1GreenhouseGasEmissions" in page
    assert "Energy consumption in MWh" in page
    assert "918273645" in page
    assert "No emissions have been recorded yet." not in page


def test_downloads(client_for, org, viewer, books, vsme_files):
    client = client_for(viewer)
    response = client.get(f"/o/{org.slug}/disclosures/2024/export/ixbrl/?lang=sv")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xhtml+xml"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="acme-disclosures-2024-draft-sv.xhtml"'
    )
    assert b'xml:lang="sv"' in response.content
    response = client.get(f"/o/{org.slug}/disclosures/2024/export/vsme-xlsx/")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert client.get(f"/o/{org.slug}/disclosures/2024/export/pdf/").status_code == 404
    assert client.get(f"/o/{org.slug}/disclosures/1999/").status_code == 404


def test_an_export_that_cannot_be_built_says_why(
    client_for, org, viewer, books, vsme_files
):
    org.org_number_scheme = ""
    org.save()
    response = client_for(viewer).get(f"/o/{org.slug}/disclosures/2024/export/ixbrl/")
    assert response.status_code == 409
    assert "add its LEI" in response.content.decode()


def test_the_dashboard_shows_energy(client_for, org, viewer, books):
    page = client_for(viewer).get(f"/o/{org.slug}/dashboard/").content.decode()
    assert "Energy consumption 2024" in page
    assert "100.0" in page  # MWh of electricity


def test_the_page_in_norwegian(client_for, org, viewer, books):
    client = client_for(viewer)
    client.post("/i18n/setlang/", {"language": "nb"})
    page = client.get(f"/o/{org.slug}/disclosures/2024/").content.decode()
    assert "Energiforbruk i MWh" in page
    assert "Brutto scope 1-utslipp" in page


def test_a_limited_member_gets_no_whole_organisation_figures(
    client_for, api_for, org, limited
):
    client = client_for(limited)
    assert client.get(f"/o/{org.slug}/disclosures/2024/").status_code == 403
    assert (
        client.get(f"/o/{org.slug}/disclosures/2024/export/ixbrl/").status_code == 403
    )
    api = api_for(limited)
    assert (
        api.get(f"/api/v1/organisations/{org.slug}/disclosures/2024/").status_code
        == 403
    )
    assert (
        api.get(f"/api/v1/organisations/{org.slug}/disclosures/2024/ixbrl/").status_code
        == 403
    )
    # The dashboard of the member's own unit shows that unit's energy.
    page = client.get(f"/o/{org.slug}/dashboard/?unit=OSL").content.decode()
    assert "Energy consumption 2024" in page


def test_the_api_gives_the_datapoints(api_for, org, viewer, outsider, books):
    response = api_for(viewer).get(
        f"/api/v1/organisations/{org.slug}/disclosures/2024/"
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["year"], data["year_status"], data["final"]) == (2024, "open", False)
    assert data["identifier"] == {
        "scheme": "urn:oasis:names:tc:ebcore:partyid-type:iso6523:0192",
        "value": "918273645",
    }
    points = {p["key"]: p for p in data["datapoints"]}
    assert points["b3.scope1"]["value"] == "30.000000"
    assert points["b3.scope2_market"]["value"] == "20.000000"
    assert points["b3.electricity"]["value"] == "100.000000"
    assert points["b3.scope3"]["value"] is None
    assert points["b3.scope1"]["concept"] == "vsme:GrossScope1GreenhouseGasEmissions"
    assert (
        api_for(outsider)
        .get(f"/api/v1/organisations/{org.slug}/disclosures/2024/")
        .status_code
        == 404
    )
    assert (
        api_for(viewer)
        .get(f"/api/v1/organisations/{org.slug}/disclosures/2023/")
        .status_code
        == 404
    )
    assert (
        api_for(viewer)
        .get(f"/api/v1/organisations/{org.slug}/disclosures/99999/")
        .status_code
        == 404
    )


def test_the_api_gives_the_files(api_for, org, viewer, books, vsme_files):
    api = api_for(viewer)
    response = api.get(
        f"/api/v1/organisations/{org.slug}/disclosures/2024/ixbrl/?lang=nb"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-2024-draft-nb.xhtml"')
    response = api.get(f"/api/v1/organisations/{org.slug}/disclosures/2024/vsme-xlsx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        api.get(f"/api/v1/organisations/{org.slug}/disclosures/2024/csv/").status_code
        == 404
    )
    bad = api.get(f"/api/v1/organisations/{org.slug}/disclosures/2024/ixbrl/?lang=de")
    assert bad.status_code == 400
    assert "Unknown language de" in bad.content.decode()


def test_the_command_writes_the_file(org, books, vsme_files, tmp_path):
    out = io.StringIO()
    target = tmp_path / "vsme.xlsx"
    call_command(
        "export_disclosure",
        "--org",
        org.slug,
        "--year",
        "2024",
        "--format",
        "vsme-xlsx",
        "-o",
        str(target),
        stdout=out,
    )
    assert target.read_bytes()[:2] == b"PK"
    assert "draft" in out.getvalue()
    target = tmp_path / "report.xhtml"
    call_command(
        "export_disclosure",
        "--org",
        org.slug,
        "--year",
        "2024",
        "--format",
        "ixbrl",
        "--lang",
        "sv",
        "-o",
        str(target),
        stdout=out,
    )
    assert b"ix:nonFraction" in target.read_bytes()
    with pytest.raises(CommandError, match="No reporting year 2023"):
        call_command(
            "export_disclosure",
            "--org",
            org.slug,
            "--year",
            "2023",
            "--format",
            "ixbrl",
            "-o",
            str(target),
        )
    with pytest.raises(CommandError, match="No organisation"):
        call_command(
            "export_disclosure",
            "--org",
            "nobody",
            "--year",
            "2024",
            "--format",
            "ixbrl",
            "-o",
            str(target),
        )
    org.org_number_scheme = ""
    org.save()
    with pytest.raises(CommandError, match="LEI"):
        call_command(
            "export_disclosure",
            "--org",
            org.slug,
            "--year",
            "2024",
            "--format",
            "ixbrl",
            "-o",
            str(tmp_path / "x.xhtml"),
        )
    assert not (tmp_path / "x.xhtml").exists()
