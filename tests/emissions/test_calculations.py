from decimal import Decimal as D

import pytest

from emissions.calculations import (
    CalculationError,
    FactorValue,
    InstrumentCover,
    calculate_emissions,
    change,
    cumulative_reduction,
    embodied_annual_kg,
    equity_share,
    factor_effect_split,
    scope2_location_based,
    scope2_market_based,
    server_energy_kwh,
    transmission_and_distribution_losses,
    well_to_tank,
)
from emissions.units import UnitConversionError

# DESNZ 2025 natural gas, kWh (Gross CV): total and kg CO2e of each gas.
NATURAL_GAS_2025 = FactorValue(
    co2e=D("0.18296"),
    unit="kWh_gross",
    gases={"CO2": D("0.18259"), "CH4": D("0.00028"), "N2O": D("0.00009")},
    gas_basis="co2e",
)
# EPA Hub 2025 Table 1 natural gas per mmBtu: kg CO2, 1 g CH4, 0.1 g N2O.
EPA_NATURAL_GAS = FactorValue(
    co2e=None,
    unit="mmBtu",
    gases={"CO2": D("53.06"), "CH4": D("0.001"), "N2O": D("0.0001")},
    gas_basis="mass",
)


@pytest.mark.parametrize(
    ("quantity", "unit", "expected_kg", "expected_converted"),
    [
        (D("10000"), "kWh_gross", D("1829.6"), D("10000")),
        (D("10"), "MWh_gross", D("1829.6"), D("10000")),
        (D("0"), "kWh_gross", D("0"), D("0")),
    ],
)
def test_published_co2e_is_used_for_desnz_factor(
    quantity, unit, expected_kg, expected_converted
):
    result = calculate_emissions(quantity=quantity, unit=unit, factor=NATURAL_GAS_2025)
    assert result.kg_co2e == expected_kg
    assert result.converted_quantity == expected_converted
    assert result.method == "published_co2e"
    assert result.gwp_set is None


def test_per_gas_co2e_parts_are_reported_beside_the_published_total():
    result = calculate_emissions(
        quantity=D("10000"), unit="kWh_gross", factor=NATURAL_GAS_2025
    )
    assert result.kg_by_gas == {"CO2": D("1825.9"), "CH4": D("2.8"), "N2O": D("0.9")}
    assert result.t_co2e == D("1.8296")


def test_published_total_wins_even_when_gases_do_not_add_up():
    factor = FactorValue(
        co2e=D("1.00"), unit="kg", gases={"CO2": D("0.90")}, gas_basis="co2e"
    )
    result = calculate_emissions(quantity=D("2"), unit="kg", factor=factor)
    assert result.kg_co2e == D("2.00")
    assert result.kg_by_gas == {"CO2": D("1.80")}


@pytest.mark.parametrize(
    ("gwp_set", "expected"),
    [
        # 100 mmBtu: 5306 kg CO2 + 0.1 kg CH4 x GWP + 0.01 kg N2O x GWP
        ("AR5", D("5306") + D("2.8") + D("2.65")),
        ("AR4", D("5306") + D("2.5") + D("2.98")),
        ("AR6", D("5306") + D("2.98") + D("2.73")),
    ],
)
def test_mass_basis_gases_are_weighted_with_the_chosen_gwp_set(gwp_set, expected):
    result = calculate_emissions(
        quantity=D("100"), unit="mmBtu", factor=EPA_NATURAL_GAS, gwp_set=gwp_set
    )
    assert result.kg_co2e == expected
    assert result.method == "gas_weighted"
    assert result.gwp_set == gwp_set


def test_quantity_is_converted_into_the_factor_unit_before_multiplying():
    # 1000 therm = 100 mmBtu exactly (both are multiples of the Btu IT).
    result = calculate_emissions(
        quantity=D("1000"), unit="therm", factor=EPA_NATURAL_GAS
    )
    assert result.converted_quantity == D("100")
    assert result.kg_co2e == D("5311.45")


