"""Measure a workbook's worksheet before a parser reads it, without reading it whole.

A spreadsheet parser holds the whole used area of a sheet in memory, one slot
per cell from the first to the last used row and column: a few bytes of XML
placing one cell at Z1000000 make 26 million slots. The sheet's XML is read
here in pieces, as it is decompressed, counting the rows that hold cells and
the area they span, so a caller can refuse the sheet before parsing it. The
same pass finds the formulas whose result the file does not store.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

CHUNK = 4 * 1024 * 1024
# One row's XML longer than this is not a table any parser should read.
MAX_ROW_BYTES = 64 * 1024 * 1024

_TAG_ATTRIBUTES = re.compile(rb'([\w:]+)="([^"]*)"')
_ROW_START = re.compile(rb"<(?:\w+:)?row\b")
_ROW_NUMBER = re.compile(rb'[^>]*?\br="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CACHED_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")


class SheetTooLarge(ValueError):
    """A single row of the sheet is larger than any table's row."""


@dataclass
class SheetExtent:
    """What a worksheet holds: its rows with cells and the area they span."""

    rows: int = 0  # rows holding at least one cell
    first_row: int = 0
    last_row: int = 0
    first_column: int = 0  # 0 is column A
    last_column: int = -1
    # Stopped counting after this many rows (see scan_sheet's stop_after).
    stopped: bool = False
    # {row: [(column index, cell reference)]} of formulas without a result.
    uncalculated: dict[int, list[tuple[int, str]]] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return self.last_row - self.first_row + 1 if self.rows else 0

    @property
    def width(self) -> int:
        return self.last_column - self.first_column + 1 if self.rows else 0

    @property
    def cells(self) -> int:
        """The cells of the used area, as a parser holds them."""
        return self.height * self.width

    @property
    def last_cell(self) -> str:
        return f"{column_letters(self.last_column)}{self.last_row}"


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - 64)
    return index - 1


def _attributes(tag: bytes) -> dict[bytes, bytes]:
    return dict(_TAG_ATTRIBUTES.findall(tag))


def worksheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """Return (sheet name, archive path) of every worksheet, in workbook order."""
    try:
        workbook = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return []
    targets = {}
    for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", relations):
        attributes = _attributes(tag)
        target = attributes.get(b"Target", b"").decode("utf-8", "replace")
        targets[attributes.get(b"Id")] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        )
    parts = []
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", workbook):
        attributes = _attributes(tag)
        part = targets.get(attributes.get(b"r:id"))
        if part is not None:
            name = attributes.get(b"name", b"").decode("utf-8", "replace")
            parts.append((name, part))
    return parts


def _last_row_end(data: bytes) -> int:
    """Return the position just after the last closing row tag, or -1."""
    end = len(data)
    while True:
        found = data.rfind(b"row>", 0, end)
        if found < 0:
            return -1
        opening = data.rfind(b"<", 0, found)
        if opening >= 0 and data[opening + 1 : opening + 2] == b"/":
            return found + 4
        end = found


def scan_sheet(
    archive: zipfile.ZipFile,
    part: str,
    *,
    stop_after: int | None = None,
    formulas: bool = False,
) -> SheetExtent:
    """Return the extent of a worksheet, reading its XML a piece at a time.

    With `stop_after`, counting stops once more rows than that hold cells
    (`stopped` is then set). With `formulas`, the cells holding a formula
    without a stored result are listed. Raise SheetTooLarge for a row longer
    than MAX_ROW_BYTES.
    """
    extent = SheetExtent()
    carry = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            data = carry + chunk if carry else chunk
            if not chunk:
                _scan_rows(extent, data, formulas)
                return extent
            cut = _last_row_end(data)
            if cut < 0:
                if len(data) > MAX_ROW_BYTES:
                    raise SheetTooLarge(part)
                carry = data
                continue
            _scan_rows(extent, data[:cut], formulas)
            carry = data[cut:]
            if stop_after is not None and extent.rows > stop_after:
                extent.stopped = True
                return extent


def _scan_rows(extent: SheetExtent, block: bytes, formulas: bool) -> None:
    """Add the complete rows of a piece of sheet XML to the extent."""
    pieces = _ROW_START.split(block)
    number = extent.last_row
    for piece in pieces[1:]:
        found = _ROW_NUMBER.match(piece)
        # A row without its number follows the one before it.
        row = int(found.group(1)) if found else number + 1
        number = row
        if not _CELL.search(piece):
            continue
        if not extent.rows:
            extent.first_row = row
        extent.rows += 1
        extent.last_row = max(extent.last_row, row)
        extent.first_row = min(extent.first_row, row)
    letters = set(re.findall(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})[0-9]', block))
    if letters:
        columns = [column_index(letter) for letter in letters]
        if extent.last_column < 0:
            extent.first_column = min(columns)
        extent.first_column = min(extent.first_column, *columns)
        extent.last_column = max(extent.last_column, *columns)
    if formulas and _FORMULA.search(block):
        _find_uncalculated(extent, block)


def _find_uncalculated(extent: SheetExtent, block: bytes) -> None:
    for match in _FORMULA.finditer(block):
        start = block.rfind(b"<c ", 0, match.start())
        end = block.find(b"</c>", match.end())
        if start < 0 or end < 0:
            continue
        cell = block[start:end]
        if _CACHED_VALUE.search(cell):
            continue
        reference = _CELL_REF.search(cell)
        if reference:
            column, row = reference.groups()
            extent.uncalculated.setdefault(int(row), []).append(
                (column_index(column), f"{column.decode()}{int(row)}")
            )
