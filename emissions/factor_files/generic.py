"""Parser for CarbonLedger's own factor table layout (CSV or XLSX).

The layout is documented in docs/factor-file-format.md. A file is imported all
or nothing: every row problem is collected with its row number and reported
together in one FactorFileError.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from emissions.factor_files.common import (
    FactorFileError,
    ParsedFactor,
    ParsedFactorFile,
    cell_text,
    decimal_from_cell,
    normalise_label,
    open_workbook,
    sha256_of,
)
from emissions.factor_files.limits import MAX_ROWS
from emissions.units import parse_published_unit

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "parse_generic_factor_file"]

COLUMNS = (
    "key",
    "category",
    "subcategory",
    "name",
    "unit",
    "kg_co2e_per_unit",
    "kg_co2_per_unit",
    "kg_ch4_per_unit",
    "kg_n2o_per_unit",
    "source",
    "valid_year",
    "notes",
)
REQUIRED_COLUMNS = ("key", "category", "name", "unit")
_GAS_COLUMNS = {
    "kg_co2_per_unit": "CO2",
    "kg_ch4_per_unit": "CH4",
    "kg_n2o_per_unit": "N2O",
}
_MAX_ERRORS_SHOWN = 50


def _read_rows(path: Path) -> list[list[object]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".ods"):
        workbook = open_workbook(path)
        return workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python()
    if suffix not in (".csv", ".txt"):
        raise FactorFileError(f"{path.name}: expected a .csv or .xlsx file.")
    # Read as it goes: the whole text would be held several times over.
    rows = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first_line = handle.readline()
            handle.seek(0)
            # Spreadsheets in comma-decimal locales save CSV with semicolons.
            delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
            for row in csv.reader(handle, delimiter=delimiter):
                if len(rows) > MAX_ROWS:
                    raise FactorFileError(
                        f"{path.name} has more than {MAX_ROWS:,} rows, more than a "
                        "factor table."
                    )
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise FactorFileError(f"{path.name} is not UTF-8 text: {exc}") from exc
    return rows


def parse_generic_factor_file(
    path: str | Path,
    *,
    publisher: str,
    name: str,
    edition_year: int | None = None,
    version: str = "",
    region: str = "",
    source_url: str = "",
    licence: str = "",
    gwp_basis: str = "",
) -> ParsedFactorFile:
    """Parse a factor table in the generic CSV/XLSX layout, all or nothing."""
    path = Path(path)
    rows = _read_rows(path)
    header_index = next(
        (i for i, row in enumerate(rows) if any(cell_text(c) for c in row)), None
    )
    if header_index is None:
        raise FactorFileError(f"{path.name} is empty.")
    header = [cell_text(c).lower() for c in rows[header_index]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FactorFileError(
            f"{path.name}: header row lacks column(s) {', '.join(missing)}; "
            f"expected {', '.join(COLUMNS)}."
        )
    if not any(c in header for c in ("kg_co2e_per_unit", *_GAS_COLUMNS)):
        raise FactorFileError(
            f"{path.name}: header row has no value column; give kg_co2e_per_unit "
            "and/or kg_co2_per_unit, kg_ch4_per_unit, kg_n2o_per_unit."
        )
    index = {label: i for i, label in enumerate(header) if label in COLUMNS}

    errors: list[str] = []
    parsed: list[ParsedFactor] = []
    seen: dict[str, int] = {}
    years: set[int] = set()
    for number, raw in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = {
            col: cell_text(raw[i]) if i < len(raw) else "" for col, i in index.items()
        }
        if not any(cells.values()):
            continue
        values = {col: (raw[i] if i < len(raw) else "") for col, i in index.items()}
        problems: list[str] = []
        key = normalise_label(cells["key"])
        if not key:
            problems.append("key is empty")
        elif key in seen:
            problems.append(f"key {key!r} repeats row {seen[key]}")
        for col in ("category", "name"):
            if not cells[col]:
                problems.append(f"{col} is empty")
        unit = parse_published_unit(cells["unit"])
        if unit is None:
            problems.append(f"unknown unit {cells['unit']!r}")
        numbers: dict[str, Decimal | None] = {}
        for col in ("kg_co2e_per_unit", *_GAS_COLUMNS):
            if col not in values:
                continue
            try:
                numbers[col] = decimal_from_cell(values[col], decimal_comma=True)
            except ValueError:
                problems.append(f"{col} {cells[col]!r} is not a number")
        gases = {
            gas: numbers[col]
            for col, gas in _GAS_COLUMNS.items()
            if numbers.get(col) is not None
        }
        co2e = numbers.get("kg_co2e_per_unit")
        if (
            co2e is None
            and not gases
            and not any("not a number" in p for p in problems)
        ):
            problems.append("no kg_co2e_per_unit and no per-gas value")
        year_text = cells.get("valid_year", "")
        if year_text:
            if year_text.isdigit() and 1990 <= int(year_text) <= 2100:
                years.add(int(year_text))
            else:
                problems.append(f"valid_year {year_text!r} is not a year")
        if problems:
            errors.append(f"row {number}: " + "; ".join(problems))
            continue
        seen[key] = number
        parsed.append(
            ParsedFactor(
                key=key,
                scope_label="",
                path=tuple(
                    p for p in (cells["category"], cells.get("subcategory", "")) if p
                )
                + (cells["name"],),
                column_text="",
                unit=unit or "",
                unit_label=cells["unit"],
                co2e=co2e,
                gases=gases,
                gas_basis="mass",
                source_note=cells.get("source", "") or f"{path.name}, row {number}",
            )
        )
    if errors:
        shown = errors[:_MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        raise FactorFileError(
            f"{path.name}: {len(errors)} row(s) have errors; nothing was imported.\n"
            + "\n".join(shown)
            + (f"\n... and {more} more" if more else "")
        )
    if not parsed:
        raise FactorFileError(f"{path.name} has a header but no factor rows.")
    if edition_year is None:
        if len(years) != 1:
            raise FactorFileError(
                f"{path.name}: pass edition_year, or give every row one valid_year."
            )
        edition_year = years.pop()
    return ParsedFactorFile(
        publisher=publisher,
        name=name,
        edition_year=edition_year,
        version=version,
        region=region,
        source_url=source_url,
        licence=licence,
        gwp_basis=gwp_basis,
        checksum_sha256=sha256_of(path),
        rows=parsed,
        warnings=[],
    )
