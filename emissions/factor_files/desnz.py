"""Parser for the UK Government GHG Conversion Factors "flat file".

Published yearly by BEIS (to 2022) and DESNZ (from 2023) with Defra. Two layouts:

* 2019-2021: Scope, Level 1-4, Column Text, UOM (simple), UOM, GHG, Lookup,
  GHG Conversion Factor YYYY; gas rows are labelled "kg CO2", "kg CH4", "kg N2O"
  but hold kg CO2e of each gas (they add up to the "kg CO2e" row).
* 2022 onwards: ID, Scope, Level 1-4, Column Text, UOM, GHG/Unit,
  GHG Conversion Factor YYYY; gas rows read "kg CO2e of CO2 per unit" etc.

The rows of one factor (a category path, column text and unit) are merged into
one ParsedFactor with the CO2e total and the per-gas parts. Rows whose GHG/Unit
is an energy unit ("kWh (Net CV)") are energy conversions for SECR reporting,
not emissions, and are left out.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from emissions.factor_files.common import (
    FactorFileError,
    ParsedFactor,
    ParsedFactorFile,
    cell_text,
    decimal_from_cell,
    factor_key,
    normalise_label,
    open_workbook,
    sha256_of,
)
from emissions.units import parse_published_unit

__all__ = ["desnz_key", "parse_desnz_flat_file"]

SHEET_NAME = "Factors by Category"
_YEAR_HEADER = re.compile(r"^ghg conversion factor\s+(\d{4})$", re.IGNORECASE)
_HEADER_SEARCH_ROWS = 60

_TOTAL = "total"
# GHG/Unit holding an energy unit ("kWh (Net CV)"): a conversion, not a factor.
_ENERGY = "energy"
_UNSEEN = object()
# GHG column wording, both layouts, lowercased.
_GHG_LABELS: dict[str, str] = {
    "kg co2e": _TOTAL,
    "kg co2": "CO2",
    "kg ch4": "CH4",
    "kg n2o": "N2O",
    "kg co2e of co2 per unit": "CO2",
    "kg co2e of ch4 per unit": "CH4",
    "kg co2e of n2o per unit": "N2O",
    "kg co2e of co2": "CO2",
    "kg co2e of ch4": "CH4",
    "kg co2e of n2o": "N2O",
}

# Column texts that only restate the unit's dimension. 2019-2021 fill them in,
# 2022+ leave them blank; the unit code already carries the gross/net basis.
_UNIT_RESTATING_COLUMN_TEXT = frozenset(
    {"energy-gross cv", "energy-net cv", "volume", "tonnes", "mass", "energy"}
)
# Wording that changed between editions for the same factor (normalised text).
_SEGMENT_ALIASES: dict[str, str] = {
    "uk electricity generated (managed assets)": "electricity generated",
    "wtt-gaseous fuels": "gaseous fuels",
    "wtt-liquid fuels": "liquid fuels",
    "wtt-solid fuels": "solid fuels",
}

_PUBLISHER_BY_YEAR = (
    (2023, "UK Department for Energy Security and Net Zero (DESNZ) and Defra"),
    (
        2016,
        "UK Department for Business, Energy and Industrial Strategy (BEIS) and Defra",
    ),
)


def _publisher(year: int) -> str:
    for first_year, name in _PUBLISHER_BY_YEAR:
        if year >= first_year:
            return name
    return "UK Department for Environment, Food and Rural Affairs (Defra)"


def _gwp_basis(year: int) -> str:
    # The methodology papers: AR4 GWPs up to the 2022 edition, AR5 from 2023.
    return "AR5" if year >= 2023 else "AR4"


# Unit labels and trailing path segments repeat on every row of a factor.
_published_unit = lru_cache(maxsize=4096)(parse_published_unit)


def desnz_key(path: tuple[str, ...] | list[str], column_text: str, unit: str) -> str:
    """Return the edition-independent key of a DESNZ factor."""
    segments = [normalise_label(s) for s in path if s and s.strip()]
    # 2022+ repeat the unit as Level 4 for electricity ("Electricity: UK | kWh").
    if segments and _published_unit(segments[-1]) == unit:
        segments.pop()
    column = normalise_label(column_text)
    # Waste "combustion" became "incineration with energy recovery" in 2025.
    if segments[:1] == ["waste disposal"] and column == "combustion":
        column = "incineration with energy recovery"
    if column and column not in _UNIT_RESTATING_COLUMN_TEXT:
        segments.append(column)
    return factor_key([_SEGMENT_ALIASES.get(s, s) for s in segments], unit)


class _RowLabels(NamedTuple):
    """The label cells of one row, read: everything but the GHG and the value."""

    end: bool
    blank: bool
    scope: str
    levels: tuple[str, ...]
    path: tuple[str, ...]
    column_text: str
    unit_label: str
    unit: str | None
    group_id: tuple[str | None, ...]


class _LabelReader:
    """Read rows' label cells, each distinct cell and combination of cells once.

    A factor's labels repeat on its CO2e and per-gas rows, and about a thousand
    distinct texts make up a whole edition.
    """

    def __init__(self, levels_count: int, has_column_text: bool) -> None:
        self._levels_count = levels_count
        self._has_column_text = has_column_text
        self._texts: dict[str, str] = {}
        self._rows: dict[tuple, _RowLabels] = {}

    def _read(self, cell: object) -> str:
        text = cell_text(cell)
        if cell.__class__ is str:
            self._texts[cell] = text  # type: ignore[index]
        return text

    def row(self, cells: tuple) -> _RowLabels:
        """Return scope, levels, UOM and column text (in that order) of one row."""
        labels = self._rows.get(cells)
        if labels is not None:
            return labels
        texts = self._texts
        read = [texts[cell] if cell in texts else self._read(cell) for cell in cells]
        count = self._levels_count
        scope = read[0]
        levels = tuple(read[1 : 1 + count])
        unit_label = read[1 + count]
        column_text = read[2 + count] if self._has_column_text else ""
        unit = _published_unit(unit_label)
        path = tuple(level for level in levels if level)
        labels = _RowLabels(
            scope.upper() == "END" or bool(levels and levels[0].upper() == "END"),
            not scope and not any(levels),
            scope,
            levels,
            path,
            column_text,
            unit_label,
            unit,
            (scope, *path, "\x00", column_text, unit),
        )
        # Only rows of text cells are remembered: 1, 1.0 and True are equal
        # keys but read differently ("1", "1", "True").
        if all(cell.__class__ is str for cell in cells):
            self._rows[cells] = labels
        return labels


def _gas(label: str) -> str | None:
    """Return the gas of a GHG label, _ENERGY for energy rows, None if unknown."""
    gas = _GHG_LABELS.get(label.lower())
    if gas is not None:
        return gas
    if _published_unit(label) is not None or label in ("`", ""):
        return _ENERGY
    return None


def _find_header(rows: list[list[object]]) -> tuple[int, dict[str, int], int]:
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        labels = [cell_text(c).lower() for c in row]
        if "scope" not in labels or "level 1" not in labels or "uom" not in labels:
            continue
        for col, label in enumerate(labels):
            match = _YEAR_HEADER.match(label)
            if match:
                columns = {label: i for i, label in enumerate(labels) if label}
                columns["value"] = col
                return index, columns, int(match.group(1))
    raise FactorFileError(
        "No DESNZ flat-file header found: expected a row with Scope, Level 1..4, "
        "Column Text, UOM, GHG (or GHG/Unit) and 'GHG Conversion Factor YYYY' "
        f"in the first {_HEADER_SEARCH_ROWS} rows."
    )


def _front_page_version(workbook) -> str:  # noqa: ANN001
    if "Front page" not in workbook.sheet_names:
        return ""
    for row in workbook.get_sheet_by_name("Front page").to_python(nrows=40):
        cells = [c for c in row if c not in ("", None)]
        if len(cells) >= 2 and cell_text(cells[0]).lower().rstrip(":") == "version":
            value = cells[1]
            return cell_text(value) if not isinstance(value, float) else repr(value)
    return ""


def parse_desnz_flat_file(path: str | Path) -> ParsedFactorFile:
    """Parse a DESNZ/BEIS flat-file workbook (.xls or .xlsx) of any edition 2019+."""
    path = Path(path)
    workbook = open_workbook(path)
    names = workbook.sheet_names
    candidates = [SHEET_NAME] if SHEET_NAME in names else list(names)
    for sheet in candidates:
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        try:
            header_index, columns, year = _find_header(rows)
            break
        except FactorFileError:
            if sheet == candidates[-1]:
                raise
    ghg_col = columns.get("ghg/unit", columns.get("ghg"))
    if ghg_col is None:
        raise FactorFileError("The header has no GHG or GHG/Unit column.")
    level_cols = [
        columns[f"level {n}"] for n in (1, 2, 3, 4) if f"level {n}" in columns
    ]
    column_text_col = columns.get("column text")
    value_col = columns["value"]
    id_col = columns.get("id")
    width = max(columns.values()) + 1
    label_cols = [columns["scope"], *level_cols, columns["uom"]]
    if column_text_col is not None:
        label_cols.append(column_text_col)
    label_cells = itemgetter(*label_cols)  # at least two columns: a tuple
    reader = _LabelReader(len(level_cols), column_text_col is not None)

    groups: dict[tuple[str, ...], dict] = {}
    energy_rows = 0
    unknown_ghg: dict[str, int] = {}
    unknown_units: dict[str, int] = {}
    text_values: list[str] = []
    gas_of: dict[object, str | None] = {}
    values: dict[float, Decimal] = {}

    for offset, raw in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if len(raw) < width:
            raw = [*raw, *[""] * (width - len(raw))]
        labels = reader.row(label_cells(raw))
        if labels.end:
            break
        ghg_cell = raw[ghg_col]
        gas = gas_of.get(ghg_cell, _UNSEEN)
        if gas is _UNSEEN:
            gas = _gas(cell_text(ghg_cell))
            if ghg_cell.__class__ is str:
                gas_of[ghg_cell] = gas
        if gas is None or gas == _ENERGY:
            ghg_label = cell_text(ghg_cell)
            if labels.blank and not ghg_label:
                continue  # blank spacer row
            if gas is None:
                unknown_ghg[ghg_label] = unknown_ghg.get(ghg_label, 0) + 1
            else:
                energy_rows += 1
            continue
        unit = labels.unit
        if unit is None:
            unknown_units[labels.unit_label] = (
                unknown_units.get(labels.unit_label, 0) + 1
            )
            continue
        cell = raw[value_col]
        is_float = cell.__class__ is float
        value = values.get(cell, _UNSEEN) if is_float else _UNSEEN
        if value is _UNSEEN:
            try:
                value = decimal_from_cell(cell)
            except ValueError:
                text_values.append(
                    f"row {offset} ({' > '.join(filter(None, labels.levels))}, "
                    f"{cell_text(ghg_cell)}): {cell_text(cell)!r}"
                )
                value = None
            else:
                if is_float:
                    values[cell] = value
        group = groups.get(labels.group_id)
        if group is None:
            ident = cell_text(raw[id_col]) if id_col is not None else ""
            where = f"ID {ident.rsplit('_', 1)[0]}" if ident else f"row {offset}"
            group = groups[labels.group_id] = {
                "scope": labels.scope,
                "path": labels.path,
                "column_text": labels.column_text,
                "unit": unit,
                "unit_label": labels.unit_label,
                "co2e": None,
                "gases": {},
                "note": f"{SHEET_NAME}, {where}",
            }
        if value is None:
            continue
        if gas == _TOTAL:
            group["co2e"] = value
        else:
            group["gases"][gas] = value

    warnings: list[str] = []
    parsed: list[ParsedFactor] = []
    seen_keys: dict[str, str] = {}
    unpublished = 0
    duplicates = 0
    edition = f"{year} flat file"
    for group in groups.values():
        if group["co2e"] is None and not group["gases"]:
            unpublished += 1
            continue
        key = desnz_key(group["path"], group["column_text"], group["unit"])
        if key in seen_keys:
            duplicates += 1
            continue
        seen_keys[key] = group["note"]
        parsed.append(
            ParsedFactor(
                key=key,
                scope_label=group["scope"],
                path=group["path"],
                column_text=group["column_text"],
                unit=group["unit"],
                unit_label=group["unit_label"],
                co2e=group["co2e"],
                gases=dict(group["gases"]),
                gas_basis="co2e",
                source_note=f"DESNZ {edition}, {group['note']}",
            )
        )
    if energy_rows:
        warnings.append(
            f"{energy_rows} energy-conversion rows (GHG/Unit in kWh) excluded: "
            "they are not emission factors."
        )
    if text_values:
        warnings.append(
            f"{len(text_values)} value cells hold text, not a number, and were "
            "treated as not published: " + "; ".join(text_values)
        )
    if unpublished:
        warnings.append(
            f"{unpublished} factors have no published value (blank cells) "
            "and were skipped."
        )
    for label, count in sorted(unknown_units.items()):
        warnings.append(f"{count} rows with unknown unit {label!r} skipped.")
    for label, count in sorted(unknown_ghg.items()):
        warnings.append(f"{count} rows with unknown GHG label {label!r} skipped.")
    if duplicates:
        warnings.append(f"{duplicates} factors repeat an earlier key and were skipped.")
    if not parsed:
        raise FactorFileError(f"{path.name} has a header but no factor rows.")

    return ParsedFactorFile(
        publisher=_publisher(year),
        name=f"UK Government GHG Conversion Factors for Company Reporting {year}",
        edition_year=year,
        version=_front_page_version(workbook),
        region="GB",
        source_url=(
            "https://www.gov.uk/government/publications/"
            f"greenhouse-gas-reporting-conversion-factors-{year}"
        ),
        licence="Open Government Licence v3.0",
        gwp_basis=_gwp_basis(year),
        checksum_sha256=sha256_of(path),
        rows=parsed,
        warnings=warnings,
    )
