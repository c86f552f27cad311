"""The one writer of every workbook and CSV file the product hands out.

Text is always written as text: a cell that a spreadsheet program would read
as a formula (starting with =, +, -, @, a tab or a line break, or their
full-width forms) stays the text it was, so a business unit named
``=HYPERLINK(...)`` cannot become a live link in a report. Numbers stay numbers
with a display format (grouped thousands, a sensible number of decimals; the
spreadsheet program shows them with the reader's own separators), and tables
get a bold header row that stays in view, filters and column widths.

Workbooks are written in openpyxl's write-only mode through lxml: a sheet of
hundreds of thousands of rows streams to the file instead of being held as
cell objects. Small sheets keep their rows until the workbook is saved, so
their columns can be as wide as their longest value.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# The content type of the workbooks written here.
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What makes a spreadsheet program read a typed cell as a formula (OWASP's
# list, with the full-width forms some East Asian input methods produce).
FORMULA_PREFIXES = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\uff1d",  # FULLWIDTH EQUALS SIGN
    "\uff0b",  # FULLWIDTH PLUS SIGN
    "\uff0d",  # FULLWIDTH HYPHEN-MINUS
    "\uff20",  # FULLWIDTH COMMERCIAL AT
)

_FORMULA_FIRST = frozenset(prefix[0] for prefix in FORMULA_PREFIXES)

# Display formats by kind of column. The codes are locale-independent: "," is
# the group separator and "." the decimal sign in whatever language the
# reader's spreadsheet program uses.
NUMBER_FORMATS = {
    "integer": "#,##0",
    "quantity": "#,##0.0##",
    "tonnes": "#,##0.0",
    "kg": "#,##0.0",
    "factor": "#,##0.0#####",
    "percent": "0.0",  # a figure already multiplied by 100
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
TEXT = "text"
# Years and identifiers: shown as they are ("General"), never grouped.
CODE = "code"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
REQUIRED_FILL = PatternFill("solid", fgColor="D9EAD3")
TITLE_FONT = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")
MIN_WIDTH = 8
MAX_WIDTH = 60


def is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def clean_text(value: str) -> str:
    """Return text without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def csv_value(value: object) -> str:
    """Return a CSV cell: text a spreadsheet could run gets a leading apostrophe.

    Only text is changed: a number (a negative one included) stays a number.
    """
    if value is None:
        return ""
    if is_number(value):
        return str(value)
    text = str(value)
    if looks_like_formula(text):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Return a UTF-8 CSV file (with the mark spreadsheet programs look for)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_value(name) for name in header])
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Column:
    """A table column: its heading, the kind of its values and, optionally, width."""

    header: str
    kind: str = TEXT
    width: int | None = None
    required: bool = False  # a column the reader must fill: a green heading


def _display_length(value: object, kind: str) -> int:
    if value is None:
        return 0
    if is_number(value):
        # Grouping and decimals make a number about a third longer.
        return len(f"{value:,.1f}") if kind != "code" else len(str(value))
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


