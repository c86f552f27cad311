"""Each planner of the resolution registry on its own, with hand-computed figures."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from emissions.catalogue import load_activity_types
from emissions.models import ActivityType, FactorPreference, FactorSource
from emissions.resolution import ResolutionCache
from emissions.resolution.base import Line
from emissions.resolution.district_heating import plan_district_heating
from emissions.resolution.grid import plan_grid_electricity
from emissions.resolution.own import plan_needs_own_factor, plan_override
from emissions.resolution.published import key_candidates, plan_published
from emissions.resolution.refrigerants import plan_refrigerant
from emissions.resolution.registry import EVERY_TYPE, PLANNERS, planner_for
from emissions.resolution.server_energy import plan_server_energy
from emissions.services.factors import factor_override_create
from tests.emissions.test_resolution import GAS_KEY, _import, _row
from tests.factories import BusinessUnitFactory

D = Decimal
LPG_KEY = "fuels|gaseous fuels|lpg|litre"


@pytest.fixture
def catalogue(db):
    load_activity_types()
    return {t.code: t for t in ActivityType.objects.filter(organisation=None)}


@pytest.fixture
def grid(db):
    return _import(
        "curated",
        2024,
        [
            _row("grid_location|NO", "kWh", "0.011"),
            _row("residual_mix|NO", "kWh", "0.53"),
            _row("district_heating|NO", "kWh", "0.015"),
            _row("district_cooling|NO", "kWh", "0.004"),
        ],
    )


def _line(org, unit, activity_type, unit_code, year=2024):
    return Line(
        organisation=org,
        business_unit=unit,
        year=year,
        activity_type=activity_type,
        unit=unit_code,
        cache=ResolutionCache(),
    )


# The table


def test_every_factor_source_has_a_planner_for_every_type():
    assert {source for source, code in PLANNERS if code == EVERY_TYPE} == set(
        FactorSource.values
    )


@pytest.mark.parametrize(
    ("code", "planner"),
    [
        ("natural_gas", plan_published),
        ("electricity", plan_grid_electricity),
        ("district_heating", plan_district_heating),
        ("district_cooling", plan_district_heating),
        ("refrigerant_r32", plan_refrigerant),
        ("server_energy", plan_server_energy),
        ("server_embodied", plan_needs_own_factor),
        ("purchased_goods_spend", plan_needs_own_factor),
    ],
)
def test_the_catalogue_types_find_their_planner(catalogue, code, planner):
    assert planner_for(catalogue[code]) is planner


def test_a_computed_type_without_a_planner_of_its_own_needs_an_own_factor():
    servers = ActivityType(code="server_cooling", factor_source=FactorSource.COMPUTED)
    assert planner_for(servers) is plan_needs_own_factor


def test_a_source_outside_the_choices_is_looked_up_as_published():
    assert planner_for(ActivityType(code="x", factor_source="")) is plan_published


# Published tables


def test_published_tries_the_entry_unit_then_the_same_dimension_then_the_key():
    assert key_candidates(
        "fuels|natural gas|kWh_gross", "scf", ["kWh_gross", "m3", "scf", "therm"]
    ) == [
        "fuels|natural gas|scf",
        "fuels|natural gas|m3",
        "fuels|natural gas|kWh_gross",
    ]
    assert key_candidates("fuels|natural gas|m3", "m3") == ["fuels|natural gas|m3"]


def test_published_falls_back_to_desnz_where_the_type_has_no_epa_key(
    org, unit, catalogue
):
    FactorPreference.objects.create(organisation=org, kind="epa")
    _import("desnz", 2023, [_row(LPG_KEY, "litre", "1.55713")], name="DESNZ 2023")
    result = plan_published(_line(org, unit, catalogue["lpg"], "litre"))(D("200"))
    assert result.kg_co2e == D("311.426")  # 200 litres x 1.55713
    assert result.factor_note == (
        "No EPA key for this activity type; DESNZ used instead. "
        "DESNZ 2023 used for 2024: no 2024 edition loaded (DESNZ 2023)."
    )


def test_published_prefers_the_organisations_own_set_of_the_same_edition(
    org, unit, catalogue
):
    _import("desnz", 2024, [_row(GAS_KEY, "kWh_gross", "0.18")], name="Global")
    _import("desnz", 2024, [_row(GAS_KEY, "kWh_gross", "0.2")], org, name="Ours")
    result = plan_published(_line(org, unit, catalogue["natural_gas"], "kWh_gross"))(
        D("1000")
    )
    assert result.kg_co2e == D("200")
    assert result.factor_note == "DESNZ 2024 (Ours, the organisation's own set)."


def test_published_refuses_a_type_without_a_key(org, unit):
    bare = ActivityType.objects.create(
        code="bare",
        name="Bare fuel",
        scope=1,
        iso_category=1,
        default_unit="kWh",
        factor_source=FactorSource.PUBLISHED,
    )
    with pytest.raises(ValidationError) as raised:
        plan_published(_line(org, unit, bare, "kWh"))
    assert raised.value.messages == [
        "'Bare fuel' has no factor key for DESNZ sets; choose another publisher "
        "or add your own factor for it."
    ]


# Grid electricity and district heating


def test_grid_electricity_gives_location_market_and_energy(org, unit, catalogue, grid):
    result = plan_grid_electricity(_line(org, unit, catalogue["electricity"], "MWh"))(
        D("2.5")
    )
    # 2 500 kWh x 0.011 = 27.5 kg location-based; x 0.53 = 1 325 kg market-based
    assert (result.energy_kwh, result.converted_quantity) == (D("2500"), D("2500"))
    assert (result.kg_co2e, result.kg_co2e_market) == (D("27.5"), D("1325"))
    assert (result.factor_value, result.residual_mix_factor) == (D("0.011"), D("0.53"))
    assert result.calculation_method == "grid_location"
    assert result.factor_note == (
        "grid_location|NO 2024; residual mix residual_mix|NO 2024 "
        "(national authority's residual mix). Source: hand-made test row"
    )


def test_grid_electricity_refuses_a_unit_it_cannot_convert(org, unit, catalogue, grid):
    plan = plan_grid_electricity(_line(org, unit, catalogue["electricity"], "kg"))
    with pytest.raises(ValidationError, match="Cannot use this quantity"):
        plan(D("1"))


def test_district_cooling_uses_its_own_key_before_district_heating(
    org, unit, catalogue, grid
):
    cooling = plan_district_heating(
        _line(org, unit, catalogue["district_cooling"], "MWh")
    )(D("3"))
    assert (cooling.factor_key, cooling.kg_co2e) == ("district_cooling|NO", D("12"))
    # Heat has no residual mix: market-based is the same figure.
    assert (cooling.kg_co2e_market, cooling.residual_mix_factor) == (D("12"), None)
    heating = plan_district_heating(
        _line(org, unit, catalogue["district_heating"], "kWh")
    )(D("1000"))
    assert (heating.factor_key, heating.kg_co2e) == ("district_heating|NO", D("15"))
    assert heating.factor_note == "district_heating|NO 2024. Source: hand-made test row"


def test_district_heating_without_a_factor_for_the_country(org, catalogue, grid):
    riga = BusinessUnitFactory(organisation=org, code="RIX", country="LV")
    with pytest.raises(ValidationError) as raised:
        plan_district_heating(_line(org, riga, catalogue["district_heating"], "kWh"))
    assert raised.value.messages == [
        "No district heating factor for country LV in 2024 or earlier years."
    ]


# Refrigerants


def test_refrigerant_leakage_is_kg_times_gwp(org, unit, catalogue):
    result = plan_refrigerant(_line(org, unit, catalogue["refrigerant_r32"], "kg"))(
        D("2.5")
    )
    # HFC-32 under AR5: GWP 677; 2.5 kg x 677 = 1 692.5 kg CO2e
    assert result.kg_co2e == D("1692.5")
    assert result.kg_by_gas == {"R-32": "1692.5000000000"}
    assert result.factor_note == "R-32 leakage: kg x GWP 677 (AR5, IPCC 100-year)."


def test_refrigerant_without_a_gas_or_with_an_unknown_one_is_refused(org, unit):
    leak = ActivityType.objects.create(
        code="leak",
        name="Leak",
        scope=1,
        iso_category=1,
        default_unit="kg",
        factor_source=FactorSource.GWP,
    )
    with pytest.raises(ValidationError) as raised:
        plan_refrigerant(_line(org, unit, leak, "kg"))
    assert raised.value.messages == [
        "The activity type 'Leak' names no refrigerant gas."
    ]
    leak.gas = "R-999"
    with pytest.raises(ValidationError, match="No GWP for R-999 in AR5"):
        plan_refrigerant(_line(org, unit, leak, "kg"))


# Server energy


def test_server_energy_multiplies_the_it_load_by_the_types_pue(
    org, unit, catalogue, grid
):
    servers = catalogue["server_energy"]
    servers.pue = D("1.4")
    servers.save(update_fields=["pue"])
    servers.refresh_from_db()
    result = plan_server_energy(_line(org, unit, servers, "MWh"))(D("1"))
    # 1 000 kWh IT load x PUE 1.4 = 1 400 kWh; x 0.011 = 15.4 kg; x 0.53 = 742 kg
    assert (result.converted_quantity, result.energy_kwh) == (D("1000"), D("1400"))
    assert (result.kg_co2e, result.kg_co2e_market) == (D("15.4"), D("742"))
    assert result.calculation_method == "server_energy"
    assert result.factor_note == (
        "IT load x PUE 1.4 from the activity type; grid_location|NO 2024; "
        "residual mix residual_mix|NO 2024 (national authority's residual mix). "
        "Source: hand-made test row"
    )


def test_server_energy_without_a_pue_uses_the_default_and_says_so(
    org, unit, catalogue, grid
):
    result = plan_server_energy(_line(org, unit, catalogue["server_energy"], "kWh"))(
        D("100")
    )
    assert (result.energy_kwh, result.kg_co2e) == (D("150"), D("1.65"))
    assert result.factor_note.startswith(
        "IT load x PUE 1.5 (default: none given for the activity type); "
    )


# Own factors


@pytest.fixture
def own_set(org):
    return _import(
        "generic",
        2023,
        [
            _row("own|gas", "kWh_gross", "0.2"),
            _row("own|gas oslo", "kWh_gross", "0.1"),
            _row("own|green power", "kWh", "0.002"),
        ],
        organisation=org,
        name="Our factors",
    )


def test_without_an_override_the_registry_decides(org, unit, catalogue, own_set):
    assert plan_override(_line(org, unit, catalogue["natural_gas"], "kWh_gross")) is (
        None
    )


def test_the_units_own_override_beats_the_organisations(
    org, unit, catalogue, own_set, admin
):
    gas = catalogue["natural_gas"]
    for key, business_unit in (("own|gas", None), ("own|gas oslo", unit)):
        factor_override_create(
            organisation=org,
            actor=admin,
            activity_type=gas,
            factor=own_set.factors.get(key=key),
            business_unit=business_unit,
        )
    bergen = BusinessUnitFactory(organisation=org, code="BGO", country="NO")
    oslo = plan_override(_line(org, unit, gas, "kWh_gross"))(D("1000"))
    elsewhere = plan_override(_line(org, bergen, gas, "kWh_gross"))(D("1000"))
    assert (oslo.kg_co2e, elsewhere.kg_co2e) == (D("100"), D("200"))
    assert oslo.factor_note == (
        "The organisation's own factor (Our factors) overrides the published one."
    )


def test_an_override_from_a_later_year_is_not_used_before(
    org, unit, catalogue, own_set, admin
):
    factor_override_create(
        organisation=org,
        actor=admin,
        activity_type=catalogue["natural_gas"],
        factor=own_set.factors.get(key="own|gas"),
        from_year=2025,
    )
    line = _line(org, unit, catalogue["natural_gas"], "kWh_gross", year=2024)
    assert plan_override(line) is None
    line = _line(org, unit, catalogue["natural_gas"], "kWh_gross", year=2025)
    assert plan_override(line)(D("10")).kg_co2e == D("2")


def test_an_override_of_electricity_keeps_its_kwh(org, unit, catalogue, own_set, admin):
    factor_override_create(
        organisation=org,
        actor=admin,
        activity_type=catalogue["electricity"],
        factor=own_set.factors.get(key="own|green power"),
    )
    result = plan_override(_line(org, unit, catalogue["electricity"], "MWh"))(D("5"))
    # 5 000 kWh x 0.002 = 10 kg, location- and market-based alike
    assert (result.energy_kwh, result.kg_co2e, result.kg_co2e_market) == (
        D("5000"),
        D("10"),
        D("10"),
    )


def test_own_source_types_need_an_own_factor(org, unit, catalogue):
    with pytest.raises(ValidationError) as raised:
        plan_needs_own_factor(
            _line(org, unit, catalogue["purchased_goods_spend"], "EUR")
        )
    assert raised.value.messages == [
        "'Purchased goods and services (spend-based)' needs a factor from your own "
        "factor set: import one and assign it to this activity type."
    ]


# The PUE field and its migration


def _pue_migration():
    return importlib.import_module(
        "emissions.migrations.0012_activity_type_pue_field"
    ).pue_from_description


def test_the_migration_copies_the_pue_written_in_the_description(org, catalogue):
    servers = catalogue["server_energy"]
    servers.description = "Colocation in Oslo, PUE 1.4 (supplier's 2023 figure)."
    servers.save()
    theirs = ActivityType.objects.create(
        organisation=org,
        code="server_energy",
        name="Our servers",
        scope=2,
        iso_category=2,
        default_unit="kWh",
        factor_source=FactorSource.COMPUTED,
        description="Racks at pue=1.25",
    )
    # Another type's text is never read as a PUE.
    boilers = catalogue["natural_gas"]
    boilers.description = "Heats the data hall (PUE 1.3)."
    boilers.save()
    _pue_migration()(apps, None)
    pues = dict(
        ActivityType.objects.filter(
            pk__in=[servers.pk, theirs.pk, boilers.pk]
        ).values_list("pk", "pue")
    )
    assert pues == {servers.pk: D("1.4"), theirs.pk: D("1.25"), boilers.pk: None}


def test_the_migration_leaves_the_shipped_description_without_a_pue(catalogue):
    _pue_migration()(apps, None)
    assert catalogue["server_energy"].description.endswith(
        "x PUE / 1000, then the grid factor."
    )
    assert ActivityType.objects.filter(pue__isnull=False).count() == 0


def test_the_migration_refuses_a_pue_the_field_cannot_hold(catalogue):
    servers = catalogue["server_energy"]
    servers.description = "PUE 1.23456"
    servers.save()
    with pytest.raises(ValueError, match="PUE 1.23456 in the description"):
        _pue_migration()(apps, None)


def test_the_catalogue_file_may_give_a_pue(db, tmp_path):
    (tmp_path / "activity_types.csv").write_text(
        "code,name,scope,scope3_category,iso_category,allowed_units,"
        "default_unit,factor_source,desnz_key,epa_key,description,pue\n"
        "server_energy,Servers,2,,2,kWh,kWh,computed,,,Owned servers,1.35\n",
        encoding="utf-8",
    )
    load_activity_types(tmp_path)
    assert ActivityType.objects.get(code="server_energy").pue == D("1.35")
