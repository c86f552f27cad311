"""Load the reference data every installation needs; safe to run again.

* The activity catalogue (emissions/data/activity_types.csv or .json) as global
  ActivityType rows, matched by code, with the Norwegian and Swedish names
  (``name_nb``, ``name_sv``; blank when the file has no such column) and, for
  server energy, the data centre's PUE (``pue``; none shipped, so 1.5 applies).
* The curated grid, residual-mix and district-heating factors
  (emissions/data/grid_factors.csv, in the grid-factor layout) as global
  "curated" factor sets, one per year, keyed ``grid_location|NO``,
  ``residual_mix|SE|aib`` (one key per publication of a residual mix) and
  ``district_heating|GB``; each factor carries its publication, edition,
  table or page, the gases it counts and how it was checked.
* An excerpt of the UK DESNZ conversion factors (emissions/data/desnz_excerpt.csv:
  the rows the catalogue uses, with their source) as global DESNZ sets, one per
  edition, unless the full edition was imported.

GWP sets need no loading: they are code (emissions/gwp.py).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from emissions.factor_files.common import FactorFileError
from emissions.factor_files.grid import ParsedGridRow, parse_grid_rows
from emissions.models import (
    ActivityType,
    EmissionFactor,
    FactorCheck,
    FactorSet,
    FactorSetKind,
    FactorSource,
    GasBasis,
)
from emissions.resolution import EXCERPT_VERSION

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE_MAP = {
    "desnz": FactorSource.PUBLISHED,
    "epa": FactorSource.PUBLISHED,
    "published": FactorSource.PUBLISHED,
    "custom": FactorSource.OWN,
    "own": FactorSource.OWN,
}
DESNZ_EXCERPT_PUBLISHER = "UK Department for Energy Security and Net Zero (DESNZ)"


@dataclass
class LoadSummary:
    activity_types_created: int = 0
    activity_types_updated: int = 0
    curated_sets: int = 0
    curated_factors: int = 0
    desnz_excerpt_sets: list[int] = field(default_factory=list)
    desnz_full_editions: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"activity types: {self.activity_types_created} created, "
            f"{self.activity_types_updated} updated; curated grid factors: "
            f"{self.curated_factors} in {self.curated_sets} sets; DESNZ excerpt "
            f"loaded for {', '.join(map(str, self.desnz_excerpt_sets)) or 'no year'}"
            + (
                f" (full editions present: "
                f"{', '.join(map(str, self.desnz_full_editions))})"
                if self.desnz_full_editions
                else ""
            )
        )


def _activity_rows(data_dir: Path) -> list[dict]:
    json_path = data_dir / "activity_types.json"
    csv_path = data_dir / "activity_types.csv"
    if csv_path.exists():
        with csv_path.open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    if json_path.exists():
        return json.loads(json_path.read_text(encoding="utf-8"))
    return []


def _units(value) -> list[str]:
    if isinstance(value, list):
        return [str(u).strip() for u in value if str(u).strip()]
    return [
        u.strip() for u in str(value or "").replace(",", ";").split(";") if u.strip()
    ]


def _int_or_none(value) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text else None


def _decimal_or_none(value) -> Decimal | None:
    text = str(value if value is not None else "").strip()
    return Decimal(text) if text else None


def load_activity_types(data_dir: Path = DATA_DIR) -> tuple[int, int]:
    """Create or update the global activity catalogue; return (created, updated)."""
    created = updated = 0
    for order, row in enumerate(_activity_rows(data_dir)):
        source = str(row.get("factor_source") or "").strip()
        keys = {
            kind: str(row.get(f"{kind}_key") or "").strip()
            for kind in ("desnz", "epa")
            if str(row.get(f"{kind}_key") or "").strip()
        }
        code = row["code"].strip()
        gas = ""
        if code.startswith("refrigerant_"):
            gas = code.removeprefix("refrigerant_").upper().replace("R", "R-", 1)
        _obj, was_created = ActivityType.objects.update_or_create(
            organisation=None,
            code=code,
            defaults={
                "name": row["name"].strip(),
                "name_nb": str(row.get("name_nb") or "").strip(),
                "name_sv": str(row.get("name_sv") or "").strip(),
                "scope": int(row["scope"]),
                "scope3_category": _int_or_none(row.get("scope3_category")),
                "iso_category": int(row["iso_category"]),
                "allowed_units": _units(row.get("allowed_units")),
                "default_unit": str(row.get("default_unit") or "").strip(),
                "factor_source": SOURCE_MAP.get(source, source),
                "factor_keys": keys,
                "gas": gas,
                "description": str(row.get("description") or "").strip(),
                "pue": _decimal_or_none(row.get("pue")),
                "sort_order": order,
            },
        )
        if was_created:
            created += 1
        else:
            updated += 1
    return created, updated


def _shipped_grid_rows(path: Path) -> list[ParsedGridRow]:
    with path.open(encoding="utf-8") as handle:
        rows = [list(row) for row in csv.reader(handle)]
    parsed = parse_grid_rows(rows, file_name=path.name, default_check="")
    unchecked = [
        f"{row.country} {row.year} {row.kind}"
        for row in parsed
        if not row.factor.verification
    ]
    if unchecked:
        raise FactorFileError(
            f"{path.name}: every shipped row says how it was checked; "
            f"these do not: {', '.join(unchecked)}."
        )
    return parsed


def load_curated_factors(data_dir: Path = DATA_DIR) -> tuple[int, int]:
    """Load grid, residual-mix and district-heating factors; return (sets, rows).

    Factors of the global curated sets that the file no longer ships are
    deleted, or, where entries were calculated with them, kept as withdrawn:
    resolution no longer finds them and their pages say so.
    """
    path = data_dir / "grid_factors.csv"
    if not path.exists():
        return 0, 0
    by_year: dict[int, list[ParsedGridRow]] = defaultdict(list)
    for row in _shipped_grid_rows(path):
        by_year[row.year].append(row)
    rows_loaded = 0
    shipped: dict[int, set[str]] = defaultdict(set)
    for year, rows in sorted(by_year.items()):
        factor_set, _created = FactorSet.objects.update_or_create(
            organisation=None,
            kind=FactorSetKind.CURATED,
            edition_year=year,
            defaults={
                "publisher": "CarbonLedger curated (each factor names its source)",
                "name": f"Grid and district-heating factors {year}",
                "region": "Nordic, Baltic, DE, GB, US",
                "notes": "Each factor names its publication, edition, table or "
                "page, the gases it counts and how its value was checked.",
            },
        )
        for row in rows:
            factor = row.factor
            shipped[year].add(factor.key)
            EmissionFactor.objects.update_or_create(
                factor_set=factor_set,
                key=factor.key,
                defaults={
                    "scope_label": factor.scope_label,
                    "level1": factor.path[0],
                    "level2": factor.path[1],
                    "unit": factor.unit,
                    "unit_label": factor.unit_label,
                    "co2e": factor.co2e,
                    "gases": {},
                    "gas_basis": GasBasis.CO2E,
                    "source_note": factor.source_note,
                    "publication": factor.publication,
                    "edition": factor.edition,
                    "table_or_page": factor.table_or_page,
                    "source_url": factor.source_url,
                    "gases_covered": factor.gases_covered,
                    "verification": factor.verification,
                    "verification_note": factor.verification_note,
                },
            )
            rows_loaded += 1
    _withdraw_unshipped(shipped)
    return len(by_year), rows_loaded


WITHDRAWN_NOTE = (
    "No longer shipped: the value could not be checked against its publication. "
    "Enter your own figure or load the publisher's file."
)


def _withdraw_unshipped(shipped: dict[int, set[str]]) -> None:
    stale = EmissionFactor.objects.filter(
        factor_set__organisation=None, factor_set__kind=FactorSetKind.CURATED
    ).select_related("factor_set")
    for factor in stale:
        if factor.key in shipped.get(factor.factor_set.edition_year, set()):
            continue
        if factor.entries.exists():
            if factor.verification != FactorCheck.WITHDRAWN:
                factor.verification = FactorCheck.WITHDRAWN
                factor.verification_note = WITHDRAWN_NOTE
                factor.save(update_fields=["verification", "verification_note"])
        else:
            factor.delete()


def load_desnz_excerpt(data_dir: Path = DATA_DIR) -> tuple[list[int], list[int]]:
    """Load the DESNZ excerpt per edition unless a full edition is there.

    Return (editions loaded or refreshed, editions skipped as fully imported).
    """
    path = data_dir / "desnz_excerpt.csv"
    if not path.exists():
        return [], []
    by_year: dict[int, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_year[int(row["edition_year"])].append(row)
    loaded: list[int] = []
    skipped: list[int] = []
    for year, rows in sorted(by_year.items()):
        full = (
            FactorSet.objects.filter(
                organisation=None, kind=FactorSetKind.DESNZ, edition_year=year
            )
            .exclude(version=EXCERPT_VERSION)
            .exists()
        )
        if full:
            skipped.append(year)
            continue
        digest = hashlib.sha256(
            json.dumps(rows, sort_keys=True).encode("utf-8")
        ).hexdigest()
        existing = FactorSet.objects.filter(
            organisation=None,
            kind=FactorSetKind.DESNZ,
            edition_year=year,
            version=EXCERPT_VERSION,
        ).first()
        if existing is not None and existing.checksum_sha256 == digest:
            loaded.append(year)
            continue
        first = rows[0]
        defaults = {
            "publisher": DESNZ_EXCERPT_PUBLISHER,
            "name": f"UK DESNZ conversion factors {year} (excerpt)",
            "region": "GB",
            "source_url": first["source_url"],
            "licence": first["licence"],
            "gwp_basis": first.get("gwp_basis") or "AR5",
            "checksum_sha256": digest,
            "notes": (
                "The published rows that the activity catalogue uses (with "
                f"well-to-tank and T&D rows), from flat file version "
                f"{first.get('version') or '?'}. Import the full edition to "
                "replace it."
            ),
        }
        if existing is None:
            factor_set = FactorSet.objects.create(
                organisation=None,
                kind=FactorSetKind.DESNZ,
                edition_year=year,
                version=EXCERPT_VERSION,
                **defaults,
            )
        else:
            factor_set = existing
            for name, value in defaults.items():
                setattr(factor_set, name, value)
            factor_set.save()
        for row in rows:
            EmissionFactor.objects.update_or_create(
                factor_set=factor_set,
                key=row["key"],
                defaults={
                    "scope_label": row["scope_label"],
                    "level1": row["level1"],
                    "level2": row["level2"],
                    "level3": row["level3"],
                    "level4": row["level4"],
                    "column_text": row["column_text"],
                    "unit": row["unit"],
                    "unit_label": row["unit_label"],
                    "co2e": Decimal(row["co2e"]) if row["co2e"] else None,
                    "gases": json.loads(row["gases"] or "{}"),
                    "gas_basis": row.get("gas_basis") or GasBasis.CO2E,
                    "source_note": row["source_note"],
                },
            )
        loaded.append(year)
    return loaded, skipped


@transaction.atomic
def load_reference_data(data_dir: Path = DATA_DIR) -> LoadSummary:
    """Load or refresh the activity catalogue, curated factors and DESNZ excerpt."""
    summary = LoadSummary()
    summary.activity_types_created, summary.activity_types_updated = (
        load_activity_types(data_dir)
    )
    summary.curated_sets, summary.curated_factors = load_curated_factors(data_dir)
    summary.desnz_excerpt_sets, summary.desnz_full_editions = load_desnz_excerpt(
        data_dir
    )
    return summary
