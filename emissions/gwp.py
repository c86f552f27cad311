"""100-year global warming potentials (GWP-100) from IPCC AR4, AR5 and AR6.

Single gases are the published values. Refrigerant blends are not looked up:
they are computed from their composition by mass (ASHRAE 34 designations), as
the mass-weighted sum of their constituents' GWPs, so every set stays coherent.
Where a blend's constituent is not assessed in a set, the blend is absent too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "BLEND_COMPOSITION",
    "GWP_SETS",
    "GWP_SET_SOURCES",
    "GwpSet",
    "UnknownGasError",
    "gwp",
]


class UnknownGasError(KeyError):
    """Raised when a gas or a GWP set is not in the catalogue."""

    def __str__(self) -> str:
        # KeyError would otherwise print the message with quotes around it.
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class GwpSet:
    """One IPCC assessment's GWP-100 values, keyed by gas name."""

    code: str
    source: str
    values: Mapping[str, Decimal] = field(default_factory=dict)


GWP_SET_SOURCES: dict[str, str] = {
    "AR4": (
        "IPCC Fourth Assessment Report (2007), Working Group I, Chapter 2, "
        "Table 2.14, 100-year time horizon"
    ),
    "AR5": (
        "IPCC Fifth Assessment Report (2013), Working Group I, Chapter 8, "
        "Appendix 8.A, Table 8.A.1, 100-year GWP without climate-carbon feedback"
    ),
    "AR6": (
        "IPCC Sixth Assessment Report (2021), Working Group I, Chapter 7 "
        "Supplementary Material, Table 7.SM.7, 100-year GWP"
    ),
}

_D = Decimal
# fmt: off
_SINGLE: dict[str, dict[str, Decimal]] = {
    "AR4": {
        "CO2": _D("1"), "CH4": _D("25"), "CH4_non_fossil": _D("25"),
        "N2O": _D("298"), "SF6": _D("22800"), "NF3": _D("17200"),
        "HFC-23": _D("14800"), "HFC-32": _D("675"), "HFC-125": _D("3500"),
        "HFC-134a": _D("1430"), "HFC-143a": _D("4470"), "HFC-152a": _D("124"),
        "HFC-227ea": _D("3220"), "HFC-245fa": _D("1030"),
        "CF4": _D("7390"), "C2F6": _D("12200"),
        # HFO-1234yf was not assessed in AR4.
    },
    "AR5": {
        # AR5 gives 28 for methane; the fossil value of 30 is in a table note
        # and is not used by the GHG Protocol or EPA, so both entries are 28.
        "CO2": _D("1"), "CH4": _D("28"), "CH4_non_fossil": _D("28"),
        "N2O": _D("265"), "SF6": _D("23500"), "NF3": _D("16100"),
        "HFC-23": _D("12400"), "HFC-32": _D("677"), "HFC-125": _D("3170"),
        "HFC-134a": _D("1300"), "HFC-143a": _D("4800"), "HFC-152a": _D("138"),
        "HFC-227ea": _D("3350"), "HFC-245fa": _D("858"),
        "CF4": _D("6630"), "C2F6": _D("11100"),
        # Table 8.A.1 publishes "<1" for HFO-1234yf; 1 is the stated upper
        # bound, used so that leakage is never counted as zero.
        "HFO-1234yf": _D("1"),
    },
    "AR6": {
        "CO2": _D("1"), "CH4": _D("29.8"), "CH4_non_fossil": _D("27.0"),
        "N2O": _D("273"), "SF6": _D("25200"), "NF3": _D("17400"),
        "HFC-23": _D("14600"), "HFC-32": _D("771"), "HFC-125": _D("3740"),
        "HFC-134a": _D("1530"), "HFC-143a": _D("5810"), "HFC-152a": _D("164"),
        "HFC-227ea": _D("3600"), "HFC-245fa": _D("962"),
        "CF4": _D("7380"), "C2F6": _D("12400"),
        "HFO-1234yf": _D("0.501"),
    },
}
# fmt: on

# Mass fractions (ASHRAE Standard 34 compositions, as listed by US EPA SNAP).
BLEND_COMPOSITION: dict[str, dict[str, Decimal]] = {
    "R-404A": {"HFC-125": _D("0.44"), "HFC-143a": _D("0.52"), "HFC-134a": _D("0.04")},
    "R-407C": {"HFC-32": _D("0.23"), "HFC-125": _D("0.25"), "HFC-134a": _D("0.52")},
    "R-410A": {"HFC-32": _D("0.50"), "HFC-125": _D("0.50")},
    "R-507A": {"HFC-125": _D("0.50"), "HFC-143a": _D("0.50")},
    # Single-component refrigerants under their ASHRAE numbers.
    "R-134a": {"HFC-134a": _D("1")},
    "R-32": {"HFC-32": _D("1")},
    "R-1234yf": {"HFO-1234yf": _D("1")},
    "R-744": {"CO2": _D("1")},
}


def _build(code: str) -> GwpSet:
    values = dict(_SINGLE[code])
    for blend, parts in BLEND_COMPOSITION.items():
        if all(gas in values for gas in parts):
            weighted = (values[g] * share for g, share in parts.items())
            values[blend] = sum(weighted, _D(0))
    return GwpSet(code=code, source=GWP_SET_SOURCES[code], values=values)


GWP_SETS: dict[str, GwpSet] = {code: _build(code) for code in _SINGLE}

# Spellings seen in factor files and user input, mapped to catalogue names.
_ALIASES = {
    "methane": "CH4",
    "nitrous oxide": "N2O",
    "carbon dioxide": "CO2",
    "ch4_fossil": "CH4",
    "ch4 fossil": "CH4",
    "ch4 non-fossil": "CH4_non_fossil",
    "hfc-1234yf": "HFO-1234yf",
    "pfc-14": "CF4",
    "pfc-116": "C2F6",
}
_CANONICAL = {name.lower(): name for s in GWP_SETS.values() for name in s.values}


def _canonical_gas(gas: str) -> str:
    key = " ".join(gas.split()).lower()
    if key in _ALIASES:
        return _ALIASES[key]
    if key in _CANONICAL:
        return _CANONICAL[key]
    # "R410A", "r 410a" and "R-410A" all name the same refrigerant.
    compact = key.replace(" ", "").replace("-", "")
    if compact.startswith("r") and compact[1:2].isdigit():
        return _CANONICAL.get("r-" + compact[1:], gas)
    return gas


def gwp(gas: str, gwp_set: str) -> Decimal:
    """Return the GWP-100 of a gas or refrigerant in the named set."""
    try:
        values = GWP_SETS[gwp_set].values
    except KeyError:
        raise UnknownGasError(
            f"Unknown GWP set {gwp_set!r}; choose one of {', '.join(GWP_SETS)}."
        ) from None
    name = _canonical_gas(gas)
    try:
        return values[name]
    except KeyError:
        raise UnknownGasError(
            f"No {gwp_set} GWP for {gas!r}: the gas is unknown or was not "
            f"assessed in {gwp_set}."
        ) from None
