"""Read an uploaded activity file into header-checked rows, refusing unsafe files.

Checks happen on the bytes before any parser sees them: the file's real type
(magic bytes, not its name), macro-enabled workbooks, corrupt archives, zip bombs
(total uncompressed size and compression ratio), size and row limits. Workbooks
are read with python-calamine, which returns the cached values of formulas and
never evaluates anything.
"""

import csv
import difflib
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from carbonledger.lib.ooxml import UnsafeXml, check_archive_xml
from carbonledger.lib.sheets import (
    SheetExtent,
    SheetTooLarge,
    scan_sheet,
    worksheet_parts,
)
from carbonledger.lib.signatures import OLE2_MAGIC, ZIP_MAGIC

COLUMNS = [
    "business_unit",
    "year",
    "activity",
    "quantity",
    "unit",
    "period_start",
    "period_end",
    "data_quality",
    "comment",
    "source_reference",
]
REQUIRED_COLUMNS = ["business_unit", "year", "activity", "quantity", "unit"]
MAX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_RATIO = 150
# How many rows holding anything are searched for the header (titles above it).
HEADER_SEARCH_ROWS = 10
# The used area of a sheet may be this many columns wide over the rows an
# import reads (a parser holds every cell of the area), and the sheet with the
# text its cells share may expand to this much XML (a parser holds its text).
# 200,000 rows of the template written by a spreadsheet program take 70 MB.
MAX_SHEET_COLUMNS = 26
MAX_SHEET_XML = 150 * 1024 * 1024


@dataclass(frozen=True)
class RawRow:
    number: int  # the row number as the user sees it in the file (header = 1)
    values: dict[str, object]
    # Cells of the row holding a formula whose result the file does not store.
    uncalculated: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawFile:
    """A file whose header is checked; its rows are read as they are iterated.

    Iterating raises ValidationError for a file with more rows than the limit
    or with no rows of data, so a caller that writes must do so in a
    transaction (or only after the last row).
    """

    kind: str  # xlsx, xls or csv
    rows: Iterator[RawRow]
    # The decimal sign of numbers written as text, where the file tells it: a
    # CSV file separated by semicolons comes from a spreadsheet program that
    # writes decimal commas, one separated by commas from one that writes
    # decimal points. None where it is not known (workbooks, other separators).
    decimal_sign: str | None = None


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(
            _("The workbook is damaged: its archive cannot be read.")
        ) from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ValidationError(_("The file is a zip archive but not an Excel workbook."))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            _(
                "Macro-enabled workbooks are refused. "
                "Save the file as .xlsx without macros."
            )
        )
    total = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise ValidationError(
            _("The workbook expands to an implausible size; it is refused as unsafe.")
        )
    bad = archive.testzip()
    if bad is not None:
        raise ValidationError(_("The workbook is damaged (%(part)s).") % {"part": bad})
    try:
        check_archive_xml(archive)
    except UnsafeXml:
        raise ValidationError(
            _(
                "The workbook declares XML entities, which spreadsheet programs "
                "never write; it is refused as unsafe. Open it in a spreadsheet "
                "program and save it again."
            )
        ) from None


def detect_kind(name: str, data: bytes) -> str:
    """Return xlsx, xls or csv from the content, refusing a mismatching name."""
    lower = name.lower()
    if not data:
        raise ValidationError(_("The file is empty."))
    if lower.endswith((".xlsm", ".xltm", ".xlsb")):
        raise ValidationError(
            _(
                "Macro-enabled workbooks are refused. "
                "Save the file as .xlsx without macros."
            )
        )
    if data.startswith(ZIP_MAGIC):
        if not lower.endswith((".xlsx", ".xltx")):
            raise ValidationError(
                _("%(name)s is a zip archive, not a CSV or Excel file.")
                % {"name": name}
            )
        _check_zip(data)
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        if not lower.endswith(".xls"):
            raise ValidationError(
                _(
                    "%(name)s is an old-style Office file; "
                    "only .xls is accepted of that kind."
                )
                % {"name": name}
            )
        return "xls"
    if lower.endswith((".xlsx", ".xls", ".xltx")):
        raise ValidationError(
            _("%(name)s is not a real Excel workbook (its content says otherwise).")
            % {"name": name}
        )
    if not lower.endswith((".csv", ".txt")):
        raise ValidationError(
            _("Upload the import template as .xlsx, .xls or .csv (got %(name)s).")
            % {"name": name}
        )
    if b"\x00" in data[:8192]:
        raise ValidationError(_("%(name)s is not a text file.") % {"name": name})
    return "csv"


