"""The journeys of the four roles, end to end in a real browser."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from accounts.models import Membership, User
from emissions.catalogue import load_activity_types, load_curated_factors
from emissions.imports.reading import COLUMNS
from emissions.models import ActivityEntry, ActivityType, Finding, ReportingYear
from emissions.services.entries import entry_create
from tests.emissions.entries_support import load_heating_figures
from tests.factories import TEST_PASSWORD, BusinessUnitFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company(settings):
    settings.AXES_ENABLED = False
    load_activity_types()
    load_curated_factors()
    org = OrganisationFactory(slug="nordlys", name="Nordlys AS")
    BusinessUnitFactory(organisation=org, code="OSL", name="Oslo", country="NO")
    # No Nordic district-heating figure is shipped: the company loads its
    # supplier's as its own grid-factor file.
    load_heating_figures(org)
    users = {}
    for role in ("admin", "editor", "viewer", "auditor"):
        user = User.objects.create_user(
            f"{role}@nordlys.example", TEST_PASSWORD, full_name=role.capitalize()
        )
        Membership.objects.create(user=user, organisation=org, role=role)
        users[role] = user
    electricity = ActivityType.objects.get(organisation=None, code="electricity")
    unit = org.business_units.get(code="OSL")
    entry_create(
        organisation=org,
        actor=users["editor"],
        business_unit=unit,
        year=2019,
        activity_type=electricity,
        quantity=Decimal("20000"),
        unit="kWh",
    )
    return org, users


def _workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Activities"
    sheet.append(COLUMNS)
    sheet.append(
        [
            "OSL",
            2024,
            "district_heating",
            30000,
            "kWh",
            None,
            None,
            "measured",
            "",
            "fjernvarme-2024",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_year_from_entry_to_audit(company, login, live_server, shot, tmp_path):
    org, users = company
    base = f"{live_server.url}/o/{org.slug}"

    # The editor enters electricity in the grid; HTMX saves it and shows the result.
    page = login(users["editor"].email, TEST_PASSWORD)
    page.goto(f"{base}/entries/2024/OSL/")
    electricity = ActivityType.objects.get(organisation=None, code="electricity")
    row = page.locator(f"#type-{electricity.pk}")
    row.locator("input.js-qty").fill("12000")
    row.locator("input.js-qty").press("Enter")
    # 12 000 kWh x 0.0119 kg/kWh (NVE's 2024 figure) = 142.8 kg = 0.143 t
    page.wait_for_selector(f"#type-{electricity.pk} >> text=0.143")
    shot(page, "01-editor-grid")
    entry = ActivityEntry.objects.get(reporting_year__year=2024)
    assert entry.kg_co2e == Decimal("142.8")

    # ... imports a spreadsheet: preview, then commit.
    workbook = tmp_path / "fjernvarme.xlsx"
    workbook.write_bytes(_workbook())
    page.goto(f"{base}/imports/")
    page.set_input_files("input[type=file]", str(workbook))
    page.click("button.primary")
    page.wait_for_selector("text=Ready to import")
    shot(page, "02-editor-import-preview")
    page.click("text=Import 1 row")
    page.wait_for_selector("text=1 entries were imported.")
    assert ActivityEntry.objects.filter(reporting_year__year=2024).count() == 2

    # ... attaches the electricity invoice to the entry.
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.goto(f"{base}/entries/e/{entry.pk}/")
    page.set_input_files("input[type=file]", str(invoice))
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_selector("text=invoice.pdf")
    shot(page, "03-editor-evidence")
    assert entry.evidence.count() == 1

    # ... and submits the year.
    page.goto(f"{base}/years/2024/")
    page.click("text=Submit for approval")
    page.wait_for_load_state()
    assert ReportingYear.objects.get(organisation=org, year=2024).status == "submitted"

    # The administrator approves it after the review's figures: the year locks.
    admin_page = login(users["admin"].email, TEST_PASSWORD)
    admin_page.goto(f"{base}/years/2024/")
    admin_page.click("text=Review and approve >> nth=0")
    admin_page.wait_for_selector("text=Confirm the approval")
    # NVE's 2024 figure and the heating supplier's are not checked: the
    # administrator confirms approving the year with them.
    admin_page.check("input[name=confirm_unverified]")
    admin_page.click("text=Approve and lock")
    admin_page.wait_for_load_state()
    shot(admin_page, "04-admin-approved")
    assert ReportingYear.objects.get(organisation=org, year=2024).status == "approved"

    # The viewer asks for the annual PDF and downloads it.
    viewer_page = login(users["viewer"].email, TEST_PASSWORD)
    viewer_page.goto(f"{base}/dashboard/")
    shot(viewer_page, "05-viewer-dashboard")
    viewer_page.goto(f"{base}/reports/")
    viewer_page.select_option("select[name=kind]", "pdf")
    viewer_page.select_option("select[name=year]", "2024")
    viewer_page.click("text=Build report")
    viewer_page.wait_for_selector("text=Download")
    with viewer_page.expect_download() as download_info:
        viewer_page.click("text=Download")
    pdf = tmp_path / "report.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    shot(viewer_page, "06-viewer-reports")

    # The auditor follows the total to the entry, its factor, evidence and history,
    # and records a finding.
    auditor_page = login(users["auditor"].email, TEST_PASSWORD)
    auditor_page.goto(f"{base}/dashboard/?year=2024")
    auditor_page.goto(f"{base}/entries/2024/OSL/")
    auditor_page.click(f"a[href='/o/{org.slug}/entries/e/{entry.pk}/']")
    auditor_page.wait_for_selector("text=invoice.pdf")
    assert auditor_page.locator("text=grid_location|NO").count() >= 1
    shot(auditor_page, "07-auditor-entry")
    auditor_page.click("text=Record a finding on this entry")
    auditor_page.fill("textarea[name=text]", "Meter reading for December is missing.")
    auditor_page.click("text=Record finding")
    auditor_page.wait_for_selector("text=The finding was recorded.")
    shot(auditor_page, "08-auditor-finding")
    finding = Finding.objects.get()
    assert (finding.entry_id, finding.raised_by) == (entry.pk, users["auditor"])
