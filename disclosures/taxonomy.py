"""EFRAG's VSME files: the taxonomy (JSON), the units registry and the template.

They are read from `settings.VSME_DATA_DIR` when a disclosure is exported (the
project does not ship them). Every concept a disclosure tags is looked up here,
so its period type, data type and labels are the taxonomy's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TAXONOMY_FILE = "vsme-2026-05-01.json"
UNITS_FILE = "utr.json"
TEMPLATE_FILE = "VSME-Digital-Template-1.3.0.xlsx"

MISSING = _(
    "EFRAG's VSME file %(name)s was not found; the VSME_DATA_DIR setting names "
    "the folder that holds the digital template, the taxonomy and the units "
    "registry."
)


def vsme_file(name: str) -> Path:
    """Return the path of one of EFRAG's files, or raise ValidationError."""
    path = Path(settings.VSME_DATA_DIR) / name
    if not path.is_file():
        raise ValidationError(MISSING, code="vsme_missing", params={"name": name})
    return path


@dataclass(frozen=True)
class Concept:
    qname: str
    data_type: str
    period_type: str
    labels: dict

    @property
    def local_name(self) -> str:
        return self.qname.partition(":")[2]

    def label(self, language: str = "en") -> str:
        role = "http://www.xbrl.org/2003/role/label"
        for code in (language, "en"):
            text = self.labels.get(code, {}).get(role)
            if text:
                return text
        return self.local_name


@dataclass(frozen=True)
class Taxonomy:
    entry_point: str
    namespaces: dict[str, str]
    concepts: dict[str, dict]
    units: dict[str, dict]

    def concept(self, qname: str) -> Concept:
        data = self.concepts[qname]
        return Concept(
            qname=qname,
            data_type=data["dataType"],
            period_type=data["periodType"],
            labels=data.get("labels", {}),
        )

    def unit(self, unit_id: str) -> dict:
        return self.units[unit_id]


@cache
def _load(folder: str, stamp: tuple) -> Taxonomy:
    data = json.loads((Path(folder) / TAXONOMY_FILE).read_text(encoding="utf-8"))
    units = json.loads((Path(folder) / UNITS_FILE).read_text(encoding="utf-8"))
    return Taxonomy(
        entry_point=data["entryPoint"],
        namespaces=data["namespaces"],
        concepts=data["concepts"],
        units={unit["unitId"]: unit for unit in units["utr"]},
    )


def taxonomy() -> Taxonomy:
    """Return the VSME taxonomy and the units registry (read once per file)."""
    paths = (vsme_file(TAXONOMY_FILE), vsme_file(UNITS_FILE))
    stamp = tuple(path.stat().st_mtime_ns for path in paths)
    return _load(str(paths[0].parent), stamp)