def _header_names(row: list[object]) -> list[str]:
    return [str(cell or "").strip().lower() for cell in row]


def _header_error(names: list[str], number: int) -> ValidationError:
    """Return the error of a header row that lacks required columns."""
    hints = []
    for column in REQUIRED_COLUMNS:
        if column in names:
            continue
        close = difflib.get_close_matches(column, names, n=1, cutoff=0.6)
        hint = (
            _("“%(column)s” (did you mean to rename “%(found)s”?)")
            % {"column": column, "found": close[0]}
            if close
            else f"“{column}”"
        )
        hints.append(hint)
    return ValidationError(
        _(
            "The header row (row %(row)s) lacks the column(s) %(columns)s. "
            "Use the import template."
        )
        % {"row": number, "columns": ", ".join(hints)}
    )


def _rows_from_matrix(
    matrix: Iterable[list],
    first_row: int = 1,
    uncalculated: dict[int, list[tuple[int, str]]] | None = None,
) -> Iterator[RawRow]:
    """Find and check the header row now; return an iterator over the rows after it.

    The header is the first row that names every required column, among the
    first HEADER_SEARCH_ROWS rows that hold anything: a business unit's sheet
    often has a title above it. Without one, the row most like a header is
    reported with what it lacks. `first_row` is the row number, as the user
    sees it, of the first row of `matrix`; `uncalculated` maps row numbers to
    the formula cells that have no stored result, as (index in the row, cell
    reference).
    """
    iterator = iter(matrix)
    number = first_row - 1
    closest: tuple[int, int, list[str]] | None = None  # (matches, row, names)
    searched = 0
    for row in iterator:
        number += 1
        names = _header_names(row)
        if not any(names):
            continue
        matches = sum(column in names for column in REQUIRED_COLUMNS)
        if matches == len(REQUIRED_COLUMNS):
            mapping = [
                (index, name) for index, name in enumerate(names) if name in COLUMNS
            ]
            return _data_rows(iterator, mapping, number + 1, uncalculated or {})
        if closest is None or matches > closest[0]:
            closest = (matches, number, names)
        searched += 1
        if searched == HEADER_SEARCH_ROWS:
            break
    if closest is None:
        raise ValidationError(_("The file is empty."))
    _matches, number, names = closest
    raise _header_error(names, number)


def _data_rows(
    iterator: Iterator[list],
    mapping: list[tuple[int, str]],
    first: int,
    uncalculated: dict[int, list[tuple[int, str]]],
):
    count = 0
    limit = settings.IMPORT_MAX_ROWS
    names = [name for _index, name in mapping]
    indices = {index for index, _name in mapping}
    # The template's layout (the contract's columns first, in order) is the
    # common case: its cells pair with the names directly.
    in_order = [index for index, _name in mapping] == list(range(len(mapping)))
    for offset, raw in enumerate(iterator, start=first):
        width = len(raw)
        if in_order and width >= len(names):
            values = dict(zip(names, raw, strict=False))
        else:
            values = {
                name: (raw[index] if index < width else None) for index, name in mapping
            }
        if all(value is None or value == "" for value in values.values()):
            continue
        if count >= limit:
            raise _too_many_rows(limit)
        count += 1
        cells = uncalculated.get(offset) if uncalculated else None
        if cells:
            used = [ref for index, ref in cells if index in indices]
            yield RawRow(offset, values, tuple(used))
        else:
            yield RawRow(number=offset, values=values)
    if not count:
        raise ValidationError(_("The file has a header but no rows of data."))


def _delimiter(text: str) -> str:
    """Return the CSV delimiter: the one that splits the header into our columns.

    The header decides, not the data: in a file separated by semicolons, the
    decimal commas of Nordic numbers ("1234,5") would otherwise look like the
    delimiter. It is looked for in the same first rows as the reader looks
    (titles may come before it). Without a recognisable header, the csv
    module's sniffer guesses.
    """
    lines = (line for line in text[:65536].splitlines() if line.strip())
    best, best_count = None, 0
    for line in itertools.islice(lines, HEADER_SEARCH_ROWS):
        for candidate in (";", "\t", ",", "|"):
            names = {part.strip().strip('"').lower() for part in line.split(candidate)}
            count = len(names & set(COLUMNS))
            if count > best_count:
                best, best_count = candidate, count
    if best is not None:
        return best
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def check_upload(name: str, data: bytes) -> str:
    """Return the file's kind after the checks made before any parser sees it.

    Size, real type, macros, archive integrity and zip-bomb limits: quick,
    so they are made at once even where the rows are read in the background.
    """
    check_upload_size(len(data))
    return detect_kind(name, data)


