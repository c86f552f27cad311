"""Parser for the grid-factor layout: electricity, residual mix, district heating.

One row is one figure of one country and year as its publisher gives it:
``country, year, kind, value, unit, gas_basis, publication, edition,
table_or_page, url`` and, optionally, ``check`` and ``check_note``. The layout
is documented in docs/factor-file-format.md; the shipped curated factors
(emissions/data/grid_factors.csv) use it too.

Values are stored as kg per kWh of the activity: a figure in g/kWh is divided
by 1000 exactly. Nothing is imported when any row is wrong: every problem is
reported with its row number in one FactorFileError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy

from emissions.factor_files.common import (
    FactorFileError,
    ParsedFactor,
    ParsedFactorFile,
    cell_text,
    decimal_from_cell,
    sha256_of,
)
from emissions.factor_files.generic import _read_rows

__all__ = [
    "GRID_COLUMNS",
    "GRID_KINDS",
    "GRID_REQUIRED_COLUMNS",
    "ParsedGridRow",
    "grid_factor_key",
    "parse_grid_factor_file",
    "parse_grid_rows",
]

GRID_COLUMNS = (
    "country",
    "year",
    "kind",
    "value",
    "unit",
    "gas_basis",
    "publication",
    "edition",
    "table_or_page",
    "url",
    "check",
    "check_note",
)
GRID_REQUIRED_COLUMNS = GRID_COLUMNS[:8]
# kind -> (key prefix, residual-mix publication or "", label)
GRID_KINDS: dict[str, tuple[str, str, str]] = {
    "location": ("grid_location", "", "Grid electricity, location-based"),
    "residual_mix_aib": ("residual_mix", "aib", "Residual mix (AIB)"),
    "residual_mix_nordic": ("residual_mix", "nordic", "Residual mix (Nordic, Ei)"),
    "residual_mix_national": (
        "residual_mix",
        "national",
        "Residual mix (national authority)",
    ),
    "district_heating": ("district_heating", "", "District heating"),
}
# The labels above in the reader's language (they are stored in English).
GRID_KIND_NAMES = {
    "Grid electricity, location-based": gettext_lazy(
        "Grid electricity, location-based"
    ),
    "Residual mix (AIB)": gettext_lazy("Residual mix (AIB)"),
    "Residual mix (Nordic, Ei)": gettext_lazy("Residual mix (Nordic, Ei)"),
    "Residual mix (national authority)": gettext_lazy(
        "Residual mix (national authority)"
    ),
    "District heating": gettext_lazy("District heating"),
}
# Publisher's unit -> kg per kWh of one unit of value.
VALUE_UNITS: dict[str, Decimal] = {
    "g/kwh": Decimal("0.001"),
    "kg/kwh": Decimal(1),
    "g/mwh": Decimal("0.000001"),
    "kg/mwh": Decimal("0.001"),
    "t/mwh": Decimal(1),
}
GAS_BASES = {"co2": "co2", "co2 only": "co2", "co2e": "co2e", "co2-eq": "co2e"}
CHECKS = ("source", "secondary", "unverified")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_MAX_ERRORS_SHOWN = 50


@dataclass(frozen=True)
class ParsedGridRow:
    """One grid-factor row: its year and the factor to store."""

    year: int
    country: str
    kind: str
    value: Decimal
    value_unit: str
    factor: ParsedFactor


def grid_factor_key(kind: str, country: str) -> str:
    """Return the factor key of a kind of grid figure for a country."""
    prefix, mix, _label = GRID_KINDS[kind]
    return f"{prefix}|{country}|{mix}" if mix else f"{prefix}|{country}"


def _gas_basis(text: str) -> str | None:
    key = text.lower().replace("₂", "2").strip()
    key = re.sub(r"\s*\(.*\)$", "", key)  # "CO2 (direct)" is CO2 only
    return GAS_BASES.get(key)


def parse_grid_rows(
    rows: list[list[object]], *, file_name: str, default_check: str
) -> list[ParsedGridRow]:
    """Parse the rows of a grid-factor table, header first; all or nothing."""
    header_index = next(
        (i for i, row in enumerate(rows) if any(cell_text(c) for c in row)), None
    )
    if header_index is None:
        raise FactorFileError(f"{file_name} is empty.")
    header = [cell_text(c).lower() for c in rows[header_index]]
    missing = [c for c in GRID_REQUIRED_COLUMNS if c not in header]
    if missing:
        raise FactorFileError(
            f"{file_name}: header row lacks column(s) {', '.join(missing)}; "
            f"expected {', '.join(GRID_COLUMNS)}."
        )
    index = {label: i for i, label in enumerate(header) if label in GRID_COLUMNS}
    errors: list[str] = []
    parsed: list[ParsedGridRow] = []
    seen: dict[tuple[str, int, str], int] = {}
    for number, raw in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = {
            col: cell_text(raw[i]) if i < len(raw) else "" for col, i in index.items()
        }
        if not any(cells.values()):
            continue
        problems: list[str] = []
        country = cells["country"].upper()
        if not _COUNTRY.match(country):
            problems.append(f"country {cells['country']!r} is not a two-letter code")
        year_text = cells["year"]
        year = int(year_text) if year_text.isdigit() else 0
        if not 1990 <= year <= 2100:
            problems.append(f"year {year_text!r} is not a year")
        kind = cells["kind"].lower()
        if kind not in GRID_KINDS:
            problems.append(
                f"kind {cells['kind']!r} is not one of {', '.join(GRID_KINDS)}"
            )
        value = None
        try:
            value = decimal_from_cell(
                raw[index["value"]] if index["value"] < len(raw) else "",
                decimal_comma=True,
            )
        except ValueError:
            problems.append(f"value {cells['value']!r} is not a number")
        else:
            if value is None:
                problems.append("value is empty")
            elif value < 0:
                problems.append(f"value {cells['value']!r} is negative")
        unit_key = cells["unit"].lower().replace(" ", "").replace("co2e", "")
        unit_key = unit_key.replace("co2", "")
        if unit_key not in VALUE_UNITS:
            problems.append(
                f"unit {cells['unit']!r} is not one of g/kWh, kg/kWh, g/MWh, "
                "kg/MWh, t/MWh"
            )
        gases = _gas_basis(cells["gas_basis"])
        if gases is None:
            problems.append(f"gas_basis {cells['gas_basis']!r} is not CO2 or CO2e")
        for col in ("publication", "edition"):
            if not cells[col]:
                problems.append(f"{col} is empty")
        url = cells.get("url", "")
        if url and not url.lower().startswith(("https://", "http://")):
            problems.append(f"url {url!r} does not start with https://")
        check = cells.get("check", "").lower() or default_check
        if check not in (*CHECKS, default_check):
            problems.append(
                f"check {cells['check']!r} is not one of {', '.join(CHECKS)}"
            )
        if not problems:
            duplicate = seen.get((country, year, kind))
            if duplicate:
                problems.append(f"{country} {year} {kind} repeats row {duplicate}")
        if problems:
            errors.append(f"row {number}: " + "; ".join(problems))
            continue
        seen[(country, year, kind)] = number
        assert value is not None and gases is not None
        _prefix, _mix, label = GRID_KINDS[kind]
        unit_text = cells["unit"]
        gas_text = "CO2 only" if gases == "co2" else "CO2e"
        source = ", ".join(
            p
            for p in (
                cells["publication"],
                cells["edition"],
                cells.get("table_or_page", ""),
            )
            if p
        )
        parsed.append(
            ParsedGridRow(
                year=year,
                country=country,
                kind=kind,
                value=value,
                value_unit=unit_text,
                factor=ParsedFactor(
                    key=grid_factor_key(kind, country),
                    scope_label="Scope 2",
                    path=(label, country),
                    column_text="",
                    unit="kWh",
                    unit_label="kWh",
                    co2e=value * VALUE_UNITS[unit_key],
                    gases={},
                    gas_basis="co2e",
                    source_note=f"{source}: {value} {unit_text} ({gas_text}).",
                    publication=cells["publication"],
                    edition=cells["edition"],
                    table_or_page=cells.get("table_or_page", ""),
                    source_url=url,
                    gases_covered=gases,
                    verification=check,
                    verification_note=cells.get("check_note", ""),
                ),
            )
        )
    if errors:
        shown = errors[:_MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        raise FactorFileError(
            f"{file_name}: {len(errors)} row(s) have errors; nothing was imported.\n"
            + "\n".join(shown)
            + (f"\n... and {more} more" if more else "")
        )
    if not parsed:
        raise FactorFileError(f"{file_name} has a header but no factor rows.")
    return parsed


def parse_grid_factor_file(path: str | Path, *, name: str = "") -> ParsedFactorFile:
    """Parse an uploaded grid-factor file (CSV or XLSX) of one year."""
    path = Path(path)
    rows = parse_grid_rows(
        _read_rows(path), file_name=path.name, default_check="uploaded"
    )
    years = sorted({row.year for row in rows})
    if len(years) != 1:
        raise FactorFileError(
            f"{path.name}: a grid-factor file holds one year, as its publication "
            f"does; this one holds {', '.join(map(str, years))}. Split it by year."
        )
    year = years[0]
    publications = sorted({row.factor.publication for row in rows})
    countries = sorted({row.country for row in rows})
    return ParsedFactorFile(
        publisher="; ".join(publications)[:200],
        name=name or f"Grid factors {year} ({path.name})",
        edition_year=year,
        version="",
        region=", ".join(countries)[:60],
        source_url=next((r.factor.source_url for r in rows if r.factor.source_url), ""),
        licence="",
        gwp_basis="",
        checksum_sha256=sha256_of(path),
        rows=[row.factor for row in rows],
        warnings=[],
    )