def test_prefer_gases_recomputes_a_mass_factor_with_the_organisation_gwp():
    factor = FactorValue(
        co2e=D("2.0"),
        unit="litre",
        gases={"CO2": D("1.9"), "CH4": D("0.001")},
        gas_basis="mass",
    )
    published = calculate_emissions(quantity=D("10"), unit="litre", factor=factor)
    weighted = calculate_emissions(
        quantity=D("10"), unit="litre", factor=factor, prefer_gases=True
    )
    assert published.kg_co2e == D("20.0")
    assert weighted.kg_co2e == D("19.0") + D("0.28")
    assert weighted.method == "gas_weighted"


def test_prefer_gases_does_not_override_a_co2e_basis_factor():
    result = calculate_emissions(
        quantity=D("1"), unit="kWh_gross", factor=NATURAL_GAS_2025, prefer_gases=True
    )
    assert result.method == "published_co2e"


def test_co2e_basis_gases_sum_when_no_total_is_published():
    factor = FactorValue(
        co2e=None, unit="kg", gases={"CO2": D("1.5"), "CH4": D("0.25")}
    )
    result = calculate_emissions(quantity=D("4"), unit="kg", factor=factor)
    assert result.kg_co2e == D("7.00")
    assert result.gwp_set is None


def test_negative_quantity_is_rejected():
    with pytest.raises(CalculationError, match="must not be negative"):
        calculate_emissions(quantity=D("-1"), unit="kWh_gross", factor=NATURAL_GAS_2025)


def test_factor_without_any_value_is_rejected():
    with pytest.raises(CalculationError, match="neither a CO2e value"):
        calculate_emissions(
            quantity=D("1"), unit="kg", factor=FactorValue(co2e=None, unit="kg")
        )


def test_net_cv_quantity_against_gross_cv_factor_raises_conversion_error():
    with pytest.raises(UnitConversionError):
        calculate_emissions(quantity=D("1"), unit="kWh_net", factor=NATURAL_GAS_2025)


def test_float_quantity_is_rejected():
    with pytest.raises(CalculationError, match="must be a Decimal"):
        calculate_emissions(quantity=1.0, unit="kWh_gross", factor=NATURAL_GAS_2025)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("consumption", "instruments", "residual", "covered", "uncovered", "kg", "over"),
    [
        # 100 MWh used, 60 MWh of GOs at 0: 40 000 kWh x 0.5 residual mix.
        (
            D("100000"),
            [InstrumentCover(D("60"), D("0"))],
            D("0.5"),
            D("60000"),
            D("40000"),
            D("20000.0"),
            D("0"),
        ),
        # Over-cover: 150 MWh of GOs for 100 MWh used is capped, never negative.
        (
            D("100000"),
            [InstrumentCover(D("150"), D("0"))],
            D("0.5"),
            D("100000"),
            D("0"),
            D("0.0"),
            D("50000"),
        ),
        # Two instruments in order, the second at a non-zero factor.
        (
            D("100000"),
            [InstrumentCover(D("30"), D("0")), InstrumentCover(D("50"), D("0.1"))],
            D("0.4"),
            D("80000"),
            D("20000"),
            D("5000.0") + D("8000.0"),
            D("0"),
        ),
        # No instruments: everything at the residual mix.
        (D("1000"), [], D("0.402"), D("0"), D("1000"), D("402.000"), D("0")),
    ],
)
def test_scope2_market_based_covers_with_instruments_then_residual_mix(
    consumption, instruments, residual, covered, uncovered, kg, over
):
    result = scope2_market_based(
        consumption_kwh=consumption,
        instruments=instruments,
        residual_mix_kg_per_kwh=residual,
    )
    assert (result.covered_kwh, result.uncovered_kwh) == (covered, uncovered)
    assert result.kg_co2e == kg
    assert result.over_covered_kwh == over
    assert len(result.covered_kwh_by_instrument) == len(instruments)
    assert sum(result.covered_kwh_by_instrument, D(0)) == covered


