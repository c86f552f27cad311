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
from pathlib import Path

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


def desnz_key(path: tuple[str, ...] | list[str], column_text: str, unit: str) -> str:
    """Return the edition-independent key of a DESNZ factor."""
    segments = [normalise_label(s) for s in path if s and s.strip()]
    # 2022+ repeat the unit as Level 4 for electricity ("Electricity: UK | kWh").
    if segments and parse_published_unit(segments[-1]) == unit:
        segments.pop()
    column = normalise_label(column_text)
    # Waste "combustion" became "incineration with energy recovery" in 2025.
    if segments[:1] == ["waste disposal"] and column == "combustion":
        column = "incineration with energy recovery"
    if column and column not in _UNIT_RESTATING_COLUMN_TEXT:
        segments.append(column)
    return factor_key([_SEGMENT_ALIASES.get(s, s) for s in segments], unit)


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
    scope_col = columns["scope"]
    column_text_col = columns.get("column text")
    uom_col = columns["uom"]
    value_col = columns["value"]
    id_col = columns.get("id")
    width = max(columns.values()) + 1

    groups: dict[tuple[str, ...], dict] = {}
    energy_rows = 0
    unknown_ghg: dict[str, int] = {}
    unknown_units: dict[str, int] = {}
    text_values: list[str] = []

    for offset, raw in enumerate(rows[header_index + 1 :], start=header_index + 2):
        row = list(raw) + [""] * (width - len(raw))
        scope = cell_text(row[scope_col])
        levels = tuple(cell_text(row[c]) for c in level_cols)
        if scope.upper() == "END" or (levels and levels[0].upper() == "END"):
            break
        ghg_label = cell_text(row[ghg_col])
        if not scope and not any(levels) and not ghg_label:
            continue  # blank spacer row
        gas = _GHG_LABELS.get(ghg_label.lower())
        if gas is None:
            if parse_published_unit(ghg_label) is not None or ghg_label in ("`", ""):
                energy_rows += 1
            else:
                unknown_ghg[ghg_label] = unknown_ghg.get(ghg_label, 0) + 1
            continue
        unit_label = cell_text(row[uom_col])
        unit = parse_published_unit(unit_label)
        if unit is None:
            unknown_units[unit_label] = unknown_units.get(unit_label, 0) + 1
            continue
        column_text = (
            cell_text(row[column_text_col]) if column_text_col is not None else ""
        )
        try:
            value = decimal_from_cell(row[value_col])
        except ValueError:
            text_values.append(
                f"row {offset} ({' > '.join(filter(None, levels))}, {ghg_label}): "
                f"{cell_text(row[value_col])!r}"
            )
            value = None
        path_parts = tuple(level for level in levels if level)
        group_id = (scope, *path_parts, "\x00", column_text, unit)
        group = groups.get(group_id)
        if group is None:
            ident = cell_text(row[id_col]) if id_col is not None else ""
            where = f"ID {ident.rsplit('_', 1)[0]}" if ident else f"row {offset}"
            group = groups[group_id] = {
                "scope": scope,
                "path": path_parts,
                "column_text": column_text,
                "unit": unit,
                "unit_label": unit_label,
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
