"""Upload limits apply before a file is read or parsed, not after.

A file over the size limit is refused before it is read into memory; a sheet
with more rows than the limit, or whose used area is far larger than its rows
(one cell at Z1000000), is refused before the parser holds it; factor files
get the same bounds.
"""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, TemporaryUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from emissions.factor_files import FactorFileError, generic, limits
from emissions.imports import reading
from emissions.imports.reading import COLUMNS, read_upload
from emissions.models import FactorSet, ImportBatch
from emissions.services.factors import parse_factor_file

pytestmark = pytest.mark.django_db

ROW = ["OSL", 2024, "electricity", 100, "kWh"]
FACTOR_HEADER = ["key", "category", "name", "unit", "kg_co2e_per_unit", "valid_year"]


def _xlsx(header, rows, far_cell: str | None = None, title="Activities") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if far_cell:
        sheet[far_cell] = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def no_parsing(monkeypatch):
    """Fail the test if the spreadsheet parser is asked to read the file."""
    from python_calamine import CalamineWorkbook

    def refuse(*args, **kwargs):
        raise AssertionError("the parser read a file the limits should refuse")

    monkeypatch.setattr(CalamineWorkbook, "from_filelike", refuse)
    monkeypatch.setattr(CalamineWorkbook, "from_path", refuse)


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(
    client_for, org, editor, settings, monkeypatch
):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024

    def refuse(self, *args):
        raise AssertionError("the upload was read before its size was checked")

    for kind in (InMemoryUploadedFile, TemporaryUploadedFile):
        monkeypatch.setattr(kind, "read", refuse)
        monkeypatch.setattr(kind, "chunks", refuse)
    upload = io.BytesIO(b"business_unit,year\n" + b"OSL,2024\n" * 150_000)
    upload.name = "big.csv"
    response = client_for(editor).post(
        reverse("import_upload", args=[org.slug]), {"file": upload}
    )
    assert response.status_code == 200
    assert "The file is larger than 1 MB." in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_sheet_with_more_rows_than_the_limit_is_refused_before_it_is_parsed(
    settings, no_parsing
):
    settings.IMPORT_MAX_ROWS = 5
    # The header and up to ten title rows may come before the rows of data.
    data = _xlsx(COLUMNS, [ROW] * 17)
    with pytest.raises(ValidationError) as refused:
        read_upload("big.xlsx", data)
    assert refused.value.messages == [
        "The file has more than 5 rows; split it into smaller files."
    ]


def test_a_sheet_whose_used_area_is_far_larger_than_its_rows_is_refused(
    settings, no_parsing
):
    settings.IMPORT_MAX_ROWS = 100
    # Three rows and one cell far away: 5,000 rows by 26 columns to hold.
    data = _xlsx(COLUMNS, [ROW] * 3, far_cell="Z5000")
    with pytest.raises(ValidationError) as refused:
        read_upload("sparse.xlsx", data)
    assert refused.value.messages == [
        "The sheet “Activities” uses cells up to Z5000 (5,000 rows by 26 columns), "
        "more than an import reads. Delete the rows and columns outside the table, "
        "or split it into smaller files."
    ]


def test_a_sheet_within_the_limits_is_still_read(settings):
    settings.IMPORT_MAX_ROWS = 5
    data = _xlsx(COLUMNS, [ROW] * 5, far_cell="Z7")
    rows = list(read_upload("ok.xlsx", data).rows)
    assert [row.number for row in rows] == [2, 3, 4, 5, 6]
    assert rows[0].values["quantity"] == 100


def test_a_sheet_with_more_text_than_an_import_reads_is_refused(
    monkeypatch, no_parsing
):
    monkeypatch.setattr(reading, "MAX_SHEET_XML", 1024 * 1024)
    rows = [
        ["OSL", 2024, "electricity", 1, "kWh", None, None, None, "x" * 5000 + str(n)]
        for n in range(300)
    ]
    data = _xlsx(COLUMNS, rows)
    with pytest.raises(ValidationError) as refused:
        read_upload("text.xlsx", data)
    assert refused.value.messages == [
        "The sheet “Activities” expands to 1 MB, more than an import reads (1 MB); "
        "split it into smaller files."
    ]