def test_each_instrument_covers_in_the_order_given():
    result = scope2_market_based(
        consumption_kwh=D("100000"),
        instruments=[
            InstrumentCover(mwh=D("60"), kg_co2e_per_kwh=D("0")),
            InstrumentCover(mwh=D("50"), kg_co2e_per_kwh=D("0")),
            InstrumentCover(mwh=D("5"), kg_co2e_per_kwh=D("0")),
        ],
        residual_mix_kg_per_kwh=D("0.4"),
    )
    assert result.covered_kwh_by_instrument == (D("60000"), D("40000"), D("0"))
    assert result.over_covered_kwh == D("15000")


def test_scope2_location_based_multiplies_by_the_grid_average():
    assert scope2_location_based(
        consumption_kwh=D("250000"), grid_kg_per_kwh=D("0.177")
    ) == D("44250.000")


def test_td_losses_and_wtt_are_simple_products():
    assert transmission_and_distribution_losses(
        consumption_kwh=D("1000"), td_factor_kg_per_kwh=D("0.01853")
    ) == D("18.53000")
    assert well_to_tank(quantity=D("10000"), wtt_factor_kg_per_unit=D("0.03021")) == D(
        "302.10000"
    )


def test_server_energy_includes_pue():
    # 10 servers x 350 W x 8760 h x PUE 1.4 / 1000 = 42 924 kWh
    assert server_energy_kwh(
        servers=D("10"), avg_power_watts=D("350"), hours=D("8760"), pue=D("1.4")
    ) == D("42924")


def test_server_energy_rejects_pue_below_one():
    with pytest.raises(CalculationError, match="PUE"):
        server_energy_kwh(
            servers=D("1"), avg_power_watts=D("1"), hours=D("1"), pue=D("0.9")
        )


def test_embodied_emissions_are_spread_straight_line_over_lifetime():
    assert embodied_annual_kg(
        embodied_kg_per_unit=D("1300"), lifetime_years=D("4"), units=D("12")
    ) == D("3900")
    with pytest.raises(CalculationError):
        embodied_annual_kg(
            embodied_kg_per_unit=D("1"), lifetime_years=D("0"), units=D("1")
        )


@pytest.mark.parametrize(
    ("base", "current", "absolute", "percent"),
    [
        (D("200"), D("150"), D("-50"), D("-25")),
        (D("80"), D("100"), D("20"), D("25")),
        (D("0"), D("10"), D("10"), None),
    ],
)
def test_change_gives_absolute_and_percent(base, current, absolute, percent):
    assert change(base, current) == (absolute, percent)


def test_cumulative_reduction_sums_base_minus_each_year():
    # "saved since 2019": (100-90) + (100-80) + (100-105) = 25
    assert cumulative_reduction(D("100"), [D("90"), D("80"), D("105")]) == D("25")


def test_equity_share_takes_the_percentage():
    assert equity_share(D("1000"), D("35")) == D("350")
    with pytest.raises(CalculationError):
        equity_share(D("1000"), D("101"))


@pytest.mark.parametrize(
    ("q0", "f0", "q1", "f1", "activity", "factor"),
    [
        # 1000 kWh x 0.2 -> 1200 kWh x 0.15: total -20
        (D("1000"), D("0.2"), D("1200"), D("0.15"), D("35.0"), D("-55.0")),
        (D("10"), D("2"), D("10"), D("3"), D("0"), D("10")),
        (D("10"), D("2"), D("15"), D("2"), D("10"), D("0")),
    ],
)
def test_factor_effect_split_adds_up_exactly(q0, f0, q1, f1, activity, factor):
    split = factor_effect_split(q0, f0, q1, f1)
    assert split.activity_effect == activity
    assert split.factor_effect == factor
    assert split.activity_effect + split.factor_effect == q1 * f1 - q0 * f0
    assert split.total_change == q1 * f1 - q0 * f0
