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


def test_every_role_sees_the_dashboard_with_the_years_figures(
    client_for, org, admin, editor, viewer, auditor, year_data
):
    for user in (admin, editor, viewer, auditor):
        response = client_for(user).get(reverse("dashboard", args=[org.slug]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "<h1>Dashboard 2024</h1>" in body
        assert (
            '<a href="/o/acme/entries/list/?year=2024" data-figure="total">5.0</a>'
            in (body)
        )
        assert "t CO2e gross</div>" not in body  # the total names its method
        assert "t CO2e gross (scope 2 market-based)" in body


def test_every_role_sees_the_reports_page_and_its_reports(
    client_for, org, admin, editor, viewer, auditor, year_data
):
    GeneratedReport.objects.create(
        organisation=org,
        kind="pdf",
        year=2024,
        language="nb",
        requested_by=admin,
        status="done",
        sha256="ab" * 32,
        file="reports/x.pdf",
    )
    for user in (admin, editor, viewer, auditor):
        response = client_for(user).get(reverse("report_list", args=[org.slug]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "<h1>Reports</h1>" in body
        assert '<option value="2024" selected>2024</option>' in body
        assert "<td>Annual carbon report (PDF)</td><td>2024" in body
        assert '<code class="hash" title="' + "ab" * 32 + '">abababababab</code>' in (
            body
        )
        assert f"<td>{admin}</td>" in body


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
    # The form offers the years with emissions only.
    assert (
        '<p class="error" role="alert">Select a valid choice. 2023 is not one of '
        "the available choices.</p>" in response.content.decode()
    )
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
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(report.file.read())).active
    rows = [
        [c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)
    ]
    assert rows[0] == ["Miljøfyrtårn – årlig miljørapport 2024", org.name]
    assert ["Natural gas", 1000, "kWh", 1000, 5000] in rows
    assert [
        "Klimagassutslipp totalt (tonn CO2e, scope 2 markedsbasert, hovedtall)",
        5,
    ] in rows


def test_chart_axis_fits_the_data_and_a_scopes_1_2_target_is_read_against_them():
    from decimal import Decimal

    from reports.charts import StackedBar, nice_axis, stacked_scope_bars

    assert nice_axis(Decimal("1066")) == (Decimal("1200"), 6)
    assert nice_axis(Decimal("861.9")) == (Decimal("1000"), 5)
    assert nice_axis(Decimal("45.2")) == (Decimal("50"), 5)
    svg = stacked_scope_bars(
        [
            StackedBar("2019", (Decimal(40), Decimal(450), Decimal(630)), marked=True),
            StackedBar("2024", (Decimal(33), Decimal(272), Decimal(696))),
        ],
        title="t",
        description="d",
        scope_labels=["Scope 1", "Scope 2", "Scope 3"],
        target_value=Decimal("249.5"),
        target_label="Target 2030 (scopes 1+2)",
        scope12_label="Scopes 1+2",
        marked_label="recalculated base year",
    )
    assert ">1,200<" in svg and ">2,000<" not in svg
    assert ">2019*<" in svg and "* recalculated base year" in svg
    # One scopes 1+2 mark per bar, besides the legend's.
    assert svg.count('stroke-width="2.5"') == 3


def test_every_year_is_offered_only_as_the_full_inventory(
    client_for, org, viewer, year_data
):
    from reports.forms import EVERY_YEAR_INVENTORY, ReportRequestForm

    form = ReportRequestForm(years=[2024], units=[])
    assert [value for value, _label in form.fields["year"].choices] == [2024]
    assert EVERY_YEAR_INVENTORY in dict(form.fields["kind"].choices)
    form = ReportRequestForm(
        {"kind": EVERY_YEAR_INVENTORY, "year": "2024", "language": "en"},
        years=[2024],
        units=[],
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["kind"], form.cleaned_data["year"]) == (
        "inventory_xlsx",
        None,
    )


def test_dashboard_of_a_parent_unit_shows_its_children(
    client_for, org, viewer, year_data
):
    parent = BusinessUnitFactory(organisation=org, code="NORDICS")
    year_data.parent = parent
    year_data.save()
    body = (
        client_for(viewer)
        .get(reverse("dashboard", args=[org.slug]), {"unit": "NORDICS"})
        .content.decode()
    )
    assert "5.0" in body
    # The unit row links to its entries.
    assert 'data-figure="unit">OSL</a></td>' in body


def test_dashboard_gas_table_names_what_is_counted_as_co2(
    client_for, org, viewer, admin, year_data
):
    # Natural gas 5 t without per-gas figures, and 1.5 t of R-410A leakage.
    entry(
        organisation=org,
        unit=year_data,
        year=2024,
        code="refrigerant_r410a",
        scope=1,
        kg="1500",
        user=admin,
        gases={"R-410A": "1500"},
    )
    body = (
        client_for(viewer).get(reverse("dashboard", args=[org.slug])).content.decode()
    )
    assert '<tr data-gas="CO2"><th scope="row">CO2<sup>1</sup></th>' in body
    assert '<td class="num">5.0</td>' in body.split('data-gas="CO2"')[1]
    assert '<td class="num">1.5</td>' in body.split('data-gas="HFCs"')[1]
    assert "Not split" not in body
    assert (
        "Of the CO2, 5.0 t come from factors that give a CO2e total without a "
        "split by gas, counted as CO2, the dominant gas of these sources: "
        "Natural gas 5.0 t." in body
    )


def test_negative_figures_are_shown_with_a_true_minus_sign(
    client_for, org, viewer, admin, year_data
):
    entry(
        organisation=org,
        unit=year_data,
        year=2019,
        code="natural_gas",
        scope=1,
        kg="10000",
        user=admin,
    )
    body = (
        client_for(viewer).get(reverse("dashboard", args=[org.slug])).content.decode()
    )
    # 5 t against 10 t in the base year.
    assert '<div class="value">\u221250.0\u00a0%</div>' in body
    assert "-50.0" not in body
