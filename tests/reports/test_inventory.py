"""Inventory figures against hand-computed values (tonnes CO2e, exact Decimal)."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import ConsolidationApproach
from emissions.models import (
    BaseYearRecalculation,
    CarbonCredit,
    ContractualInstrument,
    Metric,
    ReportingYear,
    Target,
)
from reports.selectors import effects_between, inventory_for_year, inventory_series
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(org, admin, admin2):
    osl = BusinessUnitFactory(organisation=org, code="OSL", country="NO")
    sto = BusinessUnitFactory(
        organisation=org, code="STO", country="SE", equity_share=60
    )
    for year, gas_kg, flight_kg in ((2019, "10000", "30000"), (2024, "8000", "20000")):
        entry(
            organisation=org,
            unit=osl,
            year=year,
            code="natural_gas",
            scope=1,
            kg=gas_kg,
            user=admin,
            gases={"CO2": "7000", "CH4": "1000"},
        )
        entry(
            organisation=org,
            unit=sto,
            year=year,
            code="flights",
            scope=3,
            category=6,
            kg=flight_kg,
            user=admin,
            quality="estimated",
        )
    # 2024 electricity: OSL 100 000 kWh at grid 0.011 = 1100 kg, residual 0.5 -> 50 000
    entry(
        organisation=org,
        unit=osl,
        year=2024,
        code="electricity",
        scope=2,
        kg="1100",
        market="50000",
        energy_kwh="100000",
        residual="0.5",
        user=admin,
    )
    # 2019 electricity: OSL 120 000 kWh, no instruments.
    entry(
        organisation=org,
        unit=osl,
        year=2019,
        code="electricity",
        scope=2,
        kg="1320",
        market="60000",
        energy_kwh="120000",
        residual="0.5",
        user=admin,
    )
    # STO 2024 district heating: market = location.
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="district_heating",
        scope=2,
        kg="2000",
        market="2000",
        energy_kwh="40000",
        user=admin,
    )
    year_2024 = ReportingYear.objects.get(organisation=org, year=2024)
    # Guarantees of origin for 60 MWh at 0, and 10 MWh at 0.02 kg/kWh.
    for mwh, factor in (("60", "0"), ("10", "0.02")):
        ContractualInstrument.objects.create(
            organisation=org,
            business_unit=osl,
            reporting_year=year_2024,
            kind="go",
            mwh=Decimal(mwh),
            kg_co2e_per_kwh=Decimal(factor),
            created_by=admin,
            updated_by=admin,
        )
    CarbonCredit.objects.create(
        organisation=org,
        claimed_year=year_2024,
        tonnes=Decimal("12.5"),
        standard="Gold Standard",
        project="Cookstoves",
        vintage=2023,
        retirement_date=datetime.date(2025, 2, 1),
        created_by=admin,
        updated_by=admin,
    )
    BaseYearRecalculation.objects.create(
        organisation=org,
        reason="structural",
        description="Acquisition",
        scope1_t=Decimal("2"),
        scope3_t=Decimal("1.5"),
        effective_date=datetime.date(2021, 1, 1),
        created_by=admin,
        updated_by=admin,
        approved_by=admin2,
        approved_at=datetime.datetime(2021, 2, 1, tzinfo=datetime.UTC),
    )
    BaseYearRecalculation.objects.create(
        organisation=org,
        reason="error",
        description="Not approved: ignored",
        scope1_t=Decimal("100"),
        effective_date=datetime.date(2022, 1, 1),
        created_by=admin,
        updated_by=admin,
    )
    for unit, fte, revenue, currency in (
        (osl, "40", "80", "MNOK"),
        (sto, "10", "25", "MSEK"),
    ):
        Metric.objects.create(
            organisation=org,
            business_unit=unit,
            reporting_year=year_2024,
            kind="fte",
            value=Decimal(fte),
            created_by=admin,
            updated_by=admin,
        )
        Metric.objects.create(
            organisation=org,
            business_unit=unit,
            reporting_year=year_2024,
            kind="revenue",
            unit=currency,
            value=Decimal(revenue),
            created_by=admin,
            updated_by=admin,
        )
    Target.objects.create(
        organisation=org,
        name="Halve",
        scopes="1+2+3",
        base_year=2019,
        target_year=2030,
        reduction_pct=Decimal("50"),
        created_by=admin,
        updated_by=admin,
    )
    return osl, sto


def test_scope_totals_and_market_based_scope2_apply_instruments_first(org, data):
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.scope1_t_co2e == Decimal("8")
    assert inv.scope2_location_t_co2e == Decimal("3.1")
    # OSL: 60 MWh at 0 + 10 MWh at 0.02 = 200 kg, 30 000 kWh at 0.5 = 15 000 kg;
    # STO district heating 2000 kg.
    assert inv.scope2_market_t_co2e == Decimal("17.2")
    assert inv.scope3_t_co2e == Decimal("20")
    assert inv.total_t_co2e == Decimal("45.2")
    assert inv.scope3_by_category == {6: Decimal("20")}
    assert inv.by_business_unit == {"OSL": Decimal("23.2"), "STO": Decimal("22")}
    assert inv.by_gas == {"CH4": Decimal("1"), "CO2": Decimal("7")}


def test_over_covering_instruments_never_make_scope2_negative(org, admin, data):
    osl, _ = data
    ContractualInstrument.objects.create(
        organisation=org,
        business_unit=osl,
        reporting_year=ReportingYear.objects.get(organisation=org, year=2024),
        kind="go",
        mwh=Decimal("500"),
        kg_co2e_per_kwh=Decimal("0"),
        created_by=admin,
        updated_by=admin,
    )
    inv = inventory_for_year(organisation=org, year=2024)
    # 60 MWh at 0 and 10 MWh at 0.02 cover 70 000 kWh, the extra 500 MWh the rest.
    assert inv.scope2_market_t_co2e == Decimal("2.2")


def test_location_based_headline_uses_grid_figures(org, data):
    org.scope2_headline = "location"
    org.save()
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.total_t_co2e == Decimal("31.1")


def test_base_year_comparison_uses_only_approved_recalculations(org, data):
    inv = inventory_for_year(organisation=org, year=2024)
    # 2019: 10 + 60 (market, no instruments) + 30 = 100 t; +2 +1.5 recalculated.
    assert inv.base_year_original_t_co2e == Decimal("100")
    assert inv.base_year_total_t_co2e == Decimal("103.5")
    assert inv.change_vs_base_year_t == Decimal("-58.3")
    assert inv.change_vs_base_year_pct.quantize(Decimal("0.0001")) == Decimal(
        "-56.3285"
    )
    assert inv.previous_year_total_t_co2e is None
    assert inv.cumulative_reduction_t_co2e == Decimal("58.3")


def test_credits_are_a_memo_line_never_subtracted(org, data):
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.credits_retired_t_co2e == Decimal("12.5")
    assert inv.total_t_co2e == Decimal("45.2")
    assert inv.net_after_credits_t_co2e == Decimal("32.7")


def test_equity_share_approach_weights_each_unit(org, data):
    org.consolidation_approach = ConsolidationApproach.EQUITY
    org.save()
    inv = inventory_for_year(organisation=org, year=2024)
    # STO at 60 %: flights 12 t, district heating 1.2 t.
    assert inv.by_business_unit == {"OSL": Decimal("23.2"), "STO": Decimal("13.2")}
    assert inv.scope3_t_co2e == Decimal("12")
    assert inv.total_t_co2e == Decimal("36.4")


def test_intensities_never_mix_currencies(org, data):
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.intensities["fte"] == Decimal("45.2") / Decimal("50")
    assert inv.intensities["revenue_MNOK"] == Decimal("23.2") / Decimal("80")
    assert inv.intensities["revenue_MSEK"] == Decimal("22") / Decimal("25")


def test_target_and_trajectory(org, data):
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.target_t_co2e == Decimal("51.75")
    # Straight line from 103.5 (2019) to 51.75 (2030): 5 of 11 years done.
    assert inv.target_trajectory_t_co2e == Decimal("103.5") - Decimal("51.75") * 5 / 11


def test_data_quality_shares(org, data):
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.data_quality_by_count == {"estimated": 1, "measured": 3}
    assert (
        inv.data_quality_by_kg["estimated"] == Decimal("20000") / Decimal("31100") * 100
    )


def test_factor_and_activity_effects_add_up_to_the_change(org, admin, data):
    osl, _ = data
    entry(
        organisation=org,
        unit=osl,
        year=2023,
        code="natural_gas",
        scope=1,
        kg="9000",
        quantity="50000",
        user=admin,
    )
    inv = inventory_for_year(organisation=org, year=2024)
    gas = next(e for e in inv.effects if e.code == "natural_gas")
    assert gas.previous_t == Decimal("9")
    assert gas.current_t == Decimal("8")
    assert gas.activity_effect_t + gas.factor_effect_t == Decimal("-1")


def test_one_business_unit_and_series(org, data):
    osl, _ = data
    inv = inventory_for_year(organisation=org, year=2024, business_unit=osl)
    assert inv.total_t_co2e == Decimal("23.2")
    assert inv.credits_retired_t_co2e == Decimal("0")
    series = inventory_series(organisation=org)
    assert sorted(series) == [2019, 2024]
    # The base year is the recalculated one: 100 t entered + 3.5 t approved.
    assert series[2019].total_t == Decimal("103.5")


def test_other_organisations_entries_never_count(org, other_org, outsider, data):
    unit = BusinessUnitFactory(organisation=other_org, code="X")
    entry(
        organisation=other_org,
        unit=unit,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="999999",
        user=outsider,
    )
    assert inventory_for_year(organisation=org, year=2024).scope1_t_co2e == Decimal("8")


def test_top_sources_add_up_lines_of_every_data_quality(org, admin, data):
    _, sto = data
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="500",
        quantity="250",
        user=admin,
        quality="estimated",
    )
    inv = inventory_for_year(organisation=org, year=2024)
    # Scope 2 by the headline method (market-based): OSL's electricity is
    # 60 MWh at 0 + 10 MWh at 0.02 + 30 000 kWh at the 0.5 residual mix.
    assert [(s.code, s.scope, s.quantity, s.t_co2e) for s in inv.top_sources] == [
        ("flights", 3, Decimal("1000"), Decimal("20")),
        ("electricity", 2, Decimal("1000"), Decimal("15.2")),
        ("natural_gas", 1, Decimal("1250"), Decimal("8.5")),
        ("district_heating", 2, Decimal("1000"), Decimal("2")),
    ]
    electricity = inv.top_sources[1]
    assert (electricity.t_co2e_location, electricity.t_co2e_market) == (
        Decimal("1.1"),
        Decimal("15.2"),
    )
    assert inv.top_sources[0].scope3_category == 6
    assert inv.iso_by_category == {1: Decimal("31.6")}
    assert inv.entry_count == 5
    assert inv.data_quality_by_count == {"estimated": 2, "measured": 3}
    assert (
        inv.data_quality_by_kg["measured"] == Decimal("11100") / Decimal("31600") * 100
    )


def test_top_sources_and_gases_follow_the_equity_share(org, admin, data):
    _, sto = data
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="refrigerant",
        scope=1,
        kg="3000",
        user=admin,
        gases={"HFC-134a": "3000", "not-a-gas": "n/a"},
    )
    org.consolidation_approach = ConsolidationApproach.EQUITY
    org.save()
    inv = inventory_for_year(organisation=org, year=2024)
    # STO at 60 %: flights 12 t, refrigerant 1.8 t; OSL's natural gas and its
    # market-based electricity (15.2 t) in full.
    assert [(s.code, s.t_co2e) for s in inv.top_sources][:4] == [
        ("electricity", Decimal("15.2")),
        ("flights", Decimal("12")),
        ("natural_gas", Decimal("8")),
        ("refrigerant", Decimal("1.8")),
    ]
    # Keys that are not gases are ignored.
    assert inv.by_gas == {
        "CH4": Decimal("1"),
        "CO2": Decimal("7"),
        "HFC-134a": Decimal("1.8"),
    }


def test_previous_year_change_and_effects_of_types_new_this_year(org, admin, data):
    osl, _ = data
    entry(
        organisation=org,
        unit=osl,
        year=2023,
        code="natural_gas",
        scope=1,
        kg="9000",
        quantity="50000",
        user=admin,
    )
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.previous_year_total_t_co2e == Decimal("9")
    assert inv.change_vs_previous_year_pct == (Decimal("45.2") - 9) / 9 * 100
    assert sorted(inv.series) == [2019, 2023, 2024]
    effects = {e.code: e for e in inv.effects}
    assert list(effects) == [
        "district_heating",
        "electricity",
        "flights",
        "natural_gas",
    ]
    # 50 000 at 0.18 kg, then 1000 at 8 kg: (1000 - 50 000) x 8.18 / 2 and
    # (8 - 0.18) x 51 000 / 2.
    gas = effects["natural_gas"]
    assert gas.activity_effect_t == Decimal("-200.41")
    assert gas.factor_effect_t == Decimal("199.41")
    flights = effects["flights"]
    assert (flights.previous_t, flights.current_t) == (Decimal("0"), Decimal("20"))
    assert flights.activity_effect_t == Decimal("20")
    assert flights.factor_effect_t == Decimal("0")
    assert effects_between(organisation=org, previous=2023, current=2024) == (
        inv.effects
    )


def test_one_business_unit_has_only_its_own_detail(org, admin, data):
    _, sto = data
    inv = inventory_for_year(organisation=org, year=2024, business_unit=sto)
    assert inv.by_business_unit == {"STO": Decimal("22")}
    assert inv.business_unit_names == {"STO": sto.name}
    assert [s.code for s in inv.top_sources] == ["flights", "district_heating"]
    assert inv.by_gas == {}
    assert inv.data_quality_by_count == {"estimated": 1, "measured": 1}
    assert inv.series[2019].total_t == Decimal("30")


def test_a_year_without_entries_is_empty_not_an_error(org, data):
    inv = inventory_for_year(organisation=org, year=2030)
    assert inv.total_t_co2e == Decimal("0")
    assert inv.year_status == "open"
    assert (inv.by_gas, inv.top_sources, inv.effects) == ({}, [], [])
    assert inv.entry_count == 0
    assert sorted(inv.series) == [2019, 2024]


def test_equity_weighted_gases_keep_fractions_of_a_kilogram(org, admin):
    half = BusinessUnitFactory(organisation=org, code="HALF", equity_share=50)
    entry(
        organisation=org,
        unit=half,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="47",
        user=admin,
        gases={"CO2": "47"},
    )
    org.consolidation_approach = ConsolidationApproach.EQUITY
    org.save()
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.scope1_t_co2e == Decimal("0.0235")
    assert inv.by_gas == {"CO2": Decimal("0.0235")}


def _recalculation(org, admin, admin2, unit, **scopes) -> BaseYearRecalculation:
    return BaseYearRecalculation.objects.create(
        organisation=org,
        business_unit=unit,
        reason="structural",
        description="Acquisition of a unit",
        effective_date=datetime.date(2021, 1, 1),
        created_by=admin,
        updated_by=admin,
        approved_by=admin2,
        approved_at=datetime.datetime(2021, 2, 1, tzinfo=datetime.UTC),
        **{name: Decimal(value) for name, value in scopes.items()},
    )


def test_a_recalculation_counts_only_in_its_units_base_year(org, admin, admin2, data):
    osl, sto = data
    # On top of the fixture's 3.5 t not allocated to a unit: 6 t for STO.
    _recalculation(org, admin, admin2, sto, scope1_t="4", scope2_market_t="2")
    whole = inventory_for_year(organisation=org, year=2024)
    oslo = inventory_for_year(organisation=org, year=2024, business_unit=osl)
    stockholm = inventory_for_year(organisation=org, year=2024, business_unit=sto)
    # OSL 2019: 10 t gas + 60 t market-based electricity, nothing recalculated.
    assert oslo.base_year_total_t_co2e == Decimal("70")
    assert oslo.base_year_adjustment is None
    assert oslo.change_vs_base_year_pct == (Decimal("23.2") - 70) / 70 * 100
    # STO 2019: 30 t flights + 6 t recalculated.
    assert stockholm.base_year_original_t_co2e == Decimal("30")
    assert stockholm.base_year_total_t_co2e == Decimal("36")
    assert stockholm.series[2019].total_t == Decimal("36")
    # The whole: 100 t entered + 3.5 t not allocated + 6 t for STO.
    assert whole.base_year_total_t_co2e == Decimal("109.5")
    assert [
        (line.code, line.original_t, line.adjustment_t, line.recalculated_t)
        for line in whole.base_year_by_unit
    ] == [
        ("OSL", Decimal("70"), Decimal("0"), Decimal("70")),
        ("STO", Decimal("30"), Decimal("6"), Decimal("36")),
        ("", Decimal("0"), Decimal("3.5"), Decimal("3.5")),
    ]
    assert whole.base_year_units_total_t == whole.base_year_total_t_co2e
    # The year table's base year is the recalculated one, its parts apart.
    assert whole.series[2019].total_t == Decimal("109.5")
    assert whole.base_year_original.total_t == Decimal("100")
    assert whole.base_year_adjustment.total_t == Decimal("9.5")
    # Cumulative reduction since 2019 (one year, 2024) adds up over the units.
    assert whole.cumulative_reduction_t_co2e == Decimal("109.5") - Decimal("45.2")
    assert oslo.cumulative_reduction_t_co2e + stockholm.cumulative_reduction_t_co2e + (
        Decimal("3.5")
    ) == (whole.cumulative_reduction_t_co2e)


def test_a_parent_unit_is_the_roll_up_of_its_subtree(org, admin, admin2, data):
    osl, sto = data
    nordics = BusinessUnitFactory(organisation=org, code="NORDICS", country="NO")
    market = BusinessUnitFactory(organisation=org, code="SE", parent=nordics)
    osl.parent = nordics
    osl.save()
    sto.parent = market
    sto.save()
    _recalculation(org, admin, admin2, sto, scope3_t="2")
    inv = inventory_for_year(organisation=org, year=2024, business_unit=nordics)
    # OSL 23.2 t and STO (a grandchild) 22 t; the credits stay the organisation's.
    assert inv.total_t_co2e == Decimal("45.2")
    assert inv.by_business_unit == {"OSL": Decimal("23.2"), "STO": Decimal("22")}
    assert inv.scope2_market_t_co2e == Decimal("17.2")
    assert inv.base_year_total_t_co2e == Decimal("102")
    assert inv.intensities["revenue_MNOK"] == Decimal("23.2") / Decimal("80")
    middle = inventory_for_year(organisation=org, year=2024, business_unit=market)
    assert (middle.total_t_co2e, middle.base_year_total_t_co2e) == (
        Decimal("22"),
        Decimal("32"),
    )


def test_gas_table_attributes_every_tonne_to_the_kyoto_gases(org, admin, data):
    _, sto = data
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="refrigerant_r410a",
        scope=1,
        kg="2088",
        user=admin,
        gases={"R-410A": "2088"},
    )
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="biogas",
        scope=1,
        kg="6658",
        user=admin,
        gases={"CH4_non_fossil": "28", "CF4": "6630", "SF6": "0"},
    )
    inv = inventory_for_year(organisation=org, year=2024)
    # 45.2 t + 2.088 t of R-410A (HFCs) + 6.658 t of biogenic methane and CF4.
    assert inv.total_t_co2e == Decimal("53.946")
    # CO2: natural gas 7 t by its per-gas figures, and 37.2 t whose factors
    # give a CO2e total only: flights 20 t, electricity 15 t at the residual
    # mix (none in the library: the grid factor's gases), district heating
    # 2 t and the 10 MWh of instruments at 0.02 kg/kWh, 0.2 t.
    assert inv.gas_table == {
        "CO2": Decimal("44.2"),
        "CH4": Decimal("1.028"),
        "N2O": Decimal("0"),
        "HFCs": Decimal("2.088"),
        "PFCs": Decimal("6.63"),
        "SF6": Decimal("0"),
        "NF3": Decimal("0"),
    }
    assert sum(inv.gas_table.values()) == inv.total_t_co2e
    assert "R-410A" not in inv.gas_table
    assert inv.co2e_only.t_co2e == Decimal("37.2")
    assert [(s.code, s.t_co2e) for s in inv.co2e_only.sources] == [
        ("flights", Decimal("20")),
        ("electricity", Decimal("15")),
        ("district_heating", Decimal("2")),
        ("instruments", Decimal("0.2")),
    ]


def _curated_factor(key: str, value: str, gases_covered: str):
    from emissions.models import EmissionFactor, FactorSet

    factor_set, _ = FactorSet.objects.get_or_create(
        organisation=None,
        kind="curated",
        edition_year=2024,
        defaults={"publisher": "Test", "name": "Grid factors"},
    )
    return EmissionFactor.objects.create(
        factor_set=factor_set,
        key=key,
        level1=key.split("|")[0],
        level2=key.split("|")[1],
        unit="kWh",
        co2e=Decimal(value),
        gases_covered=gases_covered,
    )


def test_factors_of_co2_only_count_as_co2_exactly(org, admin, data):
    """A residual mix or grid factor counting CO2 only is not attributed."""
    osl, sto = data
    # Norway's residual mix (NVE's, the default there) counts CO2 only, so
    # Oslo's market-based electricity is CO2 as published.
    _curated_factor("residual_mix|NO|national", "0.5", "co2")
    grid = _curated_factor("grid_location|SE", "0.04", "co2")
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="server_energy",
        scope=2,
        kg="400",
        market="400",
        energy_kwh="10000",
        user=admin,
        factor=grid,
    )
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.total_t_co2e == Decimal("45.6")
    # Gas 7 t, Oslo's 15 t at the residual mix and Stockholm's servers 0.4 t
    # are CO2 as published; flights, heating and the instruments attributed.
    assert inv.gas_table["CO2"] == Decimal("44.6")
    assert inv.co2e_only.t_co2e == Decimal("22.2")
    assert [(s.code, s.t_co2e) for s in inv.co2e_only.sources] == [
        ("flights", Decimal("20")),
        ("district_heating", Decimal("2")),
        ("instruments", Decimal("0.2")),
    ]
    assert sum(inv.gas_table.values()) == inv.total_t_co2e


def test_location_based_headline_counts_the_grid_factors_gases(org, admin, data):
    org.scope2_headline = "location"
    org.save()
    inv = inventory_for_year(organisation=org, year=2024)
    # 8 + 3.1 + 20: electricity 1.1 t and heating 2 t at their CO2e factors.
    assert inv.total_t_co2e == Decimal("31.1")
    assert (inv.gas_table["CO2"], inv.gas_table["CH4"]) == (
        Decimal("30.1"),
        Decimal("1"),
    )
    assert [(s.code, s.t_co2e) for s in inv.co2e_only.sources] == [
        ("flights", Decimal("20")),
        ("district_heating", Decimal("2")),
        ("electricity", Decimal("1.1")),
    ]


def test_kyoto_gas_table_splits_blends_of_two_groups_by_gwp():
    from reports.selectors import kyoto_gas_table

    # R-744 is CO2; an unknown key is returned apart.
    table, unknown = kyoto_gas_table(
        {"R-744": Decimal("1"), "R-404A": Decimal("3"), "X": Decimal("5")},
        gwp_set="AR5",
    )
    assert (table["CO2"], table["HFCs"], unknown) == (
        Decimal("1"),
        Decimal("3"),
        Decimal("5"),
    )


def test_each_intensity_says_which_units_it_covers(org, data):
    inv = inventory_for_year(organisation=org, year=2024)
    lines = {line.key: line for line in inv.intensity_lines}
    assert (lines["fte"].covers_all, lines["fte"].business_units) == (
        True,
        ("OSL", "STO"),
    )
    assert lines["fte"].t_per_unit == Decimal("45.2") / Decimal("50")
    revenue = lines["revenue_MSEK"]
    assert (revenue.covers_all, revenue.business_units, revenue.unit) == (
        False,
        ("STO",),
        "MSEK",
    )
    assert (revenue.emissions_t, revenue.value) == (Decimal("22"), Decimal("25"))


def test_iso_categories_both_ways_add_up_to_each_total(org, data):
    inv = inventory_for_year(organisation=org, year=2024)
    assert sum(inv.iso_by_category.values()) == inv.total_location_t_co2e
    assert sum(inv.iso_by_category_market.values()) == inv.total_market_t_co2e
    assert inv.iso_by_category_headline == inv.iso_by_category_market
    assert sum(line.t_co2e for line in inv.sources) == inv.total_t_co2e


def test_eco_lighthouse_reads_the_dashboards_figures(org, admin, data):
    import io

    import openpyxl

    from reports.kinds.eco_lighthouse import eco_lighthouse_xlsx

    _, sto = data
    # Well-to-tank diesel is scope 3 category 3: not transport.
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="wtt_diesel",
        scope=3,
        category=3,
        kg="1000",
        user=admin,
    )
    org.consolidation_approach = ConsolidationApproach.EQUITY
    org.save()
    inv = inventory_for_year(organisation=org, year=2024)
    sheet = openpyxl.load_workbook(
        io.BytesIO(eco_lighthouse_xlsx(organisation=org, year=2024))
    ).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0]]
    sections = [row[0] for row in rows if row[1] is None and row[0][0].isupper()]
    section = None
    placed = {}
    for row in rows:
        if row[0] in sections:
            section = row[0]
        elif row[0] in ("Wtt diesel", "Flights"):
            placed[row[0]] = (section, row)
    assert placed["Wtt diesel"][0] == "Øvrige utslipp"
    # STO at 60 %: flights 12 t, well-to-tank 0.6 t.
    assert placed["Flights"][0] == "Transport og reiser (scope 3)"
    assert Decimal(str(placed["Flights"][1][3])) == Decimal("12000")
    assert Decimal(str(placed["Wtt diesel"][1][3])) == Decimal("600")
    totals = {row[0]: Decimal(str(row[1])) for row in rows if "totalt" in row[0]}
    assert totals == {
        "Klimagassutslipp totalt (tonn CO2e, scope 2 markedsbasert, hovedtall)": (
            inv.total_t_co2e
        ),
        "Klimagassutslipp totalt (tonn CO2e, scope 2 lokasjonsbasert)": (
            inv.total_location_t_co2e
        ),
    }


def test_scope2_per_gas_figures_do_not_count_under_a_market_based_headline(
    org, admin, data
):
    """They are location-based; the market-based figure counts by its factor."""
    _osl, sto = data
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="steam",
        scope=2,
        kg="1000",
        market="1000",
        energy_kwh="5000",
        user=admin,
        gases={"CO2": "900", "CH4": "100"},
    )
    inv = inventory_for_year(organisation=org, year=2024)
    assert inv.total_t_co2e == Decimal("46.2")
    # CH4 is natural gas's 1 t only; the steam's 1 t is a CO2e total here.
    assert (inv.gas_table["CO2"], inv.gas_table["CH4"]) == (
        Decimal("45.2"),
        Decimal("1"),
    )
    assert ("steam", Decimal("1")) in [
        (s.code, s.t_co2e) for s in inv.co2e_only.sources
    ]
    assert inv.by_gas == {"CH4": Decimal("1.1"), "CO2": Decimal("7.9")}
    assert sum(inv.gas_table.values()) == inv.total_t_co2e
