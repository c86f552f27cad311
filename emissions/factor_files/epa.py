"""Parser for the US EPA GHG Emission Factors Hub workbook.

The Hub is one sheet holding numbered tables ("Table 1" in column A). Factors
are per gas and by mass (kg CO2, g CH4, g N2O, or lb per MWh for electricity),
not CO2e: EPA leaves the GWP weighting to the user. Every parsed factor is
therefore gas_basis "mass" in kg of gas per activity unit, with co2e None.

Parsed tables: 1 (stationary combustion, per mmBtu and per physical unit),
2 (mobile combustion CO2), 3 and 4 (on-road CH4 and N2O per vehicle-mile),
6 (eGRID subregion total output rates), 7 (purchased steam and heat),
8 (freight) and 10 (business travel and commuting). Table 5 (non-road
vehicles), 9 (WARM waste factors, already CO2e per short ton) and the GWP
tables 11 and 12 are not imported.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from emissions.factor_files.common import (
    FactorFileError,
    ParsedFactor,
    ParsedFactorFile,
    cell_text,
    decimal_from_cell,
    factor_key,
    open_workbook,
    sha256_of,
)
from emissions.units import KG_PER_LB, parse_published_unit

__all__ = ["parse_epa_hub"]

_TABLE = re.compile(r"^table\s+(\d+)$", re.IGNORECASE)
_GRAMS_PER_KG = Decimal(1000)
_LAST_MODIFIED = re.compile(r"last modified:\s*(\w+ \d{1,2}, (\d{4}))", re.IGNORECASE)


class _Collector:
    """Accumulate factors and warnings while walking the tables."""

    def __init__(self) -> None:
        self.rows: list[ParsedFactor] = []
        self.keys: set[str] = set()
        self.warnings: list[str] = []

    def add(
        self,
        *,
        table: int,
        path: tuple[str, ...],
        unit_label: str,
        gases: dict[str, Decimal | None],
        row_number: int,
        column_text: str = "",
    ) -> None:
        unit = parse_published_unit(unit_label)
        if unit is None:
            self.warnings.append(
                f"Table {table}, row {row_number}: unknown unit {unit_label!r}."
            )
            return
        present = {gas: value for gas, value in gases.items() if value is not None}
        if not present:
            return
        scope = (
            "Scope 3" if table >= 8 else ("Scope 2" if table in (6, 7) else "Scope 1")
        )
        key = factor_key(["epa hub", f"table {table}", *path, column_text], unit)
        if key in self.keys:
            self.warnings.append(f"Table {table}, row {row_number}: duplicate {key!r}.")
            return
        self.keys.add(key)
        self.rows.append(
            ParsedFactor(
                key=key,
                scope_label=scope,
                path=path,
                column_text=column_text,
                unit=unit,
                unit_label=unit_label,
                co2e=None,
                gases=present,
                gas_basis="mass",
                source_note=f"EPA GHG Emission Factors Hub, Table {table}, "
                f"sheet row {row_number}",
            )
        )


def _number(value: object) -> Decimal | None:
    try:
        return decimal_from_cell(value)
    except ValueError:
        return None  # "NA" and notes: not published


def _grams(value: object) -> Decimal | None:
    number = _number(value)
    return None if number is None else number / _GRAMS_PER_KG


def _pad(row: list[object], width: int = 12) -> list[object]:
    return list(row) + [""] * (width - len(row))


def _split_tables(rows: list[list[object]]) -> dict[int, list[tuple[int, list]]]:
    tables: dict[int, list[tuple[int, list]]] = {}
    current: int | None = None
    for index, row in enumerate(rows, start=1):
        first = cell_text(row[0]) if row else ""
        match = _TABLE.match(first)
        if match:
            current = int(match.group(1))
            tables[current] = []
            continue
        if first:  # a section heading such as "Scope 3 Emission Factors"
            current = None
        if current is not None:
            tables[current].append((index, _pad(row)))
    return tables


def _is_note(label: str) -> bool:
    lowered = label.lower()
    return lowered.startswith(("source", "notes", "http")) or len(label) > 120


def _stationary(col: _Collector, rows: list[tuple[int, list]]) -> None:
    category = ""
    physical = ""
    for number, row in rows:
        label = cell_text(row[1])
        heat_header = cell_text(row[2]).lower()
        if heat_header.startswith("mmbtu per "):
            physical = heat_header.removeprefix("mmbtu per ")
            continue
        if not label or _is_note(label):
            if label.lower().startswith("source"):
                break
            continue
        values = row[2:9]
        if all(cell_text(v) == "" for v in values):
            category = label  # a group heading such as "Coal and Coke"
            continue
        path = ("Stationary combustion", category, label)
        col.add(
            table=1,
            path=path,
            unit_label="mmBtu",
            gases={
                "CO2": _number(row[3]),
                "CH4": _grams(row[4]),
                "N2O": _grams(row[5]),
            },
            row_number=number,
        )
        if physical:
            col.add(
                table=1,
                path=path,
                unit_label=physical,
                gases={
                    "CO2": _number(row[6]),
                    "CH4": _grams(row[7]),
                    "N2O": _grams(row[8]),
                },
                row_number=number,
            )


def _mobile_co2(col: _Collector, rows: list[tuple[int, list]]) -> None:
    for number, row in rows:
        label = cell_text(row[1])
        if not label or label.lower() == "fuel type" or _is_note(label):
            if label.lower().startswith("source"):
                break
            continue
        col.add(
            table=2,
            path=("Mobile combustion", label),
            unit_label=cell_text(row[3]),
            gases={"CO2": _number(row[2])},
            row_number=number,
        )


def _on_road_ch4_n2o(col: _Collector, table: int, rows: list[tuple[int, list]]) -> None:
    # Table 3: vehicle, model year, CH4, N2O. Table 4 adds a fuel column.
    has_fuel = table == 4
    vehicle = fuel = ""
    for number, row in rows:
        label = cell_text(row[1])
        if _is_note(label):
            if label.lower().startswith("source"):
                break
            continue
        if label.lower() == "vehicle type":
            continue
        cells = row[2:6] if has_fuel else [""] + list(row[2:5])
        fuel_cell, year_cell, ch4, n2o = (
            cell_text(cells[0]),
            cells[1],
            cells[2],
            cells[3],
        )
        if _number(ch4) is None and _number(n2o) is None:
            continue
        if label and not label.startswith("("):
            vehicle = label
        if has_fuel and fuel_cell:
            fuel = fuel_cell
        model_year = cell_text(year_cell)
        path = tuple(p for p in (vehicle, fuel if has_fuel else "", model_year) if p)
        col.add(
            table=table,
            path=("On-road CH4 and N2O", *path),
            unit_label="vehicle-mile",
            gases={"CH4": _grams(ch4), "N2O": _grams(n2o)},
            row_number=number,
        )


def _electricity(col: _Collector, rows: list[tuple[int, list]]) -> None:
    for number, row in rows:
        acronym, name = cell_text(row[1]), cell_text(row[2])
        if _is_note(acronym):
            if acronym.lower().startswith("source"):
                break
            continue
        co2, ch4, n2o = (_number(v) for v in row[3:6])
        if not acronym or co2 is None:
            continue
        # eGRID publishes lb per MWh; kg = lb x 0.45359237 exactly.
        col.add(
            table=6,
            path=("Electricity", "eGRID total output", acronym, name),
            unit_label="MWh",
            gases={
                gas: None if value is None else value * KG_PER_LB
                for gas, value in (("CO2", co2), ("CH4", ch4), ("N2O", n2o))
            },
            row_number=number,
        )


def _steam(col: _Collector, rows: list[tuple[int, list]]) -> None:
    for number, row in rows:
        label = cell_text(row[1])
        co2 = _number(row[2])
        if label and co2 is not None:
            col.add(
                table=7,
                path=("Steam and heat", label),
                unit_label="mmBtu",
                gases={"CO2": co2, "CH4": _grams(row[3]), "N2O": _grams(row[4])},
                row_number=number,
            )


def _distance(col: _Collector, table: int, rows: list[tuple[int, list]]) -> None:
    heading = "Freight" if table == 8 else "Business travel and commuting"
    for number, row in rows:
        label = cell_text(row[1])
        unit_label = cell_text(row[5])
        if label.lower().startswith("source"):
            break
        co2 = _number(row[2])
        if not label or co2 is None or not unit_label:
            continue
        # Footnote letters ("Passenger Car A") are not part of the name.
        name = re.sub(r"\s*\b[A-E]$", "", label).strip()
        col.add(
            table=table,
            path=(heading, name),
            unit_label=unit_label,
            gases={"CO2": co2, "CH4": _grams(row[3]), "N2O": _grams(row[4])},
            row_number=number,
        )


def parse_epa_hub(path: str | Path) -> ParsedFactorFile:
    """Parse the EPA GHG Emission Factors Hub workbook (.xlsx)."""
    path = Path(path)
    workbook = open_workbook(path)
    sheet = workbook.sheet_names[0]
    # Column A holds the table labels; calamine's default trims the empty area
    # around the data, which is what the column indexes below assume.
    rows = workbook.get_sheet_by_name(sheet).to_python()
    tables = _split_tables(rows)
    if 1 not in tables or 6 not in tables:
        raise FactorFileError(
            f"{path.name} does not look like the EPA Emission Factors Hub: "
            "'Table 1' (stationary combustion) and 'Table 6' (electricity) "
            "were not found in column A of the first sheet."
        )
    edition_year, version = 0, ""
    for row in rows[:5]:
        for cell in row:
            match = _LAST_MODIFIED.search(cell_text(cell))
            if match:
                version = f"last modified {match.group(1)}"
                edition_year = int(match.group(2))
    if not edition_year:
        raise FactorFileError(f"{path.name}: no 'Last Modified' date found.")

    col = _Collector()
    _stationary(col, tables[1])
    if 2 in tables:
        _mobile_co2(col, tables[2])
    for number in (3, 4):
        if number in tables:
            _on_road_ch4_n2o(col, number, tables[number])
    _electricity(col, tables[6])
    if 7 in tables:
        _steam(col, tables[7])
    for number in (8, 10):
        if number in tables:
            _distance(col, number, tables[number])
    col.warnings.append(
        "Tables 5, 9, 11 and 12 are not imported (non-road vehicles, WARM waste "
        "CO2e factors, GWP values)."
    )
    return ParsedFactorFile(
        publisher="US Environmental Protection Agency (EPA)",
        name=f"GHG Emission Factors Hub {edition_year}",
        edition_year=edition_year,
        version=version,
        region="US",
        source_url="https://www.epa.gov/climateleadership/ghg-emission-factors-hub",
        licence="US Government work (public domain)",
        gwp_basis="AR5",
        checksum_sha256=sha256_of(path),
        rows=col.rows,
        warnings=col.warnings,
    )
