"""The reference data every installation loads."""

from decimal import Decimal

from django.core.management import call_command

from emissions.catalogue import load_activity_types, load_reference_data
from emissions.models import ActivityType, EmissionFactor, FactorSet, FactorSource

D = Decimal


def test_reference_data_loads_the_catalogue(db):
    load_reference_data()
    natural_gas = ActivityType.objects.get(organisation=None, code="natural_gas")
    assert natural_gas.factor_source == FactorSource.PUBLISHED
    # The publishers' own units: the EPA hub gives natural gas per scf and mmBtu.
    assert natural_gas.allowed_units == [
        "kWh_gross",
        "MWh_gross",
        "m3",
        "therm",
        "therm_US",
        "mmBtu",
        "scf",
        "ccf",
    ]
    assert natural_gas.factor_keys["desnz"] == (
        "fuels|gaseous fuels|natural gas|kWh_gross"
    )
    r410a = ActivityType.objects.get(organisation=None, code="refrigerant_r410a")
    assert (r410a.factor_source, r410a.gas) == (FactorSource.GWP, "R-410A")
    electricity = ActivityType.objects.get(organisation=None, code="electricity")
    assert electricity.factor_source == FactorSource.GRID_LOCATION
    own = ActivityType.objects.get(organisation=None, code="hotel_night_nordic")
    assert own.factor_source == FactorSource.OWN


def test_reference_data_loads_curated_grid_sets_per_year(db):
    load_reference_data()
    curated = FactorSet.objects.filter(kind="curated", organisation=None)
    assert curated.count() == len(set(curated.values_list("edition_year", flat=True)))
    gb_2021 = EmissionFactor.objects.get(
        factor_set__kind="curated",
        factor_set__edition_year=2021,
        key="grid_location|GB",
    )
    assert gb_2021.co2e == D("0.21233")
    assert "BEIS" in gb_2021.source_note


def test_desnz_excerpt_holds_the_published_values(db):
    load_reference_data()
    excerpt = FactorSet.objects.get(kind="desnz", edition_year=2021)
    assert excerpt.version == "excerpt"
    assert excerpt.name == "UK DESNZ conversion factors 2021 (excerpt)"
    assert excerpt.licence == "Open Government Licence v3.0"
    assert "conversion-factors-2021" in excerpt.source_url
    values = dict(excerpt.factors.values_list("key", "co2e"))
    assert values["fuels|gaseous fuels|natural gas|kWh_gross"] == D("0.18316")
    assert values["fuels|liquid fuels|diesel (average biofuel blend)|litre"] == D(
        "2.51233"
    )
    assert values["uk electricity|electricity generated|electricity: uk|kWh"] == D(
        "0.21233"
    )
    years = set(
        FactorSet.objects.filter(kind="desnz").values_list("edition_year", flat=True)
    )
    assert years == {2019, 2020, 2021, 2024, 2025}


def test_loading_twice_changes_nothing(db):
    load_reference_data()
    counts = (
        ActivityType.objects.count(),
        FactorSet.objects.count(),
        EmissionFactor.objects.count(),
    )
    summary = load_reference_data()
    assert summary.activity_types_created == 0
    assert counts == (
        ActivityType.objects.count(),
        FactorSet.objects.count(),
        EmissionFactor.objects.count(),
    )


def test_a_full_edition_replaces_the_excerpt(db):
    FactorSet.objects.create(
        kind="desnz", publisher="DESNZ", name="Full 2024", edition_year=2024
    )
    summary = load_reference_data()
    assert 2024 in summary.desnz_full_editions
    assert not FactorSet.objects.filter(
        kind="desnz", edition_year=2024, version="excerpt"
    ).exists()


def test_load_reference_data_command(db, capsys):
    call_command("load_reference_data")
    assert "Reference data ready" in capsys.readouterr().out
    assert ActivityType.objects.filter(organisation=None).exists()


def test_reference_data_loads_the_translated_names(db):
    load_reference_data()
    gas = ActivityType.objects.get(organisation=None, code="natural_gas")
    assert gas.name_nb == "Naturgass (stasjonær forbrenning)"
    assert gas.name_sv == "Naturgas (stationär förbränning)"
    electricity = ActivityType.objects.get(organisation=None, code="electricity")
    assert electricity.localised_name("nb") == "Elektrisitet (nett)"
    assert electricity.localised_name("sv") == "El (elnät)"
    assert electricity.localised_name("en") == "Electricity (grid)"
    assert electricity.localised_name(None) == "Electricity (grid)"
    heating = ActivityType.objects.get(organisation=None, code="district_heating")
    assert (heating.localised_name("nb"), heating.localised_name("sv")) == (
        "Fjernvarme",
        "Fjärrvärme",
    )
    shipped = ActivityType.objects.filter(organisation=None)
    assert not shipped.filter(name_nb="").exists()
    assert not shipped.filter(name_sv="").exists()


def test_a_catalogue_without_translated_names_loads_them_blank(db, tmp_path):
    (tmp_path / "activity_types.csv").write_text(
        "code,name,scope,scope3_category,iso_category,allowed_units,"
        "default_unit,factor_source,desnz_key,epa_key,description\n"
        "natural_gas,Natural gas,1,,1,kWh_gross,kWh_gross,desnz,"
        "fuels|gaseous fuels|natural gas|kWh_gross,,Gas.\n",
        encoding="utf-8",
    )
    assert load_activity_types(tmp_path) == (1, 0)
    gas = ActivityType.objects.get(organisation=None, code="natural_gas")
    assert (gas.name_nb, gas.name_sv) == ("", "")
    assert gas.localised_name("nb") == gas.localised_name("sv") == "Natural gas"


def test_an_organisations_own_type_falls_back_to_english(org):
    own = ActivityType.objects.create(
        organisation=org,
        code="biogas_trucks",
        name="Biogas for trucks",
        scope=1,
        iso_category=1,
        allowed_units=["kg"],
        default_unit="kg",
        factor_source=FactorSource.OWN,
    )
    assert own.localised_name("nb") == "Biogas for trucks"
    assert own.localised_name("sv") == "Biogas for trucks"
    assert own.localised_name("en") == "Biogas for trucks"
