"""Shared pieces of the factor-file parsers: result types, cells, keys."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from carbonledger.lib.ooxml import UnsafeXml, check_file_xml

__all__ = [
    "FactorFileError",
    "UnsafeFactorFile",
    "ParsedFactor",
    "ParsedFactorFile",
    "cell_text",
    "decimal_from_cell",
    "factor_key",
    "normalise_label",
    "open_workbook",
    "sha256_of",
]

# Spreadsheet numbers are binary floats; published factors have at most about
# ten significant digits, while float noise sits in the 16th and 17th. Rounding
# to 12 significant digits keeps every published digit and drops the noise:
# 0.21233000000000002 -> 0.21233.
SIGNIFICANT_DIGITS = 12
_ROUND = Context(prec=SIGNIFICANT_DIGITS)


class FactorFileError(ValueError):
    """Raised when a file is not a factor table this parser can read."""


class UnsafeFactorFile(FactorFileError):
    """Raised when a workbook declares XML entities (a bomb or an external file)."""


@dataclass(frozen=True)
class ParsedFactor:
    """One factor: a category path, a column text, an activity unit and values."""

    key: str
    scope_label: str
    path: tuple[str, ...]
    column_text: str
    unit: str
    unit_label: str
    co2e: Decimal | None
    gases: dict[str, Decimal]
    gas_basis: str
    source_note: str
    # Provenance of a grid-factor row (empty for the other layouts).
    publication: str = ""
    edition: str = ""
    table_or_page: str = ""
    source_url: str = ""
    gases_covered: str = ""
    verification: str = ""
    verification_note: str = ""


@dataclass
class ParsedFactorFile:
    """A whole published factor table with its metadata."""

    publisher: str
    name: str
    edition_year: int
    version: str
    region: str
    source_url: str
    licence: str
    gwp_basis: str
    checksum_sha256: str
    rows: list[ParsedFactor] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def by_key(self) -> dict[str, ParsedFactor]:
        """Return the rows indexed by their key."""
        return {row.key: row for row in self.rows}


def sha256_of(path: Path) -> str:
    """Return the SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def open_workbook(path: Path):  # noqa: ANN201 - calamine has no stub types
    """Open an .xls/.xlsx/.ods workbook with calamine or raise FactorFileError."""
    from python_calamine import CalamineWorkbook

    from emissions.factor_files.limits import check_workbook_size

    if not path.is_file():
        raise FactorFileError(f"Factor file not found: {path}")
    check_workbook_size(path)
    try:
        check_file_xml(path)
    except UnsafeXml as exc:
        raise UnsafeFactorFile(
            f"{path.name}: the part {exc} declares XML entities; refused as unsafe."
        ) from None
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated error types
        raise FactorFileError(
            f"{path.name} is not a readable spreadsheet (.xls, .xlsx or .ods): {exc}"
        ) from exc


def cell_text(value: object) -> str:
    """Return a cell as stripped text; floats that are whole print as integers."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).replace("\xa0", " ").split())


def decimal_from_cell(value: object, *, decimal_comma: bool = False) -> Decimal | None:
    """Return a cell's number as Decimal, None when blank; raise ValueError if text.

    Floats go through repr() (the shortest string that round-trips) and are
    rounded to 12 significant digits to remove binary float noise.
    """
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number: {value!r}")
        return _tidy(_ROUND.plus(Decimal(repr(value))))
    text = str(value).replace("\xa0", " ").strip()
    if not text:
        return None
    if decimal_comma:
        text = text.replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return _tidy(number)


def _tidy(number: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation."""
    normal = number.normalize()
    if normal.as_tuple().exponent > 0:  # type: ignore[operator]
        return normal.quantize(Decimal(1))
    return normal


_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_TIGHT = re.compile(r"\s*([-/])\s*")
_OPEN = re.compile(r"\s*\(\s*")
_CLOSE = re.compile(r"\s*\)")
_COMMA = re.compile(r"\s*([,;:])\s*")


# A published table repeats a few hundred labels across thousands of rows,
# and every key normalises each of its segments.
@lru_cache(maxsize=8192)
def normalise_label(text: str) -> str:
    """Return a label lowercased with dashes, spacing and punctuation unified."""
    text = _DASHES.sub("-", text.replace("\xa0", " ")).lower()
    text = text.replace("&", " and ").replace("\u2019", "'")
    # "Business travel- air" and "Business travel - air" are the same label.
    text = _TIGHT.sub(r"\1", text)
    text = _OPEN.sub(" (", text)
    text = _CLOSE.sub(")", text)
    text = _COMMA.sub(r"\1 ", text)
    return " ".join(text.split()).strip(" .")


def factor_key(segments: list[str] | tuple[str, ...], unit: str) -> str:
    """Return the stable key: normalised non-blank segments and the unit code."""
    parts = [normalise_label(s) for s in segments if s and s.strip()]
    return "|".join([*parts, unit])
