"""The readiness review, the approval's confirmation and four eyes, in a browser."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from accounts.models import Membership, User
from emissions.models import (
    EmissionFactor,
    EvidenceDocument,
    FactorSet,
    Finding,
    ReportingYear,
)
from tests.factories import TEST_PASSWORD, BusinessUnitFactory, OrganisationFactory
from tests.reports.factories import entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _members(org, roles):
    users = {}
    for role in roles:
        user = User.objects.create_user(
            f"{role}@{org.slug}.example", TEST_PASSWORD, full_name=role.capitalize()
        )
        Membership.objects.create(user=user, organisation=org, role=role)
        users[role] = user
    return users


@pytest.fixture
def company(settings):
    """Two years of Oslo and Bergen with every kind of warning in 2024."""
    settings.AXES_ENABLED = False
    org = OrganisationFactory(slug="nordlys", name="Nordlys AS")
    osl = BusinessUnitFactory(organisation=org, code="OSL", name="Oslo")
    bgo = BusinessUnitFactory(organisation=org, code="BGO", name="Bergen")
    BusinessUnitFactory(organisation=org, code="TRD", name="Trondheim")
    users = _members(org, ("admin", "editor", "auditor"))
    admin = users["admin"]

    def line(unit, year, code, scope, kg, **extra):
        return entry(
            organisation=org,
            unit=unit,
            year=year,
            code=code,
            scope=scope,
            kg=kg,
            user=admin,
            **extra,
        )

    line(osl, 2023, "natural_gas", 1, "10000")
    line(osl, 2023, "flight", 3, "20000", category=6)
    line(bgo, 2023, "taxi", 3, "500", category=6)
    gas = line(osl, 2024, "natural_gas", 1, "10200")
    flight = line(osl, 2024, "flight", 3, "12000", category=6)
    for month in (1, 2, 3):
        monthly = line(bgo, 2024, "electricity", 2, "100", market="100")
        monthly.period_start = datetime.date(2024, month, 1)
        monthly.period_end = datetime.date(2024, month + 1, 1) - datetime.timedelta(1)
        monthly.save()
    # The flight has its tickets; the gas line has no document.
    document = EvidenceDocument(
        organisation=org,
        original_name="tickets.pdf",
        sha256="d" * 64,
        size=9,
        content_type="application/pdf",
        uploaded_by=admin,
    )
    document.file.save("tickets.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    flight.evidence.add(document)
    # The gas factor is an older edition, not checked against its publication.
    old = FactorSet.objects.create(
        kind="desnz", publisher="DESNZ", name="DESNZ 2021", edition_year=2021
    )
    gas.factor = EmissionFactor.objects.create(
        factor_set=old,
        key="gas",
        unit="kWh",
        co2e=Decimal("0.18316"),
        level1="Natural gas",
        verification="unverified",
    )
    gas.factor_set = old
    gas.save()
    Finding.objects.create(
        organisation=org,
        reporting_year=gas.reporting_year,
        entry=gas,
        text="Gas invoice for December missing.",
        raised_by=users["auditor"],
    )
    return org, users


def test_the_readiness_review_shows_each_kind_of_warning_and_holds_the_submit(
    company, login, live_server, shot
):
    org, users = company
    base = f"{live_server.url}/o/{org.slug}"
    page = login(users["editor"].email, TEST_PASSWORD)
    page.goto(f"{base}/years/2024/")
    review = page.locator("#readiness")
    summary = review.locator(".readiness-summary").inner_text()
    assert "Changes against last year: 6 comments needed" in summary
    assert "Completeness: 3 gaps" in summary
    assert "Evidence: 4 entries without evidence" in summary
    assert "Audit findings: 1 open" in summary
    assert "Factors: 1 to check" in summary
    # Changes: scope 3 fell 40 %; Bergen's taxi is gone, its electricity new.
    needed = page.locator("tr.comment-missing th[scope=row]").all_inner_texts()
    assert needed == [
        "Scope 2 (market-based)",  # new: 0 to 0.3 t
        "Scope 3",  # -41.5 %
        "Total",  # -26.2 %
        "OSL · Flight",  # -40 %
        "BGO · Taxi",  # gone
        "BGO · Electricity",  # new
    ]
    completeness = page.locator("#readiness-completeness").inner_text()
    assert "BGO · Taxi (0.5 t in 2023)" in completeness
    assert (
        "BGO · Electricity: April, May, June, July, August, September, October, "
        "November, December" in completeness
    )
    assert "TRD Trondheim" in completeness
    evidence = page.locator("#readiness-evidence").inner_text()
    assert "4 of 5 entries have no evidence: 10.5 t CO2e, 47 %" in evidence
    assert (
        "Gas invoice for December missing."
        in page.locator("#readiness-findings").inner_text()
    )
    factors = page.locator("#readiness-factors").inner_text()
    assert "Natural gas 2021 (DESNZ 2021)" in factors
    assert "not checked against its publication" in factors
    assert "edition older than the year" in factors
    assert (
        "Every instrument meets the criteria."
        in page.locator("#readiness-instruments").inner_text()
    )
    shot(page, "21-readiness-review")

    # The auditor's list of the lines without evidence.
    page.locator("#readiness-evidence a", has_text="List them").first.click()
    page.wait_for_load_state()
    assert "Without evidence" in page.locator("p.lead").inner_text()

    # Submitting is refused until the changes have their comments.
    page.goto(f"{base}/years/2024/")
    page.click("form[action$='/submit/'] button")
    page.wait_for_load_state()
    assert (
        "Comment on each change against 2023" in page.locator(".messages").inner_text()
    )
    assert ReportingYear.objects.get(organisation=org, year=2024).status == "open"
    for row in page.locator("tr.comment-missing").all():
        row.locator("textarea").fill("Fewer flights; Bergen moved to monthly meters.")
    page.click("form[action$='/comments/'] button")
    page.wait_for_selector("text=The comments were saved.")
    assert page.locator("tr.comment-missing").count() == 0
    page.click("form[action$='/submit/'] button")
    page.wait_for_selector("text=2024 was submitted for approval.")
    shot(page, "22-readiness-submitted")
    assert ReportingYear.objects.get(organisation=org, year=2024).status == "submitted"


def test_approval_with_an_open_finding_needs_a_reason(
    company, login, live_server, shot
):
    from emissions.readiness.changes import year_changes
    from emissions.services.years import year_change_comments_set, year_submit

    org, users = company
    review = year_changes(organisation=org, year=2024)
    year_change_comments_set(
        organisation=org,
        actor=users["editor"],
        year=2024,
        comments={c.key: "Explained." for c in review.needing_comments},
    )
    year_submit(organisation=org, actor=users["editor"], year=2024, notify=False)
    base = f"{live_server.url}/o/{org.slug}"
    page = login(users["admin"].email, TEST_PASSWORD)
    page.goto(f"{base}/")
    page.click(".awaiting-approval a")
    page.wait_for_selector("text=Confirm the approval")
    assert (
        "Gas invoice for December missing."
        in page.locator("#readiness-findings").inner_text()
    )
    page.check("input[name=confirm_unverified]")
    page.click("text=Approve and lock")
    page.wait_for_load_state()
    assert (
        "audit findings that are not resolved (1)"
        in page.locator(".messages").inner_text()
    )
    assert ReportingYear.objects.get(organisation=org, year=2024).status == "submitted"
    page.check("input[name=confirm_unverified]")
    page.fill(
        "textarea[name=open_findings_reason]",
        "The December invoice is estimated from November; not material.",
    )
    shot(page, "23-approval-open-finding")
    page.click("text=Approve and lock")
    page.wait_for_selector("text=2024 was approved and is now locked.")
    year = ReportingYear.objects.get(organisation=org, year=2024)
    assert year.status == "approved"
    assert year.open_findings_reason == (
        "The December invoice is estimated from November; not material."
    )
    facts = page.locator("dl.facts").inner_text()
    assert "Reason for approving with open findings" in facts
    assert "Gas invoice for December missing." in facts
    shot(page, "24-approved-with-reason")


def test_a_sole_administrator_approves_alone_once_the_settings_allow_it(
    settings, login, live_server, shot
):
    settings.AXES_ENABLED = False
    org = OrganisationFactory(slug="liten", name="Liten AS")
    unit = BusinessUnitFactory(organisation=org, code="HQ", name="Head office")
    users = _members(org, ("admin",))
    entry(
        organisation=org,
        unit=unit,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="1000",
        user=users["admin"],
    )
    base = f"{live_server.url}/o/{org.slug}"
    page = login(users["admin"].email, TEST_PASSWORD)
    page.goto(f"{base}/years/2024/")
    page.click("form[action$='/submit/'] button")
    page.wait_for_selector("text=2024 was submitted for approval.")
    # Four eyes: no one else may approve.
    assert "another member who may approve years must approve it" in (
        page.locator(".year-actions").inner_text()
    )
    page.goto(f"{base}/years/2024/approve/")
    assert page.locator("text=Approve and lock").count() == 0

    page.goto(f"{base}/settings/")
    page.check("input[name=allow_self_approval]")
    page.click("form.card button.primary")
    page.wait_for_selector("text=The settings were saved.")

    page.goto(f"{base}/years/2024/")
    page.click(".year-actions a.button")
    page.wait_for_selector("text=Confirm the approval")
    assert (
        "approved without a second person" in page.locator(".approve-form").inner_text()
    )
    shot(page, "25-sole-admin-approval")
    page.click("text=Approve and lock")
    page.wait_for_selector("text=2024 was approved and is now locked.")
    year = ReportingYear.objects.get(organisation=org, year=2024)
    assert (year.approved_by, year.submitted_by) == (users["admin"], users["admin"])
    assert year.approved_without_second_person is True
    assert "Approved without a second person" in page.locator("dl.facts").inner_text()
    assert (
        "approved without a second person" in page.locator(".history-list").inner_text()
    )