def _factor_file(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_factor_sheet_whose_used_area_is_far_larger_than_its_rows_is_refused(
    tmp_path, no_parsing
):
    rows = [[f"k{n}", "Fuels", "Fuel", "kWh", 0.1, 2024] for n in range(3)]
    path = _factor_file(
        tmp_path, "own.xlsx", _xlsx(FACTOR_HEADER, rows, "Z100000", "Factors")
    )
    with pytest.raises(FactorFileError) as refused:
        parse_factor_file(path, publisher="generic", name="Own")
    assert str(refused.value) == (
        "own.xlsx: the sheet 'Factors' uses cells up to Z100000 (100,000 rows by 26 "
        "columns), more than a factor table; delete the rows and columns outside "
        "the table."
    )


def test_a_factor_sheet_with_more_rows_than_a_table_is_refused(
    tmp_path, monkeypatch, no_parsing
):
    monkeypatch.setattr(limits, "MAX_ROWS", 10)
    rows = [[f"k{n}", "Fuels", "Fuel", "kWh", 0.1, 2024] for n in range(20)]
    path = _factor_file(tmp_path, "own.xlsx", _xlsx(FACTOR_HEADER, rows))
    with pytest.raises(FactorFileError, match="has more than 10 rows"):
        parse_factor_file(path, publisher="generic", name="Own")


def test_a_factor_csv_with_more_rows_than_a_table_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(generic, "MAX_ROWS", 10)
    text = ",".join(FACTOR_HEADER) + "\n"
    text += "".join(f"k{n},Fuels,Fuel,kWh,0.1,2024\n" for n in range(20))
    path = _factor_file(tmp_path, "own.csv", text.encode())
    with pytest.raises(FactorFileError) as refused:
        parse_factor_file(path, publisher="generic", name="Own")
    assert str(refused.value) == (
        "own.csv has more than 10 rows, more than a factor table."
    )


def test_a_packed_factor_workbook_is_refused_on_the_page(
    client_for, org, admin, tmp_path, no_parsing
):
    rows = [[f"k{n}", "Fuels", "x" * 30_000, "kWh", 0.1, 2024] for n in range(300)]
    upload = io.BytesIO(_xlsx(FACTOR_HEADER, rows, title="Factors"))
    upload.name = "packed.xlsx"
    response = client_for(admin).post(
        reverse("factor_set_upload", args=[org.slug]),
        {"publisher": "generic", "name": "Packed", "file": upload},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file could not be imported: upload.xlsx expands to" in page
    assert "it is refused as unsafe." in page
    assert FactorSet.objects.filter(organisation=org).count() == 0


@pytest.mark.parametrize(
    "name",
    ["desnz-2020-flat-file.xlsx", "desnz-2024-flat-file.xlsx", "epa-hub-2025.xlsx"],
)
def test_published_factor_files_are_within_the_bounds(name):
    from pathlib import Path

    limits.check_workbook_size(Path("../shared/data/factors") / name)


def _ods(path, rows: int, columns: int, trailing_empty: int = 0):
    """An OpenDocument sheet of a header and one row repeated `rows` times."""
    import zipfile

    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
        f'xmlns:office:1.0" xmlns:table="{table}" xmlns:text="urn:oasis:names:tc:'
        'opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="Factors"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>key</text:p>'
        "</table:table-cell></table:table-row>"
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'table:number-columns-repeated="{columns}" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        f'<table:table-row table:number-rows-repeated="{trailing_empty or 1}">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return path


def test_an_ods_factor_sheet_repeating_a_row_a_million_times_is_refused(
    tmp_path, no_parsing
):
    path = _ods(tmp_path / "own.ods", rows=1_000_000, columns=26)
    with pytest.raises(FactorFileError) as refused:
        parse_factor_file(path, publisher="generic", name="Own")
    assert str(refused.value) == (
        "own.ods: its sheets use 1,000,001 rows by 26 columns, more than a factor "
        "table; delete the rows and columns outside the table."
    )


def test_empty_rows_repeated_to_the_end_of_an_ods_sheet_cost_nothing(tmp_path):
    path = _ods(tmp_path / "own.ods", rows=10, columns=6, trailing_empty=1_048_000)
    limits.check_workbook_size(path)


def test_a_large_upload_keeps_no_more_on_disk_than_any_form_accepts(settings):
    import os

    from carbonledger.lib.uploads import SizeLimitedUploadHandler

    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    sent = 3 * 1024 * 1024
    handler = SizeLimitedUploadHandler()
    handler.new_file("file", "big.csv", "text/csv", sent)
    chunk = b"x" * 65536
    for start in range(0, sent, len(chunk)):
        handler.receive_data_chunk(chunk, start)
    upload = handler.file_complete(sent)
    # The size sent, for the form to refuse; only the first megabyte kept.
    assert (upload.size, upload.truncated) == (sent, True)
    assert os.path.getsize(upload.temporary_file_path()) == 1024 * 1024
    upload.close()


def test_uploads_larger_than_memory_go_through_the_limited_handler(
    client_for, org, editor, settings
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.IMPORT_MAX_BYTES = settings.UPLOAD_MAX_BYTES = 1024 * 1024
    upload = io.BytesIO(b"business_unit,year\n" + b"OSL,2024\n" * 250_000)
    upload.name = "big.csv"
    response = client_for(editor).post(
        reverse("import_upload", args=[org.slug]), {"file": upload}
    )
    assert "The file is larger than 1 MB." in response.content.decode()
    assert ImportBatch.objects.count() == 0
