"""Reading an upload: unsafe and malformed files, headers, delimiters, formulas."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from emissions.imports.preview import import_preview
from emissions.imports.reading import COLUMNS, read_upload
from emissions.imports.selectors import import_batch_page
from emissions.models import ActivityEntry
from tests.emissions.imports.support import (
    GOOD,
    csv_bytes,
    xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("fake.xlsx", b"MZ\x90\x00 this is a program", "is not a real Excel workbook"),
        ("broken.xlsx", b"PK\x03\x04garbage", "The workbook is damaged"),
        ("old.xlsm", b"PK\x03\x04", "Macro-enabled workbooks are refused"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "is not a text file"),
        ("data.json", b"{}", "Upload the import template as .xlsx, .xls or .csv"),
        ("header.csv", b"unit_code,year,activity,quantity,unit\n", "business_unit"),
        ("only.csv", ",".join(COLUMNS).encode() + b"\n", "no rows of data"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(name, data, message):
    with pytest.raises(ValidationError) as exc:
        list(read_upload(name, data).rows)
    assert message in " ".join(exc.value.messages)


def test_macro_workbook_disguised_as_xlsx_is_refused():
    data = xlsx([GOOD[0]])
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w") as out,
    ):
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr("xl/vbaProject.bin", b"macro")
    with pytest.raises(ValidationError, match="Macro-enabled"):
        read_upload("innocent.xlsx", buffer.getvalue())


def test_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="implausible size"):
        read_upload("bomb.xlsx", buffer.getvalue())


def test_renamed_header_gets_a_hint():
    header = ["business_unit", "yaer", "activity", "quantity", "unit"]
    with pytest.raises(ValidationError) as caught:
        read_upload("r.xlsx", xlsx([GOOD[0][:5]], header=header))
    assert caught.value.messages == [
        "The header row (row 1) lacks the column(s) “year” (did you mean to rename "
        "“yaer”?). Use the import template."
    ]


def test_title_rows_above_the_header_are_skipped():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Activities"
    sheet.append(["Energy use, Oslo office, 2024"])
    sheet.append([])
    sheet.append(["Sent by the facilities team", None, "2025-01-15"])
    sheet.append(COLUMNS)
    sheet.append(GOOD[0])
    sheet.append(GOOD[1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = list(read_upload("titled.xlsx", buffer.getvalue()).rows)
    assert [(row.number, row.values["source_reference"]) for row in rows] == [
        (5, "inv-1"),
        (6, "inv-2"),
    ]


def test_a_title_above_a_csv_header_does_not_hide_its_delimiter():
    text = (
        "Energi, Oslo kontor\n\n"
        + ";".join(COLUMNS)
        + "\nOSL;2024;electricity;1234,5;kWh;;;measured;Kontor, øst;a\n"
    )
    raw = read_upload("titled.csv", csv_bytes(text))
    assert raw.decimal_sign == ","
    rows = list(raw.rows)
    assert [
        (row.number, row.values["quantity"], row.values["comment"]) for row in rows
    ] == [(4, "1234,5", "Kontor, øst")]


def test_a_header_below_the_searched_rows_is_not_found():
    titles = "".join(f"title {n}\n" for n in range(1, 10))
    text = titles + "busines_unit,year,activity,quantity,unit\n" + ",".join(COLUMNS)
    with pytest.raises(ValidationError) as caught:
        list(read_upload("deep.csv", csv_bytes(text + "\nOSL,2024,x,1,kWh\n")).rows)
    # Ten rows were searched; the tenth, most like a header, is reported.
    assert caught.value.messages == [
        "The header row (row 10) lacks the column(s) “business_unit” (did you mean "
        "to rename “busines_unit”?). Use the import template."
    ]


def test_more_rows_than_the_limit_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 2
    raw = read_upload("big.xlsx", xlsx([GOOD[0]] * 3))
    with pytest.raises(ValidationError, match="more than 2 rows"):
        list(raw.rows)


def test_csv_with_semicolons_and_nordic_numbers(org, editor, unit, catalogue):
    text = ";".join(COLUMNS) + "\nOSL;2024;electricity;1.234,5;kWh;;;measured;;\n"
    preview = import_preview(
        organisation=org, actor=editor, file_name="a.csv", data=csv_bytes(text)
    )
    page = import_batch_page(organisation=org, batch=preview.batch, page=1)
    assert page.rows[0].quantity == Decimal("1234.5")


def test_the_csv_separator_tells_the_decimal_sign(org, editor, unit, catalogue):
    semicolons = (
        ";".join(COLUMNS)
        + "\nOSL;2024;electricity;12,375;kWh;;;measured;;a"
        + "\nOSL;2024;electricity;1.250;kWh;;;measured;;b\n"
    )
    preview = import_preview(
        organisation=org, actor=editor, file_name="a.csv", data=csv_bytes(semicolons)
    )
    assert [(row.number, row.errors) for row in preview.error_rows] == [
        (
            3,
            [
                (
                    "quantity",
                    "“1.250” could mean 1.25 or 1250. Write thousands with a space "
                    "or no separator (1 250), a decimal number with a trailing zero "
                    "(1.2500), or store the cell as a number.",
                )
            ],
        )
    ]
    page = import_batch_page(organisation=org, batch=preview.batch, page=1)
    assert [(row.number, row.quantity) for row in page.rows] == [
        (3, None),
        (2, Decimal("12.375")),
    ]
    commas = ",".join(COLUMNS) + '\nOSL,2024,electricity,"1,250",kWh,,,measured,,a\n'
    preview = import_preview(
        organisation=org, actor=editor, file_name="b.csv", data=csv_bytes(commas)
    )
    assert [row.errors[0][0] for row in preview.error_rows] == ["quantity"]
    # A workbook says nothing of its decimal sign: text reading two ways is
    # refused there too; a number cell is a number.
    workbook = xlsx(
        [
            ["OSL", 2024, "electricity", "1,250", "kWh"],
            ["OSL", 2024, "electricity", 1250, "kWh"],
        ]
    )
    preview = import_preview(
        organisation=org, actor=editor, file_name="c.xlsx", data=workbook
    )
    assert [(row.number, row.errors[0][0]) for row in preview.error_rows] == [
        (2, "quantity")
    ]
    assert ActivityEntry.objects.count() == 0


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_csv_delimiter_comes_from_the_header_not_the_decimal_commas(
    org, editor, unit, catalogue, delimiter
):
    # With commas as delimiters, decimal commas must be quoted, as any
    # spreadsheet program writes them.
    quoted = (lambda text: f'"{text}"') if delimiter == "," else (lambda text: text)
    quantity, second = quoted("1234,5"), quoted("2,5")
    lines = [
        delimiter.join(COLUMNS),
        delimiter.join(["OSL", "2024", "electricity", quantity, "kWh"] + [""] * 5),
        delimiter.join(
            ["OSL", "2024", "electricity", second, "MWh"] + [""] * 4 + ["b"]
        ),
    ]
    preview = import_preview(
        organisation=org,
        actor=editor,
        file_name="a.csv",
        data=csv_bytes("\n".join(lines) + "\n"),
    )
    assert preview.is_valid, preview.error_rows
    page = import_batch_page(organisation=org, batch=preview.batch, page=1)
    assert [(row.quantity, row.values["unit"]) for row in page.rows] == [
        (Decimal("1234.5"), "kWh"),
        (Decimal("2.5"), "MWh"),
    ]


def test_formula_cells_give_their_cached_value(org, editor, unit, catalogue, tmp_path):
    # A workbook saved by a spreadsheet program stores the formula and its value;
    # write the value calamine reads into the cached-value slot by hand.
    data = xlsx([["OSL", 2024, "electricity", "=5000*2", "kWh"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("<f>5000*2</f><v></v>", "<f>5000*2</f><v>10000</v>")
    sheet = sheet.replace("<f>5000*2</f><v />", "<f>5000*2</f><v>10000</v>")
    if "<v>10000</v>" not in sheet:
        sheet = sheet.replace("<f>5000*2</f>", "<f>5000*2</f><v>10000</v>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in parts.items():
            archive.writestr(name, payload)
    preview = import_preview(
        organisation=org, actor=editor, file_name="f.xlsx", data=buffer.getvalue()
    )
    page = import_batch_page(organisation=org, batch=preview.batch, page=1)
    assert page.rows[0].quantity == Decimal("10000")


def test_formulas_without_a_stored_result_are_reported_not_read_as_empty(
    org, editor, unit, catalogue
):
    # openpyxl writes formulas without results, as a program that does not
    # calculate would; a formula in a column the import does not read is fine.
    rows = [
        ["OSL", 2024, "electricity", "=5000*2", "kWh"],
        ["OSL", 2024, "electricity", 7, "kWh", None, None, "", "", "ok", "", "=1+1"],
    ]
    preview = import_preview(
        organisation=org, actor=editor, file_name="f.xlsx", data=xlsx(rows)
    )
    assert [row.number for row in preview.error_rows] == [2]
    assert preview.error_rows[0].errors[0] == (
        "",
        "D2: a formula whose result is not saved in the file (nothing is "
        "calculated on import). Open the file in a spreadsheet program and save "
        "it, or paste the values.",
    )
    assert preview.row_count == 2


def test_rows_are_numbered_as_the_sheet_shows_them_below_blank_rows(
    org, editor, unit, catalogue
):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Activities"
    sheet.append([])
    sheet.append([])
    sheet.append(COLUMNS)
    sheet.append(GOOD[0])
    sheet.append(["OSL", 2024, "electricity", "lots", "kWh"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = import_preview(
        organisation=org, actor=editor, file_name="b.xlsx", data=buffer.getvalue()
    )
    assert [row.number for row in preview.error_rows] == [5]
