from decimal import Decimal as D

import pytest

from emissions.calculations import FactorValue, calculate_emissions
from emissions.units import KG_PER_LB
from tests.emissions.published import epa

pytestmark = pytest.mark.published_files

T1 = "epa hub|table 1|stationary combustion|"


@pytest.mark.parametrize(
    ("key", "gases"),
    [
        (
            T1 + "natural gas|natural gas|mmBtu",
            {"CO2": D("53.06"), "CH4": D("0.001"), "N2O": D("0.0001")},
        ),
        (
            T1 + "natural gas|natural gas|scf",
            {"CO2": D("0.05444"), "CH4": D("0.00000103"), "N2O": D("0.0000001")},
        ),
        (
            T1 + "coal and coke|anthracite|short_ton",
            {"CO2": D("2602"), "CH4": D("0.276"), "N2O": D("0.04")},
        ),
        (
            T1 + "petroleum products|distillate fuel oil no. 2|US_gallon",
            {"CO2": D("10.21"), "CH4": D("0.00041"), "N2O": D("0.00008")},
        ),
        (
            "epa hub|table 2|mobile combustion|diesel fuel|US_gallon",
            {"CO2": D("10.21")},
        ),
        (
            "epa hub|table 7|steam and heat|steam and heat|mmBtu",
            {"CO2": D("66.33"), "CH4": D("0.00125"), "N2O": D("0.000125")},
        ),
        (
            "epa hub|table 10|business travel and commuting|bus|passenger_mile",
            {"CO2": D("0.066"), "CH4": D("0.0000046"), "N2O": D("0.0000019")},
        ),
    ],
)
def test_epa_factors_are_kg_of_gas_per_unit(key, gases):
    factor = epa().by_key()[key]
    assert factor.gases == gases
    assert factor.co2e is None
    assert factor.gas_basis == "mass"


def test_egrid_pounds_per_mwh_become_kilograms():
    factor = epa().by_key()[
        "epa hub|table 6|electricity|egrid total output|us average|us average|MWh"
    ]
    assert factor.unit == "MWh"
    assert factor.gases["CO2"] == D("771.523") * KG_PER_LB
    assert factor.gases["CH4"] == D("0.057") * KG_PER_LB
    assert factor.gases["N2O"] == D("0.008") * KG_PER_LB


def test_egrid_has_every_subregion():
    keys = [k for k in epa().by_key() if "|egrid total output|" in k]
    assert len(keys) == 28


def test_on_road_diesel_car_ch4_and_n2o_per_vehicle_mile():
    factor = epa().by_key()[
        "epa hub|table 4|on-road ch4 and n2o|passenger cars|diesel|2007-2022"
        "|vehicle_mile"
    ]
    assert factor.gases == {"CH4": D("0.0000302"), "N2O": D("0.0000192")}


def test_edition_and_gwp_basis():
    parsed = epa()
    assert parsed.edition_year == 2025
    assert parsed.gwp_basis == "AR5"
    assert "January 15, 2025" in parsed.version


def test_epa_natural_gas_with_ar5_matches_hand_calculation():
    row = epa().by_key()[T1 + "natural gas|natural gas|mmBtu"]
    factor = FactorValue(co2e=None, unit=row.unit, gases=row.gases, gas_basis="mass")
    result = calculate_emissions(quantity=D("1000"), unit="mmBtu", factor=factor)
    # 53060 kg CO2 + 1 kg CH4 x 28 + 0.1 kg N2O x 265
    assert result.kg_co2e == D("53060") + D("28") + D("26.5")
