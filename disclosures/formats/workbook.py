"""Write values into cells of an existing workbook without rewriting the rest.

openpyxl cannot be used to fill EFRAG's VSME template: loading and saving it
drops the template's cross-sheet data validations (x14 extensions), its
in-cell checkboxes (feature property bag), drawings, custom XML and the
dynamic-array metadata, and rewrites every formula. The template is therefore
filled at the XML level: only the cells written change, in the sheet parts
that hold them; a formula replaced by a value leaves the calculation chain,
and the workbook asks to be recalculated when it is opened. Every other part
of the file is copied byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from posixpath import join, normpath

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NS = {"m": MAIN, "r": REL}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_CELL = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _split(ref: str) -> tuple[str, int]:
    match = _CELL.match(ref)
    if not match:
        raise ValueError(f"Not a cell reference: {ref}")
    return match.group(1), int(match.group(2))


class WorkbookCells:
    """An xlsx file whose cells can be set by sheet and reference or by name."""

    def __init__(self, content: bytes):
        self._zip = zipfile.ZipFile(io.BytesIO(content))
        self._workbook = etree.fromstring(self._zip.read("xl/workbook.xml"), _PARSER)
        rels = etree.fromstring(self._zip.read("xl/_rels/workbook.xml.rels"), _PARSER)
        targets = {
            rel.get("Id"): normpath(join("xl", rel.get("Target")))
            for rel in rels.iter(f"{{{PKG_REL}}}Relationship")
        }
        self.sheets: dict[str, tuple[str, str]] = {}  # name -> (part, sheetId)
        for sheet in self._workbook.iterfind("m:sheets/m:sheet", NS):
            part = targets[sheet.get(f"{{{REL}}}id")]
            self.sheets[sheet.get("name")] = (part, sheet.get("sheetId"))
        self.names: dict[str, str] = {
            name.get("name"): (name.text or "")
            for name in self._workbook.iterfind("m:definedNames/m:definedName", NS)
            if name.get("localSheetId") is None
        }
        self._parts: dict[str, etree._Element] = {}
        self._replaced_formulas: set[tuple[str, str]] = set()  # (sheetId, ref)

    # --- finding cells ------------------------------------------------------

    def name_cell(self, name: str) -> tuple[str, str]:
        """Return (sheet, first cell) of a workbook-level defined name."""
        text = self.names[name]
        sheet, _sep, area = text.rpartition("!")
        sheet = sheet.strip("'").replace("''", "'")
        first = area.split(":")[0].replace("$", "")
        return sheet, first

    def _sheet(self, sheet: str) -> etree._Element:
        part, _sheet_id = self.sheets[sheet]
        if part not in self._parts:
            self._parts[part] = etree.fromstring(self._zip.read(part), _PARSER)
        return self._parts[part]

    def cell_element(self, sheet: str, ref: str) -> etree._Element | None:
        _letters, row = _split(ref)
        root = self._sheet(sheet)
        found = root.find(f"m:sheetData/m:row[@r='{row}']/m:c[@r='{ref}']", NS)
        return found

    def formula(self, sheet: str, ref: str) -> str | None:
        cell = self.cell_element(sheet, ref)
        if cell is None:
            return None
        formula = cell.find("m:f", NS)
        return None if formula is None else (formula.text or "")

    def row_of_label(
        self, sheet: str, column: str, formula: str, *, prefix: bool = False
    ) -> int | None:
        """Return the first row whose cell in `column` holds this formula.

        The template's labels are formulas naming a label (e.g.
        `template_label_starting_year`); `prefix` matches their beginning.
        """
        root = self._sheet(sheet)
        for cell in root.iterfind("m:sheetData/m:row/m:c", NS):
            letters, row = _split(cell.get("r"))
            if letters != column:
                continue
            found = cell.find("m:f", NS)
            text = (found.text or "").strip() if found is not None else None
            if text is not None and (
                text.startswith(formula) if prefix else text == formula
            ):
                return row
        return None

    # --- writing cells ------------------------------------------------------

    def set(self, sheet: str, ref: str, value) -> None:
        """Write a number, text or boolean into a cell (None leaves it as it is).

        A formula in the cell is replaced by the value and the cell leaves the
        calculation chain; the cell keeps its style.
        """
        if value is None:
            return
        root = self._sheet(sheet)
        cell = self._cell(root, ref)
        formula = cell.find("m:f", NS)
        if formula is not None:
            if formula.get("t") == "shared" and formula.get("ref"):
                raise ValueError(f"{sheet}!{ref} leads a shared formula")
            self._replaced_formulas.add((self.sheets[sheet][1], ref))
        for child in list(cell):
            cell.remove(child)
        for attribute in ("t", "cm", "vm"):
            cell.attrib.pop(attribute, None)
        if isinstance(value, bool):
            cell.set("t", "b")
            etree.SubElement(cell, f"{{{MAIN}}}v").text = "1" if value else "0"
        elif isinstance(value, int | Decimal):
            etree.SubElement(cell, f"{{{MAIN}}}v").text = _number(value)
        else:
            cell.set("t", "inlineStr")
            text = etree.SubElement(
                etree.SubElement(cell, f"{{{MAIN}}}is"), f"{{{MAIN}}}t"
            )
            text.text = str(value)
            text.set(f"{{{XML_NS}}}space", "preserve")

    def set_name(self, name: str, value) -> None:
        sheet, ref = self.name_cell(name)
        self.set(sheet, ref, value)

    def _cell(self, root: etree._Element, ref: str) -> etree._Element:
        letters, row_number = _split(ref)
        data = root.find("m:sheetData", NS)
        row = data.find(f"m:row[@r='{row_number}']", NS)
        if row is None:
            row = etree.Element(f"{{{MAIN}}}row", r=str(row_number))
            after = [r for r in data if int(r.get("r")) < row_number]
            data.insert(data.index(after[-1]) + 1 if after else 0, row)
        cell = row.find(f"m:c[@r='{ref}']", NS)
        if cell is None:
            cell = etree.Element(f"{{{MAIN}}}c", r=ref)
            column = _column_number(letters)
            before = [c for c in row if _column_number(_split(c.get("r"))[0]) < column]
            row.insert(row.index(before[-1]) + 1 if before else 0, cell)
        return cell

    # --- saving ------------------------------------------------------------

    def _calc_chain(self, content: bytes) -> bytes:
        """Drop the replaced formulas from the calculation chain.

        An entry without a sheet id (i) belongs to the previous entry's sheet,
        and one without a level flag continues it, so a removed entry hands
        both on to the next one.
        """
        root = etree.fromstring(content, _PARSER)
        sheet_id = None
        carried: dict[str, str] = {}
        for entry in list(root):
            sheet_id = entry.get("i", sheet_id)
            if (sheet_id, entry.get("r")) in self._replaced_formulas:
                for attribute in ("i", "l"):
                    if entry.get(attribute) is not None:
                        carried[attribute] = entry.get(attribute)
                root.remove(entry)
                continue
            for attribute, value in carried.items():
                if entry.get(attribute) is None:
                    entry.set(attribute, value)
            carried = {}
        return _xml(root)

    def save(self) -> bytes:
        """Return the workbook with the written cells; recalculated on opening."""
        calc = self._workbook.find("m:calcPr", NS)
        if calc is None:
            calc = etree.SubElement(self._workbook, f"{{{MAIN}}}calcPr")
        calc.set("fullCalcOnLoad", "1")
        changed = {part: _xml(root) for part, root in self._parts.items()}
        changed["xl/workbook.xml"] = _xml(self._workbook)
        if self._replaced_formulas and "xl/calcChain.xml" in self._zip.namelist():
            changed["xl/calcChain.xml"] = self._calc_chain(
                self._zip.read("xl/calcChain.xml")
            )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in self._zip.infolist():
                data = changed.get(info.filename)
                if data is None:
                    data = self._zip.read(info.filename)
                target.writestr(info, data, compress_type=info.compress_type)
        return out.getvalue()


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def _xml(root: etree._Element) -> bytes:
    """Serialise a part with the declaration Excel writes."""
    return _DECLARATION + etree.tostring(root, encoding="UTF-8")


def _number(value: int | Decimal) -> str:
    """Write a number as Excel reads it: plain digits, no exponent."""
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
