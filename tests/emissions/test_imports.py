"""Spreadsheet import: the template round trip, every bad input, rollback."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from emissions.catalogue import load_activity_types, load_curated_factors
from emissions.importing.reading import COLUMNS, read_upload
from emissions.importing.template import template_xlsx
from emissions.importing.values import cell_text as cell
from emissions.importing.values import parse_number
from emissions.models import ActivityEntry, ImportBatch, ReportingYear
from emissions.services.imports import (
    SHOWN_COLUMNS,
    import_batch_page,
    import_commit,
    import_preview,
    import_rollback,
)

from .entries_support import load_heating_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    load_activity_types()
    load_curated_factors()


def xlsx(rows, header=COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Activities"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


GOOD = [
    ["OSL", 2024, "electricity", 10000, "kWh", None, None, "measured", "", "inv-1"],
    [
        "OSL",
        2024,
        "electricity",
        "2 500,5",
        "kWh",
        "01.01.2024",
        "31.03.2024",
        "estimated",
        "Q1",
        "inv-2",
    ],
]


def test_template_has_the_contract_columns_and_drop_downs(org, unit):
    workbook = load_workbook(io.BytesIO(template_xlsx(org, "nb")))
    sheet = workbook["Activities"]
    assert [cell.value for cell in sheet[1]] == COLUMNS
    formulas = sorted(v.formula1 for v in sheet.data_validations.dataValidation)
    assert "=Lists!$A$1:$A$1" in formulas
    assert workbook["Lists"]["A1"].value == "OSL"
    assert (
        "Instruksjoner" in workbook.sheetnames or "Instructions" in workbook.sheetnames
    )


def test_template_lists_the_activities_in_the_template_language(org, unit, catalogue):
    for language, expected in (
        ("nb", "Naturgass (stasjonær forbrenning): kWh_gross"),
        ("sv", "Naturgas (stationär förbränning): kWh_gross"),
        ("en", "Natural gas (stationary combustion): kWh_gross"),
    ):
        workbook = load_workbook(io.BytesIO(template_xlsx(org, language)))
        help_sheet = workbook[workbook.sheetnames[-1]]
        texts = [row[1] for row in help_sheet.iter_rows(values_only=True)]
        assert any(str(text).startswith(expected) for text in texts), language


def test_round_trip_preview_commit_and_rollback(org, editor, unit, catalogue):
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    assert preview.is_valid
    assert ActivityEntry.objects.count() == 0
    # NO 2024 grid factor 0.0119 kg/kWh: 10 000 -> 119, 2 500.5 -> 29.75595
    page = import_batch_page(organisation=org, batch=preview.batch, page=1)
    assert [(row.number, row.kg_co2e) for row in page.rows] == [
        (2, Decimal("119.0000000000")),
        (3, Decimal("29.7559500000")),
    ]
    assert preview.totals_by_scope() == {2: Decimal("148.7559500000")}
    assert preview.row_count == page.row_count == 2
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert batch.rows_created == 2
    entries = ActivityEntry.objects.order_by("pk")
    assert [e.quantity for e in entries] == [Decimal("10000"), Decimal("2500.5")]
    assert all(e.import_batch_id == batch.pk for e in entries)
    assert entries[1].period_start.isoformat() == "2024-01-01"
    assert entries[0].history.count() == 1
    import_rollback(organisation=org, actor=editor, batch=batch)
    assert ActivityEntry.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == "rolled_back"


def test_one_bad_row_means_nothing_is_written(org, editor, unit, catalogue):
    rows = [*GOOD, ["OSL", 2024, "electricity", -5, "kWh"]]
    preview = import_preview(
        organisation=org, actor=editor, file_name="bad.xlsx", data=xlsx(rows)
    )
    assert not preview.is_valid
    assert preview.error_rows[0].number == 4
    assert preview.error_rows[0].errors == [
        ("quantity", "The quantity cannot be negative.")
    ]
    with pytest.raises(ValidationError, match="1 rows have errors"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert ActivityEntry.objects.count() == 0
    assert ImportBatch.objects.get().status == "failed"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (
            ["XXX", 2024, "electricity", 1, "kWh"],
            "business_unit",
            "Unknown business unit “XXX”.",
        ),
        (
            ["OSL", 2024, "unicorns", 1, "kWh"],
            "activity",
            "Unknown activity “unicorns”.",
        ),
        (
            ["OSL", 2024, "electricity", 1, "furlong"],
            "unit",
            "“furlong” is not a known unit.",
        ),
        (
            ["OSL", 2024, "electricity", 1, "litre"],
            "unit",
            "electricity is entered in kWh, MWh, not litre.",
        ),
        (
            ["OSL", 2024, "electricity", "lots", "kWh"],
            "quantity",
            "“lots” is not a number.",
        ),
        (
            ["OSL", 2024, "electricity", 1, "kWh", "2023-05-01"],
            "period_start",
            "The date is outside the year 2024.",
        ),
        (["OSL", "soon", "electricity", 1, "kWh"], "year", "“soon” is not a year."),
        (
            ["OSL", 2024, "electricity", 1, "kWh", None, None, "guessed"],
            "data_quality",
            "“guessed” is not one of measured, calculated, estimated, spend_based.",
        ),
    ],
)
def test_each_bad_value_is_reported_with_its_column(
    org, editor, unit, catalogue, row, column, message
):
    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([row])
    )
    assert (column, message) in preview.error_rows[0].errors


def test_duplicate_rows_are_reported(org, editor, unit, catalogue):
    preview = import_preview(
        organisation=org,
        actor=editor,
        file_name="d.xlsx",
        data=xlsx([GOOD[0], GOOD[0]]),
    )
    assert [(row.number, row.errors) for row in preview.error_rows] == [
        (3, [("", "Duplicates row 2.")])
    ]


def test_a_locked_year_refuses_the_import(org, editor, admin, unit, catalogue):
    ReportingYear.objects.create(organisation=org, year=2024, status="approved")
    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([GOOD[0]])
    )
    assert "approved and locked" in preview.error_rows[0].errors[0][1]


def test_the_same_file_twice_needs_a_confirmation(org, editor, unit, catalogue):
    data = xlsx([GOOD[0]])
    first = import_preview(
        organisation=org, actor=editor, file_name="a.xlsx", data=data
    )
    import_commit(organisation=org, actor=editor, batch=first.batch)
    second = import_preview(
        organisation=org, actor=editor, file_name="a.xlsx", data=data
    )
    with pytest.raises(ValidationError, match="already imported"):
        import_commit(organisation=org, actor=editor, batch=second.batch)
    import_commit(
        organisation=org, actor=editor, batch=second.batch, confirm_duplicate_file=True
    )
    assert ActivityEntry.objects.count() == 2


def test_csv_with_semicolons_and_nordic_numbers(org, editor, unit, catalogue):
    text = ";".join(COLUMNS) + "\nOSL;2024;electricity;1.234,5;kWh;;;measured;;\n"
    preview = import_preview(
        organisation=org, actor=editor, file_name="a.csv", data=csv_bytes(text)
    )
    page = import_batch_page(organisation=org, batch=preview.batch, page=1)
    assert page.rows[0].quantity == Decimal("1234.5")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("1234.5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1234,5", "1234.5"),
        ("1.234.567", "1234567"),
        (0.1, "0.1"),
        (12, "12"),
    ],
)
def test_number_formats(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "decimal_sign", "expected"),
    [
        ("1,234", ",", "1.234"),  # semicolon CSV: the comma is the decimal sign
        ("1.234", ".", "1.234"),  # comma CSV: the point is
        ("0,125", None, "0.125"),  # a lone zero never groups thousands
        ("12,5", None, "12.5"),
        ("1234,567", None, "1234.567"),  # four digits before: not grouped
        ("1,2340", None, "1.2340"),
        ("1 234", None, "1234"),
    ],
)
def test_numbers_that_read_one_way(text, decimal_sign, expected):
    assert parse_number(text, decimal_sign) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "decimal_sign", "readings"),
    [
        ("1,234", None, "1.234 or 1234"),
        ("1.234", None, "1.234 or 1234"),
        ("12.500", ",", "12.5 or 12500"),
        ("100,000", ".", "100 or 100000"),
        ("-1,234", None, "-1.234 or -1234"),
    ],
)
def test_numbers_that_read_two_ways_are_refused(text, decimal_sign, readings):
    with pytest.raises(ValidationError) as caught:
        parse_number(text, decimal_sign)
    spaced = text.replace(",", " ").replace(".", " ")
    assert caught.value.messages == [
        f"“{text}” could mean {readings}. Write thousands with a space or no "
        f"separator ({spaced}), a decimal number with a trailing zero ({text}0), or "
        "store the cell as a number."
    ]


def test_the_two_readings_are_written_as_the_reader_writes_numbers():
    with translation.override("nb"), pytest.raises(ValidationError) as caught:
        parse_number("1.250")
    assert caught.value.messages[0].startswith(
        "«1.250» kan bety 1,25 eller 1250. Skriv tusener med mellomrom"
    )


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


def test_command_dry_run_writes_nothing(org, admin, unit, catalogue, tmp_path):
    path = tmp_path / "q1.xlsx"
    path.write_bytes(xlsx(GOOD))
    call_command("import_activities", str(path), org=org.slug, dry_run=True)
    assert ActivityEntry.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    call_command("import_activities", str(path), org=org.slug)
    assert ActivityEntry.objects.count() == 2


def test_command_reports_errors_and_fails(org, admin, unit, catalogue, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([["OSL", 2024, "electricity", -1, "kWh"]]))
    with pytest.raises(CommandError, match="1 rows have errors"):
        call_command("import_activities", str(path), org=org.slug)
    assert ActivityEntry.objects.count() == 0


def test_import_pages(
    client_for, client, org, editor, viewer, outsider, unit, catalogue
):
    url = reverse("import_upload", args=[org.slug])
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    editor_client = client_for(editor)
    upload = io.BytesIO(xlsx(GOOD))
    upload.name = "q1.xlsx"
    response = editor_client.post(url, {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    detail = editor_client.get(reverse("import_detail", args=[org.slug, batch.pk]))
    assert "Import all 2 rows" in detail.content.decode()
    editor_client.post(reverse("import_commit", args=[org.slug, batch.pk]))
    assert ActivityEntry.objects.count() == 2
    template = editor_client.get(reverse("import_template", args=[org.slug, "xlsx"]))
    assert template.status_code == 200, template.content[:300]
    assert template["Content-Disposition"].endswith('import-template.xlsx"')
    response = client_for(viewer).post(
        reverse("import_rollback", args=[org.slug, batch.pk])
    )
    assert response.status_code == 403


def test_large_imports_are_committed_by_the_task_queue(
    client_for, org, editor, unit, catalogue, settings
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    client = client_for(editor)
    upload = io.BytesIO(xlsx(GOOD))
    upload.name = "large.xlsx"
    client.post(reverse("import_upload", args=[org.slug]), {"file": upload})
    batch = ImportBatch.objects.get()
    client.post(reverse("import_commit", args=[org.slug, batch.pk]))
    batch.refresh_from_db()
    # Without a worker the task runs inline; with one, the page follows progress.
    assert batch.status == "committed"
    assert batch.rows_done == 2
    assert ActivityEntry.objects.count() == 2


def test_imported_entries_equal_entries_the_forms_would_save(
    org, editor, unit, catalogue
):
    """The fast writer stores exactly what the ORM stores for the same line."""
    from emissions.models import ActivityType
    from emissions.services.entries import entry_create

    preview = import_preview(
        organisation=org, actor=editor, file_name="q.xlsx", data=xlsx(GOOD[1:])
    )
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    imported = ActivityEntry.objects.get(import_batch=batch)
    typed = entry_create(
        organisation=org,
        actor=editor,
        business_unit=unit,
        year=2024,
        activity_type=ActivityType.objects.get(code="electricity"),
        quantity=Decimal("2500.5"),
        unit="kWh",
        period_start=imported.period_start,
        period_end=imported.period_end,
        data_quality="estimated",
        comment="Q1",
        source_reference="inv-2",
    )
    typed.refresh_from_db()
    skip = {"id", "import_batch_id", "calculated_at", "created_at", "updated_at"}
    names = [f.attname for f in ActivityEntry._meta.concrete_fields]
    for name in names:
        if name not in skip:
            assert getattr(imported, name) == getattr(typed, name), name
    assert imported.kg_co2e == Decimal("29.7559500000")  # 2 500.5 kWh x 0.0119
    assert imported.kg_co2e_market == typed.kg_co2e_market
    assert imported.created_at == imported.updated_at == imported.calculated_at
    assert imported.version == 1


def test_each_imported_entry_gets_one_history_row_with_its_values(
    org, editor, unit, catalogue
):
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    history = ActivityEntry.history.order_by("id")
    entries = ActivityEntry.objects.order_by("id")
    assert [(h.id, h.quantity, h.kg_co2e) for h in history] == [
        (e.id, e.quantity, e.kg_co2e) for e in entries
    ]
    assert {h.history_type for h in history} == {"+"}
    assert {h.history_user_id for h in history} == {editor.pk}
    assert {h.history_change_reason for h in history} == {"import q1.xlsx"}
    assert {h.import_batch_id for h in history} == {batch.pk}


def test_a_failure_while_writing_leaves_no_entries(
    org, editor, unit, catalogue, monkeypatch
):
    from emissions.services import imports

    rows = [
        ["OSL", 2024, "electricity", 100 + i, "kWh", None, None, "", "", f"m-{i}"]
        for i in range(5)
    ]
    preview = import_preview(
        organisation=org, actor=editor, file_name="m.xlsx", data=xlsx(rows)
    )
    written = []

    def failing_history(model, **kwargs):
        # The entries are in the table by now; the history fails.
        written.append(model.objects.filter(import_batch=preview.batch).count())
        raise OSError("disk full")

    monkeypatch.setattr(imports, "copy_to_history", failing_history)
    with pytest.raises(OSError, match="disk full"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert written == [5]
    assert ActivityEntry.objects.count() == 0
    assert ActivityEntry.history.count() == 0
    assert ImportBatch.objects.get().status == "preview"


def test_a_year_locked_after_the_preview_refuses_the_commit(
    org, editor, unit, catalogue
):
    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([GOOD[0]])
    )
    ReportingYear.objects.filter(organisation=org, year=2024).update(status="approved")
    with pytest.raises(ValidationError, match="1 rows have errors"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert ActivityEntry.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    assert batch.errors[0]["row"] == 2
    assert "approved and locked" in batch.errors[0]["message"]


def test_a_year_locked_while_the_rows_are_checked_refuses_the_write(
    org, editor, unit, catalogue, monkeypatch
):
    from emissions.services import imports

    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([GOOD[0]])
    )
    real_check = imports._ensure_committable
    calls = []

    def check_then_lock(*args):
        calls.append(args)
        if len(calls) == 2:  # the check inside the writing transaction
            ReportingYear.objects.filter(organisation=org, year=2024).update(
                status="approved"
            )
        real_check(*args)

    monkeypatch.setattr(imports, "_ensure_committable", check_then_lock)
    with pytest.raises(ValidationError, match="approved and locked"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert len(calls) == 2
    assert ActivityEntry.objects.count() == 0
    assert ActivityEntry.history.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    assert batch.errors == [
        {
            "row": None,
            "column": "year",
            "message": "The year 2024 is approved and locked; an administrator "
            "must unlock it with a reason before anything can change.",
        }
    ]


def test_a_committed_batch_cannot_be_committed_twice(org, editor, unit, catalogue):
    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([GOOD[0]])
    )
    import_commit(organisation=org, actor=editor, batch=preview.batch)
    stale = ImportBatch.objects.get()
    stale.status = "preview"  # a second request still holding the old state
    with pytest.raises(ValidationError, match="cannot be committed again"):
        import_commit(organisation=org, actor=editor, batch=stale)
    assert ActivityEntry.objects.count() == 1


def test_the_preview_page_lists_errors_first_then_rows_a_page_at_a_time(
    org, editor, unit, catalogue
):
    rows = [
        ["OSL", 2024, "electricity", 100 + i, "kWh", None, None, "", "", f"m-{i}"]
        for i in range(7)
    ]
    rows[4][3] = "lots"
    preview = import_preview(
        organisation=org, actor=editor, file_name="p.xlsx", data=xlsx(rows)
    )
    first = import_batch_page(organisation=org, batch=preview.batch, page=1, per_page=3)
    second = import_batch_page(
        organisation=org, batch=preview.batch, page=2, per_page=3
    )
    third = import_batch_page(organisation=org, batch=preview.batch, page=3, per_page=3)
    assert [row.number for row in first.rows] == [6, 2, 3]
    assert [row.number for row in second.rows] == [4, 5, 7]
    assert [row.number for row in third.rows] == [8]
    assert (first.row_count, first.error_count) == (7, 1)
    # 100+101+102+103+105+106 = 617 kWh at the NO 2024 grid factor 0.0119
    assert first.totals == {2: Decimal("7.3423000000")}


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


def _entry_values(batch) -> list[dict]:
    skip = {"id", "import_batch_id", "calculated_at", "created_at", "updated_at"}
    names = [f.attname for f in ActivityEntry._meta.concrete_fields]
    return [
        {name: getattr(e, name) for name in names if name not in skip}
        for e in ActivityEntry.objects.filter(import_batch=batch).order_by("id")
    ]


def test_a_valid_preview_keeps_the_parsed_rows_for_the_commit(
    org, editor, unit, catalogue, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.files.storage import default_storage

    from emissions.services import imports

    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = preview.batch
    with default_storage.open(batch.prepared_file, "rb") as handle:
        lines = handle.read().decode().splitlines()
    assert len(lines) == 3
    assert '"kinds": [["OSL", 2024, "electricity", "kWh"]]' in lines[0]
    assert lines[1:] == [
        "2,0,,,10000.0,measured,,inv-1",
        "3,0,2024-01-01,2024-03-31,2500.5,estimated,Q1,inv-2",
    ]
    path = batch.prepared_file

    def no_reading(*args):
        raise AssertionError("the commit read the uploaded file again")

    monkeypatch.setattr(imports, "read_upload", no_reading)
    with django_capture_on_commit_callbacks(execute=True):
        committed = import_commit(organisation=org, actor=editor, batch=batch)
    # It served the commit and is gone; the uploaded file stays for the audit.
    assert committed.prepared_file == ""
    assert not default_storage.exists(path)
    assert default_storage.exists(committed.stored_file)
    assert [e["quantity"] for e in _entry_values(committed)] == [
        Decimal("10000"),
        Decimal("2500.5"),
    ]


def test_a_preview_with_errors_keeps_no_parsed_rows(org, editor, unit, catalogue):
    rows = [*GOOD, ["OSL", 2024, "electricity", -5, "kWh"]]
    preview = import_preview(
        organisation=org, actor=editor, file_name="bad.xlsx", data=xlsx(rows)
    )
    assert not preview.is_valid
    assert preview.batch.prepared_file == ""
    assert preview.batch.prepared_sha256 == ""


@pytest.mark.parametrize("damage", ["missing", "altered", "other format"])
def test_the_commit_reads_the_file_again_without_sound_parsed_rows(
    org, editor, unit, catalogue, damage
):
    """Entries are the same whether the commit reads the parsed rows or the file."""
    from django.core.files.storage import default_storage

    first = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    import_commit(organisation=org, actor=editor, batch=first.batch)
    expected = _entry_values(first.batch)
    assert [e["quantity"] for e in expected] == [Decimal("10000"), Decimal("2500.5")]
    import_rollback(organisation=org, actor=editor, batch=first.batch)

    second = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = second.batch
    path = batch.prepared_file
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    default_storage.delete(path)
    if damage == "altered":
        # A quantity changed on disk: the checksum no longer matches.
        default_storage.save(path, io.BytesIO(content.replace(b",10000.0,", b",99,")))
    elif damage == "other format":
        import hashlib

        content = content.replace(b'"format": 1', b'"format": 0')
        default_storage.save(path, io.BytesIO(content))
        batch.prepared_sha256 = hashlib.sha256(content).hexdigest()
        batch.save(update_fields=["prepared_sha256"])
    batch = import_commit(
        organisation=org, actor=editor, batch=batch, confirm_duplicate_file=True
    )
    assert batch.rows_created == 2
    assert _entry_values(batch) == expected


def test_the_commit_calculates_with_the_organisation_as_it_is_then(
    org, editor, unit, catalogue
):
    """A unit moved to Sweden after the preview is committed with Swedish factors."""
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    assert preview.totals_by_scope() == {2: Decimal("148.7559500000")}  # NO 0.0119
    unit.country = "SE"
    unit.save()
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    entries = ActivityEntry.objects.filter(import_batch=batch).order_by("id")
    # SE 2024: 0.006 kg/kWh location-based (EEA), 0.08552 residual mix (AIB).
    assert [(e.kg_co2e, e.kg_co2e_market) for e in entries] == [
        (Decimal("60.0000000000"), Decimal("855.2000000000")),
        (Decimal("15.0030000000"), Decimal("213.8427600000")),
    ]
    assert [e.factor_key for e in entries] == ["grid_location|SE"] * 2


def test_a_unit_removed_from_a_member_after_the_preview_fails_each_row(
    org, editor, unit, catalogue
):
    from django.core.files.storage import default_storage

    from accounts.models import Membership
    from tests.factories import BusinessUnitFactory

    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    path = preview.batch.prepared_file
    assert default_storage.exists(path)
    other = BusinessUnitFactory(organisation=org, code="BGO", country="NO")
    Membership.objects.get(user=editor, organisation=org).business_units.set([other])
    with pytest.raises(ValidationError, match="2 rows have errors"):
        import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert ActivityEntry.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == "failed"
    # A failed batch is never committed: its parsed rows are gone.
    assert (batch.prepared_file, batch.prepared_sha256) == ("", "")
    assert not default_storage.exists(path)
    assert batch.errors == [
        {
            "row": 2,
            "column": "business_unit",
            "message": "You may not enter data for OSL.",
        },
        {
            "row": 3,
            "column": "business_unit",
            "message": "You may not enter data for OSL.",
        },
    ]


def test_text_with_commas_quotes_and_line_breaks_survives_the_parsed_rows(
    org, editor, unit, catalogue, monkeypatch
):
    from emissions.services import imports

    comment = 'Tank 2, "north side"\nrefilled; 50 % estimated'
    rows = [["OSL", 2024, "electricity", 12.5, "kWh", None, None, "", comment, "a,b"]]
    preview = import_preview(
        organisation=org, actor=editor, file_name="t.xlsx", data=xlsx(rows)
    )
    monkeypatch.setattr(imports, "read_upload", None)  # the file is not read again
    import_commit(organisation=org, actor=editor, batch=preview.batch)
    entry = ActivityEntry.objects.get()
    assert (entry.comment, entry.source_reference) == (comment, "a,b")
    assert (entry.quantity, entry.kg_co2e) == (
        Decimal("12.5"),
        Decimal("0.1487500000"),
    )  # x 0.0119


def test_rows_of_several_kinds_keep_their_order_and_their_own_factors(
    org, editor, unit, catalogue
):
    from tests.factories import BusinessUnitFactory

    BusinessUnitFactory(organisation=org, code="STO", country="SE")
    load_heating_figures(org)
    rows = [
        ["OSL", 2024, "electricity", 100, "kWh", None, None, "", "", "a"],
        ["STO", 2024, "electricity", 100, "kWh", None, None, "", "", "b"],
        ["OSL", 2024, "district_heating", 100, "MWh", None, None, "", "", "c"],
        ["OSL", 2024, "electricity", 200, "kWh", None, None, "", "", "d"],
        ["STO", 2024, "district_heating", 1, "MWh", None, None, "", "", "e"],
    ]
    preview = import_preview(
        organisation=org, actor=editor, file_name="k.xlsx", data=xlsx(rows)
    )
    assert preview.is_valid, preview.error_rows
    import_commit(organisation=org, actor=editor, batch=preview.batch)
    entries = ActivityEntry.objects.order_by("pk").select_related("business_unit")
    # kg/kWh in 2024: grid NO 0.0119, SE 0.006; district heating from the
    # organisation's own file, NO 0.015, SE 0.047.
    assert [
        (
            e.source_reference,
            e.business_unit.code,
            e.unit,
            e.factor_key,
            e.converted_quantity,
            e.kg_co2e,
        )
        for e in entries
    ] == [
        ("a", "OSL", "kWh", "grid_location|NO", Decimal("100"), Decimal("1.19")),
        ("b", "STO", "kWh", "grid_location|SE", Decimal("100"), Decimal("0.6")),
        ("c", "OSL", "MWh", "district_heating|NO", Decimal("100000"), Decimal("1500")),
        ("d", "OSL", "kWh", "grid_location|NO", Decimal("200"), Decimal("2.38")),
        ("e", "STO", "MWh", "district_heating|SE", Decimal("1000"), Decimal("47")),
    ]


def test_a_rollback_deletes_only_the_batch_lines_and_records_each_in_history(
    org, editor, auditor, unit, catalogue
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from emissions.models import EvidenceDocument, Finding
    from emissions.services.evidence import evidence_attach, evidence_upload

    kept = import_preview(
        organisation=org, actor=editor, file_name="keep.xlsx", data=xlsx(GOOD[:1])
    )
    kept_batch = import_commit(organisation=org, actor=editor, batch=kept.batch)
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD[1:])
    )
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    entry = ActivityEntry.objects.get(import_batch=batch)
    document = evidence_upload(
        organisation=org,
        actor=editor,
        uploaded_file=SimpleUploadedFile(
            "invoice.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
        ),
        kind="invoice",
    )
    evidence_attach(organisation=org, actor=editor, document=document, target=entry)
    Finding.objects.create(
        organisation=org,
        reporting_year=entry.reporting_year,
        entry=entry,
        text="Invoice?",
        raised_by=auditor,
    )
    import_rollback(organisation=org, actor=editor, batch=batch)
    assert list(ActivityEntry.objects.values_list("import_batch", flat=True)) == [
        kept_batch.pk
    ]
    assert not Finding.objects.exists()
    assert EvidenceDocument.objects.filter(pk=document.pk).exists()
    assert ActivityEntry.evidence.through.objects.count() == 0
    deleted = ActivityEntry.history.filter(history_type="-")
    assert [
        (h.id, h.quantity, h.history_user_id, h.history_change_reason) for h in deleted
    ] == [(entry.pk, Decimal("2500.5"), editor.pk, "rollback of import q1.xlsx")]


MIXED = [
    ["OSL", 2024, "electricity", 10000, "kWh", None, None, "measured", "", "a"],
    ["OSL", 2024, "electricity", -5, "kWh"],
    ["OSL", 2024.0, "electricity", "2 500,5", "MWh", "2024-01-01", "2024-03-31"],
    ["XXX", 2024, "electricity", 7.25, "kWh"],
    ["OSL", 2024, "electricity", "1,250", "kWh"],
    ["OSL", 2024, "district_heating", 300, "kWh"],
]


def _shown(rows):
    return [
        (
            row.number,
            {name: cell(row.values.get(name)) for name in SHOWN_COLUMNS},
            [tuple(error) for error in row.errors],
            row.quantity,
            row.scope,
            row.kg_co2e,
        )
        for row in rows
    ]


def _page_checked_again(org, batch, page, per_page):
    """The page as every row checked again gives it (no shown rows)."""
    again = ImportBatch.objects.get(pk=batch.pk)
    again.shown_file = ""
    return import_batch_page(
        organisation=org, batch=again, page=page, per_page=per_page
    )


def test_preview_pages_show_the_rows_as_checked_without_reading_the_file(
    org, editor, unit, catalogue, monkeypatch
):
    from emissions.services import imports

    load_heating_figures(org)
    preview = import_preview(
        organisation=org, actor=editor, file_name="mixed.xlsx", data=xlsx(MIXED)
    )
    batch = preview.batch
    assert batch.shown_file.endswith(".shown.csv")
    expected = [_page_checked_again(org, batch, page, 2) for page in (1, 2, 3)]
    # Errors first, then the valid rows, in file order.
    assert [row.number for page in expected for row in page.rows] == [3, 5, 6, 2, 4, 7]

    def no_reading(*args):
        raise AssertionError("the page read the uploaded file again")

    monkeypatch.setattr(imports, "read_upload", no_reading)
    for number, checked in enumerate(expected, start=1):
        page = import_batch_page(organisation=org, batch=batch, page=number, per_page=2)
        assert _shown(page.rows) == _shown(checked.rows)
        # 10 000 kWh and 2 500 500 kWh x 0.0119, 300 kWh of heating x 0.015.
        assert (page.row_count, page.error_count, page.totals) == (
            6,
            3,
            {2: Decimal("29879.4500000000")},
        )
        assert page.totals == checked.totals
    first = import_batch_page(organisation=org, batch=batch, page=1, per_page=2)
    assert _shown(first.rows)[0] == (
        3,
        {
            "business_unit": "OSL",
            "year": "2024",
            "activity": "electricity",
            "quantity": "-5",
            "unit": "kWh",
        },
        [("quantity", "The quantity cannot be negative.")],
        None,
        None,
        None,
    )
    empty = import_batch_page(organisation=org, batch=batch, page=4, per_page=2)
    assert (empty.rows, empty.row_count) == ([], 6)


def test_a_page_in_another_language_checks_every_row_again(
    org, editor, unit, catalogue
):
    preview = import_preview(
        organisation=org, actor=editor, file_name="mixed.xlsx", data=xlsx(MIXED)
    )
    with translation.override("nb"):
        page = import_batch_page(organisation=org, batch=preview.batch, page=1)
    assert page.rows[0].errors == [("quantity", "Mengden kan ikke være negativ.")]


@pytest.mark.parametrize("damage", ["missing", "truncated", "other file"])
def test_a_page_without_sound_shown_rows_checks_every_row_again(
    org, editor, unit, catalogue, damage
):
    from django.core.files.storage import default_storage

    preview = import_preview(
        organisation=org, actor=editor, file_name="mixed.xlsx", data=xlsx(MIXED)
    )
    batch = preview.batch
    expected = _shown(_page_checked_again(org, batch, 1, 50).rows)
    path = batch.shown_file
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    default_storage.delete(path)
    if damage == "truncated":
        default_storage.save(path, io.BytesIO(content[: len(content) // 2]))
    elif damage == "other file":
        content = content.replace(batch.sha256.encode(), b"0" * 64)
        default_storage.save(path, io.BytesIO(content))
    page = import_batch_page(organisation=org, batch=batch, page=1, per_page=50)
    assert _shown(page.rows) == expected


def test_the_shown_rows_go_once_the_batch_is_committed_or_failed(
    org, editor, unit, catalogue, django_capture_on_commit_callbacks, tmp_path
):
    from django.core.files.storage import default_storage

    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    path = preview.batch.shown_file
    assert default_storage.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    assert batch.shown_file == ""
    assert not default_storage.exists(path)

    import_rollback(organisation=org, actor=editor, batch=batch)
    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    path = preview.batch.shown_file
    ReportingYear.objects.filter(organisation=org, year=2024).update(status="approved")
    with pytest.raises(ValidationError):
        import_commit(
            organisation=org,
            actor=editor,
            batch=preview.batch,
            confirm_duplicate_file=True,
        )
    assert ImportBatch.objects.get(pk=preview.batch.pk).shown_file == ""
    assert not default_storage.exists(path)

    file = tmp_path / "q1.xlsx"
    file.write_bytes(xlsx(GOOD))
    kept = set(_stored_names())
    # The command's batch goes with its transaction when the file has errors
    # (the year is still approved) or when it is a dry run; so do its files.
    with pytest.raises(CommandError, match="2 rows have errors"):
        call_command("import_activities", str(file), org=org.slug, user=editor.email)
    ReportingYear.objects.filter(organisation=org, year=2024).update(status="open")
    call_command(
        "import_activities", str(file), org=org.slug, user=editor.email, dry_run=True
    )
    assert set(_stored_names()) == kept


def _stored_names():
    from django.core.files.storage import default_storage

    folders = default_storage.listdir("imports")[0]
    return [
        name
        for folder in folders
        for name in default_storage.listdir(f"imports/{folder}")[1]
    ]


def test_an_upload_that_was_not_imported_can_be_discarded(
    client_for, org, editor, viewer, unit, catalogue, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from emissions.services.imports import import_discard

    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = preview.batch
    files = [batch.stored_file, batch.prepared_file, batch.shown_file]
    assert all(default_storage.exists(name) for name in files)
    url = reverse("import_discard", args=[org.slug, batch.pk])
    assert client_for(viewer).post(url).status_code == 403
    detail = reverse("import_detail", args=[org.slug, batch.pk])
    assert url in client_for(editor).get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("import_upload", args=[org.slug])
    assert "The upload was discarded and its files deleted." in (
        response.content.decode()
    )
    batch.refresh_from_db()
    assert (batch.status, batch.stored_file, batch.prepared_file, batch.shown_file) == (
        "discarded",
        "",
        "",
        "",
    )
    assert not any(default_storage.exists(name) for name in files)
    assert ActivityEntry.objects.count() == 0
    # Nothing is left to commit, and it cannot be discarded twice.
    with pytest.raises(ValidationError, match="cannot be committed again"):
        import_commit(organisation=org, actor=editor, batch=batch)
    with pytest.raises(ValidationError, match="Only an upload that was not imported"):
        import_discard(organisation=org, actor=editor, batch=batch)


def test_an_imported_batch_cannot_be_discarded(org, editor, unit, catalogue):
    from emissions.services.imports import import_discard

    preview = import_preview(
        organisation=org, actor=editor, file_name="q1.xlsx", data=xlsx(GOOD)
    )
    batch = import_commit(organisation=org, actor=editor, batch=preview.batch)
    with pytest.raises(ValidationError, match="Only an upload that was not imported"):
        import_discard(organisation=org, actor=editor, batch=batch)
    batch.refresh_from_db()
    assert (batch.status, ActivityEntry.objects.count()) == ("committed", 2)


def _upload(client, org, name, data, **headers):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        reverse("import_upload", args=[org.slug]), {"file": upload}, **headers
    )


def test_a_large_upload_is_checked_in_the_background(
    client_for,
    org,
    editor,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_BYTES = 100
    rows = [*GOOD, ["OSL", 2024, "electricity", -5, "kWh"]]
    client = client_for(editor)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _upload(
            client, org, "big.xlsx", xlsx(rows), HTTP_ACCEPT_LANGUAGE="nb"
        )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("import_detail", args=[org.slug, batch.pk])
    # Kept and waiting for the worker: the page follows its progress.
    assert (batch.status, batch.rows_read, batch.shown_file) == ("checking", 0, "")
    waiting = client.get(response["Location"]).content.decode()
    assert "Checking the file: 0 rows read so far" in waiting
    with pytest.raises(ValidationError, match="cannot be committed"):
        import_commit(organisation=org, actor=editor, batch=batch)
    assert len(callbacks) == 1
    callbacks[0]()  # the worker runs the task
    batch.refresh_from_db()
    assert (batch.status, batch.rows_read) == ("preview", 3)
    # The messages are in the uploader's language, as the upload's would be.
    assert batch.errors == [
        {"row": 4, "column": "quantity", "message": "Mengden kan ikke være negativ."}
    ]
    with translation.override("nb"):
        page = import_batch_page(organisation=org, batch=batch, page=1)
    assert [(row.number, row.kg_co2e) for row in page.rows] == [
        (4, None),
        (2, Decimal("119.0000000000")),  # 10 000 kWh x 0.0119
        (3, Decimal("29.7559500000")),  # 2 500.5 kWh x 0.0119
    ]


def test_a_large_valid_upload_checked_in_the_background_commits(
    client_for,
    org,
    editor,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_BYTES = 100
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client_for(editor), org, "big.xlsx", xlsx(GOOD))
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.prepared_file != "") == ("preview", True)
    batch = import_commit(organisation=org, actor=editor, batch=batch)
    assert [e.quantity for e in ActivityEntry.objects.order_by("pk")] == [
        Decimal("10000"),
        Decimal("2500.5"),
    ]


def test_a_large_upload_that_cannot_be_read_fails_with_the_reason(
    client_for,
    org,
    editor,
    unit,
    catalogue,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_BACKGROUND_BYTES = 100
    header = ["business_unit", "yaer", "activity", "quantity", "unit"]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client_for(editor), org, "big.xlsx", xlsx([GOOD[0][:5]], header))
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.errors) == (
        "failed",
        [
            {
                "row": None,
                "column": "",
                "message": "The header row (row 1) lacks the column(s) “year” (did "
                "you mean to rename “yaer”?). Use the import template.",
            }
        ],
    )
    assert ActivityEntry.objects.count() == 0
    # Nothing of it is kept but the reason.
    assert (batch.stored_file, _stored_names()) == ("", [])


def test_a_large_upload_of_the_wrong_type_is_refused_at_once(
    client_for, org, editor, settings
):
    settings.IMPORT_BACKGROUND_BYTES = 10
    response = _upload(
        client_for(editor), org, "fake.xlsx", b"MZ\x90\x00 this is a program" * 4
    )
    assert response.status_code == 200
    assert "is not a real Excel workbook" in response.content.decode()
    assert ImportBatch.objects.count() == 0
