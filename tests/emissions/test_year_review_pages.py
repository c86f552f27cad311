"""Around the review: the entries without evidence, the methodology for
auditors, the change history as people read it, the report's approval
statement, the API and the demo."""

import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Organisation
from emissions.models import (
    ActivityEntry,
    EvidenceDocument,
    Finding,
    ReportingYear,
)
from emissions.readiness.changes import year_changes
from emissions.selectors_entries import history_for
from emissions.services.years import year_approve, year_submit
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(org):
    return BusinessUnitFactory(organisation=org, code="OSL", name="Oslo")


@pytest.fixture
def year_2024(org, admin, unit):
    made = [
        entry(
            organisation=org,
            unit=unit,
            year=2024,
            code=code,
            scope=scope,
            kg=kg,
            user=admin,
        )
        for code, scope, kg in (
            ("natural_gas", 1, "1500.5"),
            ("diesel", 1, "250"),
            ("flight", 3, "4000"),
        )
    ]
    document = EvidenceDocument(
        organisation=org,
        original_name="tickets.pdf",
        sha256="c" * 64,
        size=9,
        content_type="application/pdf",
        uploaded_by=admin,
    )
    document.file.save("tickets.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    made[2].evidence.add(document)
    return made


def test_an_auditor_lists_the_entries_without_evidence(
    client_for, org, auditor, year_2024
):
    url = reverse("entry_list", args=["acme"])
    response = client_for(auditor).get(
        url, {"year": 2024, "unit": "OSL", "evidence": "missing"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    listed = re.findall(r'href="/o/acme/entries/e/(\d+)/"', html)
    assert sorted(map(int, listed)) == sorted(e.pk for e in year_2024[:2])
    # 1,500.5 + 250 kg = 1.7505 t, shown with one decimal.
    assert re.search(r'data-total="lines">1\.8<', html)
    assert "t CO2e of these lines as entered" in html
    everything = client_for(auditor).get(url, {"year": 2024}).content.decode()
    assert re.search(r'data-total="lines">5\.8<', everything)
    bad = client_for(auditor).get(url, {"year": 2024, "evidence": "some"})
    assert bad.status_code == 400


def test_auditors_read_the_methodology_administrators_change_it(
    client_for, org, admin, auditor, viewer, editor
):
    url = reverse("factor_methodology", args=["acme"])
    html = client_for(auditor).get(url).content.decode()
    assert "Read-only: administrators change these settings." in html
    assert "Current: IPCC AR5 (100-year)." in html
    assert "Current: UK DESNZ." in html
    assert (
        'name="gwp_set"' not in html
        and '<form method="post"' not in html.split("<main", 1)[1]
    )
    html = client_for(admin).get(url).content.decode()
    assert 'name="gwp_set"' in html and "Read-only" not in html
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(editor).get(url).status_code == 403
    assert (
        client_for(auditor)
        .post(reverse("factor_gwp_change", args=["acme"]))
        .status_code
        == 403
    )


def test_the_history_shows_a_years_settings_and_comments_key_by_key(
    org, admin, editor, unit
):
    for year, kg in ((2023, "100"), (2024, "200")):
        entry(
            organisation=org,
            unit=unit,
            year=year,
            code="flight",
            scope=3,
            kg=kg,
            user=admin,
        )
    reporting_year = ReportingYear.objects.get(organisation=org, year=2024)
    reporting_year.change_comments = {
        "line:OSL:flight": "Twice the trips.",
        "scope3": "Twice the trips.",
        "total": "Twice the trips.",
    }
    reporting_year._change_reason = "changes commented"
    reporting_year.save()
    year_submit(organisation=org, actor=editor, year=2024)
    with translation.override("nb"):
        html = render_to_string(
            "emissions/_history.html",
            {"history": history_for(ReportingYear.objects.get(pk=reporting_year.pk))},
        )
    # No Python dict: the comment by its change's name, the settings by theirs.
    assert "{&#x27;" not in html and "{" not in html
    assert "Kommentarer til endringer mot i fjor › OSL · Flight" in html
    assert "<ins>Twice the trips.</ins>" in html
    assert "Innstillinger tallene bruker › basisår" in html
    assert "<ins>2019</ins>" in html  # a year, not 2 019
    assert "2\u00a0019" not in html
    assert "› ta med brønn-til-tank (scope 3 kategori 3)" in html
    assert "<ins>nei</ins>" in html  # include_wtt: False, in words
    assert "<ins>Operasjonell kontroll</ins>" in html
    assert "Innstillinger tallene bruker › forretningsenheter › OSL › eierandel %" in (
        html
    )
    assert "<ins>100</ins>" in html


def test_the_history_shows_per_gas_figures_as_numbers(org, admin, unit):
    line = entry(
        organisation=org,
        unit=unit,
        year=2024,
        code="diesel",
        scope=1,
        kg="2.5",
        user=admin,
        gases={"CO2": "2.4000000000"},
    )
    line.kg_by_gas = {"CO2": "2.4500000000", "CH4": "0.0012000000"}
    line.save()
    html = render_to_string("emissions/_history.html", {"history": history_for(line)})
    assert "CO2e per gas › CO2<" in html
    assert "<del>2.4</del>" in html and "<ins>2.45</ins>" in html
    assert "CO2e per gas › CH4<" in html and "<ins>0.0012</ins>" in html
    assert "0000000" not in html


def test_the_reports_approval_statement_names_the_override_and_the_lone_approver(
    org, admin, auditor, year_2024
):
    from reports.kinds.annual_pdf import render_html
    from reports.selectors import annual_report_data

    org.allow_self_approval = True
    org.save()
    year_submit(organisation=org, actor=admin, year=2024)
    Finding.objects.create(
        organisation=org,
        reporting_year=ReportingYear.objects.get(organisation=org, year=2024),
        text="Meter photo missing.",
        raised_by=auditor,
    )
    year_approve(
        organisation=org,
        actor=admin,
        year=2024,
        open_findings_reason="The meter was read by the landlord.",
    )
    html = render_html(annual_report_data(organisation=org, year=2024), language="en")
    statement = html[html.index('id="approval"') : html.index('id="appendix"')]
    assert (
        f"It was approved without a second person: {admin}, the organisation's "
        "sole administrator, submitted and approved it" in statement
    )
    assert (
        "It was approved with 1 audit finding still open, for this reason: The "
        "meter was read by the landlord." in statement
    )


def test_the_api_approves_with_open_findings_only_with_a_reason(
    org, admin, admin2, auditor, year_2024
):
    from rest_framework.test import APIClient

    year_submit(organisation=org, actor=admin2, year=2024)
    Finding.objects.create(
        organisation=org,
        reporting_year=ReportingYear.objects.get(organisation=org, year=2024),
        text="Meter photo missing.",
        raised_by=auditor,
    )
    client = APIClient()
    client.force_authenticate(admin)
    url = "/api/v1/organisations/acme/years/2024/approve/"
    refused = client.post(url, {}, format="json")
    assert refused.status_code == 400
    assert "audit findings that are not resolved" in str(refused.json())
    done = client.post(url, {"open_findings_reason": "Not material."}, format="json")
    assert done.status_code == 200
    assert done.json()["open_findings_reason"] == "Not material."
    assert done.json()["approved_without_second_person"] is False


# --- The demo ----------------------------------------------------------------


@pytest.fixture
def demo():
    call_command("seed_demo")


def test_the_demo_closed_its_years_with_a_comment_on_every_change_that_needs_one(
    demo,
):
    for slug in ("nordsoft", "fjordkontakt"):
        organisation = Organisation.objects.get(slug=slug)
        for reporting_year in ReportingYear.objects.filter(
            organisation=organisation, year__lt=2025
        ):
            review = year_changes(
                organisation=organisation,
                year=reporting_year.year,
                comments=reporting_year.change_comments,
            )
            assert review.missing_comments == [], (slug, reporting_year.year)
        # The open year is not commented yet: its review asks for comments.
        review = year_changes(organisation=organisation, year=2025)
        assert review.missing_comments
    comments = ReportingYear.objects.get(
        organisation__slug="nordsoft", year=2021
    ).change_comments
    assert comments["line:EE-TLL:natural_gas"] == (
        "Nordsoft Eesti (Tallinn) joined the group in 2021."
    )


def test_fjordkontakts_managing_director_is_its_named_approver(demo):
    approver = Membership.objects.get(
        organisation__slug="fjordkontakt", user__email="viewer@fjordkontakt.example"
    )
    assert (approver.role, approver.may_approve) == ("viewer", True)
    assert approver.can("approve")
    assert Membership.objects.filter(may_approve=True).count() == 1


def test_the_demo_travels_with_nordic_factors(demo):
    lines = ActivityEntry.objects.filter(organisation__slug="nordsoft")
    codes = set(lines.values_list("activity_type__code", flat=True))
    assert "hotel_night_nordic" in codes and "flight_international_economy" in codes
    assert not codes & {
        "hotel_night_uk",
        "flight_short_haul_economy",
        "flight_long_haul_economy",
    }
    hotel = lines.filter(activity_type__code="hotel_night_nordic").first()
    assert hotel.factor.factor_set.organisation.slug == "nordsoft"
    assert hotel.factor_value == Decimal("11.8")
    assert hotel.factor.table_or_page == (
        "Flat file, Factors by Category, Hotel stay, Finland, row 7510"
    )
    flight = lines.get(
        activity_type__code="flight_international_economy",
        business_unit__code="NO-OSL",
        reporting_year__year=2024,
    )
    # DESNZ 2024, international flights to/from non-UK airports, economy, with RF.
    assert flight.factor.key == (
        "business travel-air|flights|international, to/from non-uk|economy class"
        "|with rf|passenger_km"
    )
    assert flight.factor_value == Decimal("0.13465")
    # 7,600 passenger-km per FTE x 120 FTE x 1.15 growth x 0.78 travel.
    assert flight.quantity == Decimal("818064.00")
    assert flight.kg_co2e == Decimal("110152.3176")


def test_the_demo_hotel_factor_is_desnz_2020s_finland_figure():
    from python_calamine import CalamineWorkbook

    from emissions.demo import NORDIC_HOTEL
    from tests.emissions.published import published_file

    path = published_file("desnz-2020-flat-file.xlsx")
    rows = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name("Factors by Category")
        .to_python()
    )
    row = rows[7510 - 1]
    assert [row[1], row[2], row[3]] == ["Hotel stay", "Hotel stay", "Finland"]
    assert Decimal(str(row[10])) == NORDIC_HOTEL["co2e"]