def check_upload_size(size: int) -> None:
    """Refuse a file larger than IMPORT_MAX_BYTES; made before it is read."""
    if size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.")
            % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )


def read_upload(name: str, data: bytes) -> RawFile:
    """Return the rows of an uploaded activity file, or raise ValidationError."""
    kind = check_upload(name, data)
    if kind == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="strict")
        delimiter = _delimiter(text)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return RawFile(
            kind,
            _rows_from_matrix(reader),
            decimal_sign={";": ",", ",": "."}.get(delimiter),
        )
    extent = measure_sheet(data) if kind == "xlsx" else None
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = (
            "Activities"
            if "Activities" in workbook.sheet_names
            else workbook.sheet_names[0]
        )
        # Rows come from the top of the sheet, blank ones included, so that
        # row numbers are those the user sees; they begin at the first column
        # that holds anything.
        sheet = workbook.get_sheet_by_name(sheet_name)
        first_column = sheet.start[1] if sheet.start else 0
        matrix = sheet.iter_rows()
    except Exception as exc:  # calamine raises its own error types for bad files
        raise ValidationError(
            _("The workbook cannot be read: %(error)s") % {"error": str(exc)[:200]}
        ) from exc
    uncalculated = {}
    if extent is not None:
        uncalculated = {
            row: [(column - first_column, ref) for column, ref in cells]
            for row, cells in extent.uncalculated.items()
        }
    return RawFile(kind, _rows_from_matrix(matrix, 1, uncalculated))


def _import_sheet(archive: zipfile.ZipFile) -> tuple[str, str] | None:
    """Return (name, archive path) of the sheet an import reads: "Activities",
    or the first sheet."""
    parts = worksheet_parts(archive)
    for name, part in parts:
        if name == "Activities":
            return name, part
    return parts[0] if parts else None


def measure_sheet(data: bytes) -> SheetExtent | None:
    """Return the extent of the sheet an import reads, refusing one too large.

    A parser holds every cell of the sheet's used area and all of the
    workbook's text in memory, so they are bounded by the row limit before it
    reads anything: more rows holding cells than the limit allows (with the
    header and the titles above it), an area wider than MAX_SHEET_COLUMNS
    columns of those rows, or more XML than MAX_SHEET_XML.
    """
    limit = settings.IMPORT_MAX_ROWS
    rows = limit + HEADER_SEARCH_ROWS + 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        found = _import_sheet(archive)
        if found is None or found[1] not in archive.namelist():
            return None
        name, part = found
        # The sheet's cells and the text they share.
        size = archive.getinfo(part).file_size
        if "xl/sharedStrings.xml" in archive.namelist():
            size += archive.getinfo("xl/sharedStrings.xml").file_size
        if size > MAX_SHEET_XML:
            raise ValidationError(
                _(
                    "The sheet “%(sheet)s” expands to %(size)s MB, more than an "
                    "import reads (%(limit)s MB); split it into smaller files."
                )
                % {
                    "sheet": name,
                    "size": size // 2**20,
                    "limit": MAX_SHEET_XML // 2**20,
                }
            )
        try:
            extent = scan_sheet(archive, part, stop_after=rows, formulas=True)
        except SheetTooLarge:
            extent = None
    if extent is None or extent.stopped:
        raise _too_many_rows(limit)
    if extent.cells > rows * MAX_SHEET_COLUMNS:
        raise ValidationError(
            _(
                "The sheet “%(sheet)s” uses cells up to %(cell)s (%(rows)s rows by "
                "%(columns)s columns), more than an import reads. Delete the rows "
                "and columns outside the table, or split it into smaller files."
            )
            % {
                "sheet": name,
                "cell": extent.last_cell,
                "rows": f"{extent.height:,}",
                "columns": f"{extent.width:,}",
            }
        )
    return extent


def _too_many_rows(limit: int) -> ValidationError:
    return ValidationError(
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": f"{limit:,}"}
    )


def uncalculated_cells(
    data: bytes, sheet_name: str
) -> dict[int, list[tuple[int, str]]]:
    """Return {row: [(column index, cell reference)]} of formulas without a result.

    A spreadsheet program saves each formula's last result beside it, and that
    result is what the import reads; nothing is ever evaluated. A file written
    by a program that does not calculate (a script, some exports) has formulas
    without results, whose cells would otherwise read as empty.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = dict(worksheet_parts(archive))
        part = parts.get(sheet_name)
        if part is None or part not in archive.namelist():
            return {}
        return scan_sheet(archive, part, formulas=True).uncalculated
