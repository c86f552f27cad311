from decimal import Decimal as D

import pytest

from emissions.gwp import GWP_SET_SOURCES, GWP_SETS, UnknownGasError, gwp


@pytest.mark.parametrize(
    ("gas", "gwp_set", "value"),
    [
        ("CO2", "AR4", D("1")),
        ("CH4", "AR4", D("25")),
        ("N2O", "AR4", D("298")),
        ("SF6", "AR4", D("22800")),
        ("HFC-134a", "AR4", D("1430")),
        ("CH4", "AR5", D("28")),
        ("N2O", "AR5", D("265")),
        ("SF6", "AR5", D("23500")),
        ("NF3", "AR5", D("16100")),
        ("HFC-23", "AR5", D("12400")),
        ("CF4", "AR5", D("6630")),
        ("CH4", "AR6", D("29.8")),
        ("CH4_non_fossil", "AR6", D("27.0")),
        ("N2O", "AR6", D("273")),
        ("HFC-32", "AR6", D("771")),
        ("HFC-125", "AR6", D("3740")),
        ("HFO-1234yf", "AR6", D("0.501")),
    ],
)
def test_gwp_returns_published_ipcc_values(gas, gwp_set, value):
    assert gwp(gas, gwp_set) == value


@pytest.mark.parametrize(
    ("blend", "gwp_set", "value"),
    [
        # 0.44 x 3170 + 0.52 x 4800 + 0.04 x 1300 (EPA Hub Table 12 rounds: 3943)
        ("R-404A", "AR5", D("3942.80")),
        # 0.23 x 677 + 0.25 x 3170 + 0.52 x 1300 (EPA: 1624)
        ("R-407C", "AR5", D("1624.21")),
        # 0.5 x 677 + 0.5 x 3170 (EPA: 1924)
        ("R-410A", "AR5", D("1923.50")),
        ("R-507A", "AR5", D("3985.00")),
        ("R-410A", "AR4", D("2087.50")),
        ("R-404A", "AR4", D("3921.60")),
        ("R-410A", "AR6", D("2255.50")),
        ("R-134a", "AR5", D("1300")),
        ("R-32", "AR6", D("771")),
        ("R-744", "AR6", D("1")),
    ],
)
def test_blend_gwp_is_mass_weighted_from_composition(blend, gwp_set, value):
    assert gwp(blend, gwp_set) == value


@pytest.mark.parametrize("spelling", ["R410A", "r-410a", "R 410A", "R-410A"])
def test_gwp_accepts_common_refrigerant_spellings(spelling):
    assert gwp(spelling, "AR5") == D("1923.50")


def test_gwp_raises_unknown_gas_error_with_message():
    with pytest.raises(UnknownGasError, match="No AR5 GWP for 'unobtainium'"):
        gwp("unobtainium", "AR5")


def test_gwp_raises_for_unknown_set_and_for_gases_not_assessed():
    with pytest.raises(UnknownGasError, match="Unknown GWP set"):
        gwp("CH4", "SAR")
    with pytest.raises(UnknownGasError, match="not assessed in AR4"):
        gwp("R-1234yf", "AR4")


def test_unknown_gas_error_is_a_key_error():
    assert issubclass(UnknownGasError, KeyError)


def test_every_set_has_a_source_and_only_decimal_values():
    for code, gwp_set in GWP_SETS.items():
        assert GWP_SET_SOURCES[code] == gwp_set.source
        assert all(isinstance(v, D) for v in gwp_set.values.values())