class Sheet:
    """One sheet of a workbook; every value goes through `cell`."""

    def __init__(
        self,
        writer: SpreadsheetWriter,
        title: str,
        columns: Sequence[Column] = (),
        *,
        streaming: bool = False,
        widths: Sequence[int] = (),
    ) -> None:
        self._writer = writer
        self.ws = writer.workbook.create_sheet(_sheet_title(title))
        self.columns = list(columns)
        self.streaming = streaming
        self._rows: list[list] = []
        self._count = 0
        self._styles: dict[tuple[str, bool], object] = {}
        self._pool: dict[tuple[int, str], object] = {}
        self._widths = list(widths)
        self._lengths = [0] * len(self.columns)
        if self.columns:
            self.ws.freeze_panes = "A2"
        if streaming:
            self.ws._values_to_row = self._row_cells
            self._set_widths(
                [c.width or max(len(c.header) + 2, MIN_WIDTH) for c in self.columns]
            )
        if self.columns:
            self._emit([self._header_cell(c.header, c.required) for c in self.columns])
            self._measure([c.header for c in self.columns], [TEXT] * len(self.columns))

    # Cells -----------------------------------------------------------------
    def cell(self, value: object, kind: str | None = None, *, bold: bool = False):
        """Return a write-only cell: text stays text, numbers get their format."""
        if value is None:
            return None
        if isinstance(value, str):
            text = clean_text(value)
            formula = looks_like_formula(text)
            if not (formula or bold):
                return text
            cell = WriteOnlyCell(self.ws, value=text)
            if formula:
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
            if bold:
                cell.font = HEADER_FONT
            return cell
        kind = kind or _kind_of(value)
        number_format = NUMBER_FORMATS.get(kind)
        if number_format is None and not bold:
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        # One style per kind of column, shared by its cells: a style built for
        # every cell would cost the large inventory more than its values.
        key = (kind, bold)
        style = self._styles.get(key)
        if style is None:
            if number_format is not None:
                cell.number_format = number_format
            if bold:
                cell.font = HEADER_FONT
            self._styles[key] = cell._style
        else:
            cell._style = style
        return cell

    def _header_cell(self, text: str, required: bool = False):
        cell = WriteOnlyCell(self.ws, value=clean_text(str(text)))
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if required else HEADER_FILL
        cell.alignment = WRAP
        return cell

    # Rows ------------------------------------------------------------------
    def append(self, values: Sequence[object], kinds: Sequence[str] | None = None):
        """Add a row; kinds default to the table's columns, then to the values."""
        if kinds is None and self.columns:
            kinds = [c.kind for c in self.columns]
        kinds = list(kinds or ())[: len(values)]
        kinds += [None] * (len(values) - len(kinds))
        if self.streaming:
            row = [
                self._streamed_cell(i, v, k)
                for i, (v, k) in enumerate(zip(values, kinds, strict=True))
            ]
        else:
            row = [self.cell(v, k) for v, k in zip(values, kinds, strict=True)]
            self._measure(values, kinds)
        self._emit(row)

    def _row_cells(self, values: Sequence[object], row_idx: int):
        """Yield a streamed row's cells for openpyxl's writer.

        Replaces openpyxl's own conversion, which tries every prepared cell as
        a value first and builds an error message for it before using it.
        """
        scratch = WriteOnlyCell(self.ws)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                cell = value
            else:
                scratch.value = value
                cell = scratch
            cell.column = col_idx
            cell.row = row_idx
            yield cell
            if cell is scratch and scratch.has_style:  # a date styles its cell
                scratch = WriteOnlyCell(self.ws)

    def _streamed_cell(self, index: int, value: object, kind: str | None):
        """Return the column's one cell holding the value, for a streamed row.

        A streamed row is written as soon as it is appended, so each column
        can reuse one styled cell instead of building one for every number.
        """
        if value is None:
            return None
        if type(value) is str:
            if value[:1] in _FORMULA_FIRST or ILLEGAL_CHARACTERS_RE.search(value):
                return self.cell(value, kind)
            return value
        kind = kind or _kind_of(value)
        if kind not in NUMBER_FORMATS:
            return self.cell(value, kind)
        key = (index, kind)
        cell = self._pool.get(key)
        if cell is None:
            cell = self._pool[key] = self.cell(value, kind)
        else:
            cell.value = value
        return cell

    def title(self, text: str, *more: object) -> None:
        """Add the sheet's title line (large, bold), then any further values."""
        cell = WriteOnlyCell(self.ws, value=clean_text(text))
        cell.data_type = "s"
        cell.font = TITLE_FONT
        self._emit([cell, *(self.cell(value) for value in more)])

    def heading(self, text: str) -> None:
        """Add a bold line that opens a section."""
        self._emit([self.cell(text, bold=True)])
        self._measure([text], [TEXT])

    def header(self, labels: Sequence[str]) -> None:
        """Add a header row inside a sheet of several tables."""
        self._emit([self._header_cell(label) for label in labels])
        self._measure(labels, [TEXT] * len(labels))

    def blank(self) -> None:
        self._emit([])

    # Writing ---------------------------------------------------------------
    def _emit(self, row: list) -> None:
        self._count += 1
        if self.streaming:
            self.ws.append(row)
        else:
            self._rows.append(row)

    def _measure(self, values: Sequence[object], kinds: Sequence[str | None]) -> None:
        if self.streaming:
            return
        if len(self._lengths) < len(values):
            self._lengths += [0] * (len(values) - len(self._lengths))
        for index, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            length = _display_length(value, kind or TEXT)
            if length > self._lengths[index]:
                self._lengths[index] = length

    def _set_widths(self, widths: Sequence[int]) -> None:
        for index, width in enumerate(widths, start=1):
            letter = get_column_letter(index)
            self.ws.column_dimensions[letter].width = min(
                max(width, MIN_WIDTH), MAX_WIDTH
            )

    def close(self) -> None:
        if self.columns:
            last = get_column_letter(len(self.columns))
            self.ws.auto_filter.ref = f"A1:{last}{max(self._count, 1)}"
        if self.streaming:
            return
        widths = [length + 2 for length in self._lengths]
        for index, width in enumerate(self._widths):
            if width and index < len(widths):
                widths[index] = width
            elif width:
                widths.append(width)
        for index, column in enumerate(self.columns):
            if column.width:
                widths[index] = column.width
        self._set_widths(widths)
        for row in self._rows:
            self.ws.append(row)
        self._rows = []


def _kind_of(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float | Decimal):
        return "quantity"
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    return None


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet name and names over 31 long.
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return clean_text(title).strip()[:31] or "Sheet"


class SpreadsheetWriter:
    """A workbook of tables and free sheets, saved to bytes."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)
        self._sheets: list[Sheet] = []

    def table(
        self, title: str, columns: Sequence[Column], *, streaming: bool = False
    ) -> Sheet:
        """Return a sheet with a frozen header row, filters and widths."""
        sheet = Sheet(self, title, columns, streaming=streaming)
        self._sheets.append(sheet)
        return sheet

    def sheet(self, title: str, *, widths: Sequence[int] = ()) -> Sheet:
        """Return a free sheet (titles, sections, several small tables)."""
        sheet = Sheet(self, title, widths=widths)
        self._sheets.append(sheet)
        return sheet

    def save(self) -> bytes:
        for sheet in self._sheets:
            sheet.close()
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()
