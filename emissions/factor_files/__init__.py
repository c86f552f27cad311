"""Parsers for published emission-factor tables; pure, no database access."""

from emissions.factor_files.common import (
    FactorFileError,
    ParsedFactor,
    ParsedFactorFile,
    UnsafeFactorFile,
)
from emissions.factor_files.desnz import desnz_key, parse_desnz_flat_file
from emissions.factor_files.epa import parse_epa_hub
from emissions.factor_files.generic import parse_generic_factor_file

__all__ = [
    "FactorFileError",
    "ParsedFactor",
    "ParsedFactorFile",
    "desnz_key",
    "parse_desnz_flat_file",
    "parse_epa_hub",
    "parse_generic_factor_file",
    "UnsafeFactorFile",
]
