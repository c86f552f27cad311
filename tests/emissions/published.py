"""Locate and parse the publishers' factor spreadsheets for tests (cached)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from emissions.factor_files import (
    ParsedFactorFile,
    parse_desnz_flat_file,
    parse_epa_hub,
)

DESNZ_FILES = {
    2019: "desnz-2019-flat-file.xls",
    2020: "desnz-2020-flat-file.xlsx",
    2021: "desnz-2021-flat-file.xls",
    2024: "desnz-2024-flat-file.xlsx",
    2025: "desnz-2025-flat-file.xlsx",
}
EPA_FILE = "epa-hub-2025.xlsx"


def factor_files_dir() -> Path:
    """Return the folder of publisher files (env FACTOR_FILES_DIR overrides)."""
    override = os.environ.get("FACTOR_FILES_DIR")
    if override:
        return Path(override)
    repo_root = Path(__file__).resolve().parents[2]
    return repo_root / ".." / "shared" / "data" / "factors"


def published_file(name: str) -> Path:
    """Return the path of a publisher file, or skip the test when it is absent."""
    path = factor_files_dir() / name
    if not path.is_file():
        pytest.skip(f"publisher factor files not found at {factor_files_dir()}")
    return path


@cache
def _parse_desnz(path: Path) -> ParsedFactorFile:
    return parse_desnz_flat_file(path)


@cache
def _parse_epa(path: Path) -> ParsedFactorFile:
    return parse_epa_hub(path)


def desnz(year: int) -> ParsedFactorFile:
    """Return the parsed DESNZ flat file of an edition (parsed once per run)."""
    return _parse_desnz(published_file(DESNZ_FILES[year]))


def epa() -> ParsedFactorFile:
    """Return the parsed EPA Emission Factors Hub 2025."""
    return _parse_epa(published_file(EPA_FILE))
