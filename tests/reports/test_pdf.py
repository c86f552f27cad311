"""The annual PDF says what the inventory says, in each language."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from pypdf import PdfReader

from emissions.models import ReportingYear
from reports.kinds.annual_pdf import render_pdf
from reports.selectors import annual_report_data
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory(org, admin, editor):
    unit = BusinessUnitFactory(organisation=org, code="OSL", name="Oslo")
    entry(
        organisation=org,
        unit=unit,
        year=2019,
        code="natural_gas",
        scope=1,
        kg="12345.6",
        user=admin,
    )
    entry(
        organisation=org,
        unit=unit,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="10050",
        user=admin,
    )
    entry(
        organisation=org,
        unit=unit,
        year=2024,
        code="flights",
        scope=3,
        category=6,
        kg="4321.09",
        user=admin,
    )
    return unit


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_figures_equal_the_inventory(org, inventory):
    data = annual_report_data(organisation=org, year=2024)
    text = "\n".join(_pages(render_pdf(data, language="en")))
    assert "Carbon report 2024" in text
    # Gross 14.37109 t shown with one decimal; base year 12.3456 t.
    assert "14.4" in text
    assert "12.3" in text
    assert "+16.4\xa0%" in text  # (14.37109 - 12.3456) / 12.3456
    assert "Scope 3" in text and "Business travel" in text


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        ("en", ["Carbon report 2024", "Headline figures", "Methodology"]),
        ("nb", ["Klimaregnskap 2024", "Hovedtall", "Metode"]),
        ("sv", ["Klimatbokslut 2024", "Nyckeltal", "Metod"]),
    ],
)
def test_each_language_has_its_headings(org, inventory, language, headings):
    data = annual_report_data(organisation=org, year=2024)
    text = "\n".join(_pages(render_pdf(data, language=language)))
    for heading in headings:
        assert heading in text


def test_a_draft_year_carries_the_watermark_on_every_page(org, inventory):
    pages = _pages(
        render_pdf(annual_report_data(organisation=org, year=2024), language="en")
    )
    assert len(pages) > 3
    assert all("DRAFT" in page for page in pages)


def test_an_approved_year_has_no_watermark(org, inventory, editor, admin):
    ReportingYear.objects.filter(organisation=org, year=2024).update(
        status="approved",
        submitted_by=editor,
        approved_by=admin,
        approved_at=timezone.now(),
    )
    pages = _pages(
        render_pdf(annual_report_data(organisation=org, year=2024), language="en")
    )
    assert not any("DRAFT" in page for page in pages)
    assert "approved by" in "\n".join(pages)


def test_build_report_command_writes_a_pdf_for_one_unit(org, inventory, tmp_path):
    target = tmp_path / "report.pdf"
    call_command(
        "build_report",
        org=org.slug,
        year=2024,
        unit="OSL",
        lang="nb",
        output=str(target),
    )
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert "Forretningsenhet: OSL Oslo" in "\n".join(_pages(pdf))


def test_build_report_command_rejects_a_year_without_data(org, inventory, tmp_path):
    with pytest.raises(CommandError, match="No emissions recorded for 2020"):
        call_command(
            "build_report", org=org.slug, year=2020, output=str(tmp_path / "x")
        )


@pytest.mark.parametrize(
    ("language", "gas", "flights"),
    [
        ("en", "Natural gas", "Flights"),
        ("nb", "Naturgass", "Flyreiser"),
        ("sv", "Naturgas", "Flygresor"),
    ],
)
def test_activity_types_are_named_in_the_reports_language(
    org, inventory, language, gas, flights
):
    from emissions.models import ActivityType
    from reports.services import build_report_bytes

    ActivityType.objects.filter(code="natural_gas").update(
        name="Natural gas", name_nb="Naturgass", name_sv="Naturgas"
    )
    ActivityType.objects.filter(code="flights").update(
        name="Flights", name_nb="Flyreiser", name_sv="Flygresor"
    )
    pdf = build_report_bytes(organisation=org, kind="pdf", year=2024, language=language)
    text = "\n".join(_pages(pdf))
    assert gas in text and flights in text
    others = {"Natural gas", "Naturgass", "Naturgas", "Flights", "Flyreiser"}
    others |= {"Flygresor"}
    for name in others - {gas, flights}:
        # "Naturgas" is a prefix of "Naturgass": look for whole words only.
        assert f"{name}\n" not in text and f"{name} " not in text, name


def test_pdf_gas_table_adds_up_and_says_what_is_counted_as_co2(org, inventory):
    data = annual_report_data(organisation=org, year=2024)
    text = " ".join(" ".join(_pages(render_pdf(data, language="en"))).split())
    # 10.05 t of gas and 4.321 t of flights, factors without per-gas figures.
    assert "CO21 14.4" in text
    assert "Not split" not in text
    assert (
        "Of the CO2, 14.4 t come from factors that give a CO2e total without a "
        "split by gas, counted as CO2, the dominant gas of these sources: "
        "Natural gas 10.1 t; Flights 4.3 t." in text
    )
    assert "A factor that counts CO2 only, such as a residual mix, counts as CO2" in (
        text
    )


def test_report_tables_workbook_has_the_gas_table(org, inventory):
    import openpyxl

    from reports.kinds.tables_workbook import report_tables_xlsx

    data = annual_report_data(organisation=org, year=2024)
    book = openpyxl.load_workbook(io.BytesIO(report_tables_xlsx(data, language="nb")))
    rows = [
        [cell for cell in row if cell is not None]
        for row in book["Klimagasser"].iter_rows(values_only=True)
    ]
    assert rows[2:10] == [
        ["CO2", 14.37109],
        ["CH4", 0],
        ["N2O", 0],
        ["HFK", 0],
        ["PFK", 0],
        ["SF6", 0],
        ["NF3", 0],
        ["Totalt, brutto (scope 2 markedsbasert)", 14.37109],
    ]
    assert rows[-3:] == [
        ["Natural gas", 10.05],
        ["Flights", 4.32109],
        ["Totalt", 14.37109],
    ]


def test_pdf_prints_negative_figures_with_a_true_minus_sign(org, admin, inventory):
    from reports.kinds.annual_pdf import render_html

    entry(
        organisation=org,
        unit=inventory,
        year=2023,
        code="natural_gas",
        scope=1,
        kg="20000",
        user=admin,
    )
    data = annual_report_data(organisation=org, year=2024)
    html = render_html(data, language="nb")
    # 14.4 t in 2024 against 20 t in 2023: -28.1 %, and a bridge step of
    # -9.95 t of natural gas.
    assert "\u221228,1\u00a0%" in html
    assert "\u221210,0" in html
    assert "-28,1" not in html and ">-" not in html
    text = " ".join(_pages(render_pdf(data, language="nb")))
    assert "\u221228,1" in text
