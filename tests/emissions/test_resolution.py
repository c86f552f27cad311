"""Worked examples of factor resolution, computed by hand."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from emissions.catalogue import load_activity_types
from emissions.factor_files.common import ParsedFactor, ParsedFactorFile
from emissions.gwp import gwp
from emissions.models import ActivityEntry, ActivityType, FactorPreference
from emissions.resolution import ResolutionCache, calculate_entry
from emissions.services.factors import factor_override_create, factor_set_import
from tests.factories import BusinessUnitFactory, ReportingYearFactory

D = Decimal
GAS_KEY = "fuels|gaseous fuels|natural gas|kWh_gross"
GAS_M3_KEY = "fuels|gaseous fuels|natural gas|m3"
EPA_GAS_KEY = "epa hub|table 1|stationary combustion|natural gas|natural gas|mmBtu"


def _row(key, unit, co2e=None, gases=None, basis="co2e"):
    return ParsedFactor(
        key=key,
        scope_label="Scope 1",
        path=tuple(key.split("|")[:-1]),
        column_text="",
        unit=unit,
        unit_label=unit,
        co2e=None if co2e is None else D(co2e),
        gases={g: D(v) for g, v in (gases or {}).items()},
        gas_basis=basis,
        source_note="hand-made test row",
    )


def _import(kind, year, rows, organisation=None, name=None):
    parsed = ParsedFactorFile(
        publisher=kind.upper(),
        name=name or f"{kind} {year}",
        edition_year=year,
        version="1",
        region="",
        source_url="",
        licence="",
        gwp_basis="AR5",
        checksum_sha256=f"{kind}-{year}-{organisation and organisation.pk}-{name}",
        rows=rows,
    )
    return factor_set_import(parsed=parsed, kind=kind, organisation=organisation)[0]


@pytest.fixture
def catalogue(db):
    load_activity_types()
    return {t.code: t for t in ActivityType.objects.filter(organisation=None)}


@pytest.fixture
def desnz_2021(db):
    return _import(
        "desnz",
        2021,
        [
            _row(GAS_KEY, "kWh_gross", "0.18316", {"CO2": "0.18287", "CH4": "0.00026"}),
            _row(GAS_M3_KEY, "m3", "2.02266"),
        ],
    )


@pytest.fixture
def grid(db):
    rows = [
        _row("grid_location|NO", "kWh", "0.011"),
        _row("grid_location|SE", "kWh", "0.012"),
        _row("residual_mix|NO", "kWh", "0.53"),
        _row("district_heating|NO", "kWh", "0.015"),
    ]
    return _import("curated", 2024, rows)


def _calc(org, unit_obj, activity_type, quantity, unit, year=2023, **kw):
    return calculate_entry(
        organisation=org,
        business_unit=unit_obj,
        year=year,
        activity_type=activity_type,
        quantity=D(quantity),
        unit=unit,
        **kw,
    )


def test_nearest_earlier_edition_is_used_and_said(org, unit, catalogue, desnz_2021):
    result = _calc(org, unit, catalogue["natural_gas"], "12345", "kWh_gross")
    # 12 345 kWh x 0.18316 kg/kWh = 2261.11020 kg
    assert result.kg_co2e == D("2261.1102")
    assert result.factor_value == D("0.18316")
    assert result.factor_set == desnz_2021
    assert result.factor_key == GAS_KEY
    assert "DESNZ 2021 used for 2023: no 2023 edition loaded" in result.factor_note
    assert result.calculation_method == "published_co2e"
    assert result.scope == 1
    assert result.kg_by_gas["CO2"] == "2257.5301500000"  # 12345 x 0.18287


def test_the_entry_year_edition_wins_over_an_older_one(
    org, unit, catalogue, desnz_2021
):
    _import("desnz", 2023, [_row(GAS_KEY, "kWh_gross", "0.18293")])
    result = _calc(org, unit, catalogue["natural_gas"], "1000", "kWh_gross")
    assert result.kg_co2e == D("182.93")
    assert result.factor_note.startswith("DESNZ 2023 (")


def test_a_later_edition_is_never_used_for_an_earlier_year(org, unit, catalogue):
    _import("desnz", 2021, [_row(GAS_KEY, "kWh_gross", "0.18316")])
    with pytest.raises(ValidationError) as raised:
        _calc(org, unit, catalogue["natural_gas"], "10", "kWh_gross", year=2019)
    assert raised.value.messages == [
        "No DESNZ factor for 'Natural gas (stationary combustion)' in 2019 or "
        "earlier editions."
    ]


def test_the_entry_unit_finds_the_factor_published_in_that_unit(
    org, unit, catalogue, desnz_2021
):
    result = _calc(org, unit, catalogue["natural_gas"], "100", "m3")
    assert result.factor_key == GAS_M3_KEY
    assert result.kg_co2e == D("202.266")


def test_a_unit_the_activity_does_not_allow_is_refused(org, unit, catalogue):
    with pytest.raises(ValidationError) as raised:
        _calc(org, unit, catalogue["natural_gas"], "10", "litre")
    assert raised.value.messages == [
        "The unit litre cannot be used for Natural gas (stationary combustion); "
        "use one of: kWh_gross, MWh_gross, m3, therm, therm_US, mmBtu, scf, ccf."
    ]


def test_mwh_is_converted_into_the_factor_unit(org, unit, catalogue, desnz_2021):
    result = _calc(org, unit, catalogue["natural_gas"], "2.5", "MWh_gross")
    assert result.converted_quantity == D("2500")
    assert result.kg_co2e == D("457.9")  # 2500 x 0.18316


def test_refrigerant_leakage_uses_the_organisation_gwp_set(org, unit, catalogue):
    assert org.gwp_set == "AR5"
    assert gwp("R-410A", "AR5") == D("1923.5")  # 50 % HFC-32 677 + 50 % HFC-125 3170
    result = _calc(org, unit, catalogue["refrigerant_r410a"], "1000", "kg")
    assert result.kg_co2e == D("1923500")
    assert result.calculation_method == "gwp"
    assert result.gwp_set == "AR5"
    assert result.factor is None


def test_refrigerant_under_ar4(org, unit, catalogue):
    org.gwp_set = "AR4"
    result = _calc(org, unit, catalogue["refrigerant_r410a"], "2", "kg")
    assert result.kg_co2e == D("4175")  # 2 x 2087.5


def test_grid_electricity_by_country_location_and_residual_mix(
    org, unit, catalogue, grid
):
    stockholm = BusinessUnitFactory(organisation=org, code="STO", country="SE")
    oslo = _calc(org, unit, catalogue["electricity"], "10", "MWh", year=2024)
    assert oslo.energy_kwh == D("10000")
    assert oslo.kg_co2e == D("110")  # 10 000 kWh x 0.011
    assert oslo.residual_mix_factor == D("0.53")
    assert oslo.kg_co2e_market == D("5300")  # 10 000 kWh x 0.53
    assert oslo.scope == 2
    assert oslo.factor_key == "grid_location|NO"
    sweden = _calc(org, stockholm, catalogue["electricity"], "10000", "kWh", year=2024)
    assert sweden.kg_co2e == D("120")
    # No residual mix: the grid factor stands in, so that guarantees of
    # origin still cover the line in the market-based total.
    assert sweden.residual_mix_factor == D("0.012")
    assert sweden.kg_co2e_market == D("120")
    assert "no residual mix" in sweden.factor_note


def test_grid_factor_of_an_earlier_year_is_said(org, unit, catalogue, grid):
    result = _calc(org, unit, catalogue["electricity"], "100", "kWh", year=2025)
    assert "used for 2025: no 2025 factor loaded" in result.factor_note


def test_grid_electricity_without_a_factor_for_the_country(org, catalogue, grid):
    helsinki = BusinessUnitFactory(organisation=org, code="HEL", country="FI")
    with pytest.raises(ValidationError, match="country FI in 2024"):
        _calc(org, helsinki, catalogue["electricity"], "100", "kWh", year=2024)


def test_district_heating_by_country(org, unit, catalogue, grid):
    result = _calc(org, unit, catalogue["district_heating"], "2", "MWh", year=2024)
    assert result.kg_co2e == D("30")  # 2000 kWh x 0.015
    assert result.kg_co2e_market == D("30")


def test_server_energy_applies_the_default_pue(org, unit, catalogue, grid):
    result = _calc(org, unit, catalogue["server_energy"], "1000", "kWh", year=2024)
    # 1000 kWh IT load x PUE 1.5 = 1500 kWh; x 0.011 = 16.5 kg
    assert result.energy_kwh == D("1500")
    assert result.kg_co2e == D("16.5")
    assert "PUE 1.5 (default" in result.factor_note


def test_epa_mass_factors_are_weighted_by_the_gwp_set(org, unit, catalogue):
    FactorPreference.objects.create(organisation=org, kind="epa")
    _import(
        "epa",
        2025,
        [
            _row(
                EPA_GAS_KEY,
                "mmBtu",
                gases={"CO2": "53.06", "CH4": "0.001", "N2O": "0.0001"},
                basis="mass",
            )
        ],
    )
    result = _calc(org, unit, catalogue["natural_gas"], "1", "therm", year=2025)
    # 1 therm = 0.1 mmBtu; AR5 per mmBtu: 53.06 + 0.001 x 28 + 0.0001 x 265 = 53.1145
    assert result.converted_quantity == D("0.1")
    assert result.kg_co2e == D("5.31145")
    assert result.calculation_method == "gas_weighted"
    assert result.gwp_set == "AR5"


def test_own_override_wins(org, unit, catalogue, desnz_2021, admin):
    own = _import(
        "generic", 2023, [_row("own|gas", "kWh_gross", "0.2")], organisation=org
    )
    factor_override_create(
        organisation=org,
        actor=admin,
        activity_type=catalogue["natural_gas"],
        factor=own.factors.get(),
    )
    result = _calc(org, unit, catalogue["natural_gas"], "100", "kWh_gross")
    assert result.kg_co2e == D("20")
    assert result.factor_set == own
    assert "own factor" in result.factor_note


def test_another_organisations_private_set_is_never_used(
    org, other_org, unit, catalogue
):
    _import("desnz", 2023, [_row(GAS_KEY, "kWh_gross", "9")], organisation=other_org)
    with pytest.raises(ValidationError, match="No DESNZ factor"):
        _calc(org, unit, catalogue["natural_gas"], "1", "kWh_gross")


def test_override_with_another_organisations_factor_is_refused(
    org, other_org, catalogue, admin
):
    theirs = _import("generic", 2023, [_row("x", "kWh_gross", "1")], other_org)
    with pytest.raises(ValidationError, match="own factor sets"):
        factor_override_create(
            organisation=org,
            actor=admin,
            activity_type=catalogue["natural_gas"],
            factor=theirs.factors.get(),
        )


def test_server_embodied_needs_an_own_factor(org, unit, catalogue):
    with pytest.raises(ValidationError, match="needs a factor from your own"):
        _calc(org, unit, catalogue["server_embodied"], "3", "server_year")


def test_snapshot_fields_build_an_entry(org, unit, catalogue, desnz_2021, editor):
    result = _calc(org, unit, catalogue["natural_gas"], "12345", "kWh_gross")
    entry = ActivityEntry.objects.create(
        organisation=org,
        business_unit=unit,
        reporting_year=ReportingYearFactory(organisation=org, year=2023),
        activity_type=catalogue["natural_gas"],
        quantity=D("12345"),
        unit="kWh_gross",
        created_by=editor,
        updated_by=editor,
        **result.as_model_fields(),
    )
    entry.refresh_from_db()
    assert entry.kg_co2e == D("2261.1102")
    assert entry.factor.key == GAS_KEY


def test_cache_keeps_many_lines_to_a_few_queries(org, unit, catalogue, desnz_2021):
    cache = ResolutionCache()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(500):
            _calc(org, unit, catalogue["natural_gas"], "1", "kWh_gross", cache=cache)
    assert len(queries) <= 6


def _grid_file(tmp_path, text, organisation=None, actor=None):
    from emissions.factor_files.grid import parse_grid_factor_file

    path = tmp_path / f"grid-{organisation and organisation.pk}.csv"
    path.write_text(
        "country,year,kind,value,unit,gas_basis,publication,edition,"
        "table_or_page,url\n" + text,
        encoding="utf-8",
    )
    return factor_set_import(
        parsed=parse_grid_factor_file(path),
        kind="grid",
        organisation=organisation,
        actor=actor,
    )[0]


@pytest.fixture
def shipped(db):
    from emissions.catalogue import load_curated_factors

    load_curated_factors()


def test_sweden_reports_with_the_aib_residual_mix_until_it_chooses_ei(
    org, catalogue, shipped, admin
):
    from emissions.models import ResidualMixChoice
    from emissions.services.factors import residual_mix_choice_set

    stockholm = BusinessUnitFactory(organisation=org, code="STO", country="SE")
    aib = _calc(org, stockholm, catalogue["electricity"], "10000", "kWh", year=2023)
    # 10 000 kWh x 0.007 (EEA) location; x 0.06823 (AIB national) market.
    assert (aib.kg_co2e, aib.kg_co2e_market) == (D("70"), D("682.3"))
    assert "residual_mix|SE|aib 2023 (AIB European Residual Mixes)" in aib.factor_note
    residual_mix_choice_set(organisation=org, actor=admin, country="se", mix="nordic")
    nordic = _calc(org, stockholm, catalogue["electricity"], "10000", "kWh", year=2023)
    assert nordic.kg_co2e_market == D("5241")  # x 0.5241 (Ei's Nordic mix)
    assert nordic.residual_mix_factor == D("0.5241")
    assert "residual_mix|SE|nordic 2023 (Nordic residual mix, Ei)" in (
        nordic.factor_note
    )
    # 2022: Ei's Nordic mix is not published; 2021's is used and said.
    older = _calc(org, stockholm, catalogue["electricity"], "1000", "kWh", year=2022)
    assert older.kg_co2e_market == D("371.99")
    assert "residual_mix|SE|nordic 2021 used for 2022" in older.factor_note
    residual_mix_choice_set(organisation=org, actor=admin, country="SE", mix="aib")
    choice = ResidualMixChoice.objects.get(organisation=org)
    assert [h.mix for h in choice.history.order_by("history_id")] == [
        "nordic",
        "aib",
    ]
    assert {h.history_user for h in choice.history.all()} == {admin}


def test_finland_may_report_with_the_energy_authoritys_residual_mix(
    org, catalogue, shipped, admin
):
    from emissions.services.factors import residual_mix_choice_set

    helsinki = BusinessUnitFactory(organisation=org, code="HEL", country="FI")
    residual_mix_choice_set(organisation=org, actor=admin, country="FI", mix="national")
    result = _calc(org, helsinki, catalogue["electricity"], "1000", "kWh", year=2022)
    assert result.kg_co2e_market == D("471.27")  # x 0.47127 (Energiavirasto)
    with pytest.raises(ValidationError, match="Unknown residual mix"):
        residual_mix_choice_set(organisation=org, actor=admin, country="FI", mix="x")
    with pytest.raises(ValidationError, match="two-letter"):
        residual_mix_choice_set(organisation=org, actor=admin, country="FIN", mix="aib")


def test_an_own_grid_file_comes_before_the_installations_and_the_shipped(
    org, other_org, unit, catalogue, shipped, tmp_path, admin
):
    from accounts.models import User

    root = User.objects.create_superuser(email="root@example.org", password="x")
    _grid_file(
        tmp_path,
        "NO,2023,location,20,g/kWh,CO2e,Installation copy,2023,p. 2,\n",
        actor=root,
    )
    installation = _calc(org, unit, catalogue["electricity"], "1000", "kWh")
    assert installation.kg_co2e == D("20")
    assert "a grid-factor file loaded for the installation" in (
        installation.factor_note
    )
    _grid_file(
        tmp_path,
        'NO,2023,location,"14,5",g/kWh,CO2e,NVE Klimadeklarasjon,2023,p. 3,\n',
        organisation=org,
        actor=admin,
    )
    own = _calc(org, unit, catalogue["electricity"], "1000", "kWh")
    assert own.kg_co2e == D("14.5")
    assert "the organisation's grid-factor file" in own.factor_note
    assert own.factor.verification == "uploaded"
    # Another organisation's file is never used.
    elsewhere = BusinessUnitFactory(organisation=other_org, code="X", country="NO")
    other = _calc(other_org, elsewhere, catalogue["electricity"], "1000", "kWh")
    assert other.kg_co2e == D("20")


def test_only_an_installation_administrator_loads_a_grid_file_for_everyone(
    org, catalogue, tmp_path, admin
):
    with pytest.raises(ValidationError, match="administrator of the installation"):
        _grid_file(
            tmp_path, "NO,2023,location,20,g/kWh,CO2e,Copy,2023,p. 2,\n", actor=admin
        )


def test_a_quantity_in_the_epa_hubs_scf_finds_its_factor(org, unit, catalogue):
    FactorPreference.objects.create(organisation=org, kind="epa")
    _import(
        "epa",
        2025,
        [
            _row(
                EPA_GAS_KEY.replace("|mmBtu", "|scf"),
                "scf",
                gases={"CO2": "0.05444", "CH4": "0.00000103", "N2O": "0.0000001"},
                basis="mass",
            )
        ],
    )
    result = _calc(org, unit, catalogue["natural_gas"], "1000", "scf", year=2025)
    # 1000 scf x (0.05444 + 0.00000103 x 28 + 0.0000001 x 265) = 54.49534 kg
    assert result.factor_key.endswith("|scf")
    assert result.kg_co2e == D("54.49534")


def test_scf_uses_a_factor_per_m3_where_the_publisher_gives_no_scf(
    org, unit, catalogue, desnz_2021
):
    result = _calc(org, unit, catalogue["natural_gas"], "1000", "scf")
    assert result.factor_key == GAS_M3_KEY
    # 1000 scf = 28.316846592 m3; x 2.02266 kg/m3 = 57.27535292777472
    assert result.converted_quantity == D("28.3168465920")
    assert result.kg_co2e == (D("28.316846592") * D("2.02266")).quantize(
        D("0.0000000001")
    )
    assert result.kg_co2e == D("57.2753529278")


def test_us_therms_are_not_read_as_uk_therms(org, unit, catalogue):
    FactorPreference.objects.create(organisation=org, kind="epa")
    _import(
        "epa",
        2025,
        [_row(EPA_GAS_KEY, "mmBtu", gases={"CO2": "53.06"}, basis="mass")],
    )
    uk = _calc(org, unit, catalogue["natural_gas"], "10", "therm", year=2025)
    us = _calc(org, unit, catalogue["natural_gas"], "10", "therm_US", year=2025)
    assert uk.converted_quantity == D("1")  # 10 therms = 1 mmBtu
    assert uk.kg_co2e == D("53.06")
    # 10 US therms = 1 054 804 000 / 1 055 055 852.62 mmBtu
    assert us.converted_quantity == D("0.9997612898")
    assert us.kg_co2e == (D("1054804000") / D("1055055852.62") * D("53.06")).quantize(
        D("0.0000000001")
    )
    assert us.kg_co2e == D("53.0473340355")


def test_a_withdrawn_factor_is_never_found(org, unit, catalogue, grid):
    from emissions.models import EmissionFactor

    EmissionFactor.objects.filter(key="grid_location|NO").update(
        verification="withdrawn"
    )
    with pytest.raises(ValidationError, match="country NO in 2024"):
        _calc(org, unit, catalogue["electricity"], "100", "kWh", year=2024)
