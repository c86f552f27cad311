"""Bounds on what a factor file may expand to, checked before a parser reads it.

A parser holds a sheet's whole used area in memory, so a small file can ask
for gigabytes: a zip packed a thousand times, or a cell placed at Z1000000.
Published tables are far smaller than these bounds (the DESNZ flat file has
about 7,000 rows of 12 columns).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from carbonledger.lib.sheets import SheetTooLarge, scan_sheet, worksheet_parts
from emissions.factor_files.common import FactorFileError

# The largest factor file a page accepts, refused by its size before it is
# read (settings.UPLOAD_MAX_BYTES keeps uploads on disk up to this and more).
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 40
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 150
# An OpenDocument sheet's content, which its parser holds whole.
MAX_ODS_CONTENT = 50 * 1024 * 1024


def check_workbook_size(path: Path) -> None:
    """Raise FactorFileError for a workbook that would expand beyond the bounds."""
    if not zipfile.is_zipfile(path):
        return  # an old .xls: its format bounds a sheet to 65,536 rows
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FactorFileError(f"{path.name}: the archive cannot be read.") from exc
    with archive:
        total = sum(info.file_size for info in infos)
        packed = sum(info.compress_size for info in infos) or 1
        if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
            raise FactorFileError(
                f"{path.name} expands to {total // 2**20} MB "
                f"({total / packed:.0f} times its size); it is refused as unsafe."
            )
        names = {info.filename: info for info in infos}
        content = names.get("content.xml")
        if content is not None and content.file_size > MAX_ODS_CONTENT:
            raise FactorFileError(
                f"{path.name}: its sheets hold {content.file_size // 2**20} MB, "
                f"more than a factor table ({MAX_ODS_CONTENT // 2**20} MB)."
            )
        if content is not None:
            rows, columns = _ods_used_area(archive)
            if rows > MAX_ROWS or rows * columns > MAX_ROWS * MAX_COLUMNS:
                raise FactorFileError(
                    f"{path.name}: its sheets use {rows:,} rows by {columns:,} "
                    "columns, more than a factor table; delete the rows and "
                    "columns outside the table."
                )
        for name, part in worksheet_parts(archive):
            if part not in names:
                continue
            try:
                extent = scan_sheet(archive, part, stop_after=MAX_ROWS)
            except SheetTooLarge:
                extent = None
            if extent is None or extent.stopped:
                raise FactorFileError(
                    f"{path.name}: the sheet {name!r} has more than {MAX_ROWS:,} "
                    "rows, more than a factor table."
                )
            if extent.cells > MAX_ROWS * MAX_COLUMNS:
                raise FactorFileError(
                    f"{path.name}: the sheet {name!r} uses cells up to "
                    f"{extent.last_cell} ({extent.height:,} rows by "
                    f"{extent.width:,} columns), more than a factor table; delete "
                    "the rows and columns outside the table."
                )


_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*)>(.*?)</table:table-row>", re.S)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*)")
_ODS_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d+)"')
_ODS_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d+)"')


def _ods_used_area(archive: zipfile.ZipFile) -> tuple[int, int]:
    """Return the rows and columns an OpenDocument sheet's parser holds.

    A row or cell may stand for many ("number-rows-repeated"), and the parser
    repeats those that hold a value; empty repeated rows and cells (a
    spreadsheet program writes them to the sheet's end) cost nothing.
    """
    rows = columns = position = 0
    with archive.open("content.xml") as stream:
        text = stream.read(MAX_ODS_CONTENT + 1)
    for match in _ODS_ROW.finditer(text):
        found = _ODS_ROWS_REPEATED.search(match.group(1))
        repeated = int(found.group(1)) if found else 1
        position += repeated
        width = used = 0
        for cell in _ODS_CELL.finditer(match.group(2)):
            found = _ODS_COLUMNS_REPEATED.search(cell.group(1))
            width += int(found.group(1)) if found else 1
            if b"office:value-type" in cell.group(1):
                used = width
        if used:
            rows = position
            columns = max(columns, used)
    return rows, columns
