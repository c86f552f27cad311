"""Energy in MWh: calorific values from the catalogue, renewable shares, units."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from disclosures import energy as E
from disclosures.selectors import energy_for_year
from emissions.catalogue import load_activity_types
from emissions.models import ActivityEntry, ActivityType, ContractualInstrument
from tests.emissions.published import desnz
from tests.factories import BusinessUnitFactory, ReportingYearFactory

D = Decimal


# --- The catalogue table against the publication -----------------------------

FUEL_KEYS = {
    ("natural_gas", "kWh_gross"): "fuels|gaseous fuels|natural gas|kWh_gross",
    ("natural_gas", "m3"): "fuels|gaseous fuels|natural gas|m3",
    ("lpg", "litre"): "fuels|gaseous fuels|lpg|litre",
    ("heating_oil", "litre"): "fuels|liquid fuels|burning oil|litre",
    ("gas_oil", "litre"): "fuels|liquid fuels|gas oil|litre",
    ("diesel_vehicles", "litre"): (
        "fuels|liquid fuels|diesel (average biofuel blend)|litre"
    ),
    ("petrol_vehicles", "litre"): (
        "fuels|liquid fuels|petrol (average biofuel blend)|litre"
    ),
}


def test_every_fuel_row_names_its_edition_basis_and_source():
    rows = [row for row in E.read_table() if row.basis == E.NET]
    assert {(row.activity, row.unit) for row in rows} == set(FUEL_KEYS)
    for row in rows:
        assert row.edition in (2019, 2020, 2021, 2024, 2025)
        assert row.source.startswith(f"DESNZ {row.edition} flat file")
        assert "Net CV" in row.source
        assert row.kind == E.FUEL


@pytest.mark.published_files
@pytest.mark.parametrize("edition", [2019, 2020, 2021, 2024, 2025])
def test_the_table_holds_the_published_figures(edition):
    published = desnz(edition).by_key()
    for row in E.read_table():
        if row.edition != edition:
            continue
        key = FUEL_KEYS[(row.activity, row.unit)]
        assert row.kg_co2e_per_unit == published[key].co2e, key
        net = key.rpartition("|")[0] + "|kWh_net"
        assert row.kg_co2e_per_kwh == published[net].co2e, net
        if row.biogenic_kg_co2_per_unit:
            blend = key.replace("fuels|liquid fuels|", "").rpartition("|")[0]
            outside = published[
                f"outside of scopes|forecourt fuels containing biofuel|{blend}|litre"
            ]
            assert row.biogenic_kg_co2_per_unit == outside.gases["CO2"]
            reference = desnz(row.biofuel_edition).by_key()[
                f"outside of scopes|biofuel|{row.biofuel.lower()}|GJ"
            ]
            assert row.biofuel_kg_co2_per_gj == reference.gases["CO2"]


def test_fossil_fuels_carry_no_biogenic_co2():
    for row in E.read_table():
        if row.activity in ("natural_gas", "lpg", "heating_oil", "gas_oil"):
            assert row.biogenic_kg_co2_per_unit == 0
            assert row.renewable_share == 0


# --- Conversion ----------------------------------------------------------------


def test_diesel_litres_become_mwh_at_the_net_calorific_value():
    prop = E.property_for("diesel_vehicles", "litre", 2024)
    # DESNZ 2024: 2.51279 kg CO2e per litre / 0.25403 kg CO2e per kWh (Net CV).
    assert prop.kwh_per_unit == D("9.891705704050702672912648112")
    line = E.line_energy(prop, quantity=D("1380"), unit="litre")
    assert line.mwh == D("13.65055387158996968861945439")
    # Biogenic CO2: 1380 l x 0.16 kg = 220.8 kg; renewable energy: 220.8 kg
    # over 72.16 kg CO2 per GJ of biodiesel (0.259776 kg per kWh).
    assert line.biogenic_kg_co2 == D("220.80")
    assert line.renewable_mwh.quantize(D("1E-24")) == (
        D("220.8") / D("259.776")
    ).quantize(D("1E-24"))


def test_gross_kwh_of_natural_gas_become_net():
    prop = E.property_for("natural_gas", "kWh_gross", 2024)
    line = E.line_energy(prop, quantity=D("100000"), unit="kWh_gross")
    # 0.1829 / 0.20264 kWh (Net CV) per kWh (Gross CV).
    assert line.mwh == D("100000") * D("0.1829") / D("0.20264") / 1000
    assert str(line.mwh)[:9] == "90.258586"
    assert line.renewable_mwh == 0
    megawatt_hours = E.line_energy(prop, quantity=D("100"), unit="MWh_gross")
    assert megawatt_hours.mwh == line.mwh


def test_cubic_metres_of_liquid_fuel_use_the_litre_row():
    prop = E.property_for("gas_oil", "m3", 2025)
    assert (prop.unit, prop.edition) == ("litre", 2025)
    line = E.line_energy(prop, quantity=D("2"), unit="m3")
    assert line.mwh == D("2000") * (D("2.75541") / D("0.27288")) / 1000


def test_the_nearest_earlier_edition_applies():
    assert E.property_for("diesel_vehicles", "litre", 2023).edition == 2021
    assert E.property_for("diesel_vehicles", "litre", 2019).edition == 2019
    assert E.property_for("diesel_vehicles", "litre", 2018).edition == 2019
    assert E.property_for("diesel_vehicles", "litre", 2030).edition == 2025


def test_a_unit_without_a_calorific_value_is_refused():
    with pytest.raises(E.EnergyConversionError, match="therm"):
        prop = E.property_for("natural_gas", "therm", 2024)
        E.line_energy(prop, quantity=D("1"), unit="therm")


def test_metered_energy_converts_exactly():
    prop = E.property_for("district_heating", "GJ", 2024)
    line = E.line_energy(prop, quantity=D("36"), unit="GJ")
    assert line.mwh == D("10")
    assert E.line_energy(prop, quantity=D("5"), unit="kWh", metered_kwh=D("7")).mwh == (
        D("0.007")
    )


@pytest.mark.parametrize(
    ("kind", "source", "technology", "renewable"),
    [
        ("go", "Hydropower", "", True),
        ("go", "", "", True),
        ("go", "Nuclear", "", False),
        ("go", "Kjernekraft", "", False),
        ("rec", "", "Wind", True),
        ("green_tariff", "", "", True),
        ("ppa", "", "", False),
        ("ppa", "Vindkraft", "", True),
        ("ppa", "Natural gas", "", False),
        ("go", "Biogas", "", True),
    ],
)
def test_which_instruments_count_renewable(kind, source, technology, renewable):
    assert (
        E.instrument_is_renewable(
            kind=kind, energy_source=source, technology=technology
        )
        is renewable
    )


# --- The selector --------------------------------------------------------------


@pytest.mark.django_db
def test_energy_of_the_demo_oslo_unit_in_2024_checked_by_hand():
    """Nordsoft Norge, Oslo, 2024, from the demo's quantities.

    Electricity 2600 kWh x 120 FTE x growth 1.15 x energy trend 0.83 =
    297 804 kWh; servers 650 x 120 x 1.15 x 0.83 = 74 451 kWh of IT load x
    PUE 1.5 = 111 676.5 kWh; district heating 1700 x 120 x 1.15 x 0.83 =
    194 718 kWh; diesel 25 x 120 x 1.15 x fleet 0.4 = 1380 litres. A
    guarantee of origin (hydropower) covers the 297.804 MWh of electricity.
    """
    call_command("seed_demo", verbosity=0)
    org = Organisation.objects.get(slug="nordsoft")
    unit = org.business_units.get(code="NO-OSL")
    energy = energy_for_year(organisation=org, year=2024, business_unit=unit)
    by_code = {s.code: s for s in energy.sources}
    assert set(by_code) == {
        "electricity",
        "server_energy",
        "district_heating",
        "diesel_vehicles",
    }
    assert by_code["electricity"].mwh == D("297.804")
    assert by_code["server_energy"].mwh == D("111.6765")
    assert by_code["district_heating"].mwh == D("194.718")
    diesel = by_code["diesel_vehicles"]
    assert (diesel.quantity, diesel.unit, diesel.edition) == (D("1380"), "litre", 2024)
    assert diesel.mwh == D("13.65055387158996968861945439")
    assert diesel.biogenic_t_co2 == D("0.2208")

    assert energy.electricity.mwh == D("409.4805")
    assert energy.electricity.renewable_mwh == D("297.804")
    assert energy.electricity.non_renewable_mwh == D("111.6765")
    assert energy.heat.mwh == D("194.718")
    assert energy.heat.renewable_mwh == 0
    assert energy.fuels.mwh == D("13.65055387158996968861945439")
    assert energy.fuels.renewable_mwh.quantize(D("1E-20")) == D(
        "0.84996304508499630451"
    )
    assert energy.total_mwh == D("617.84905387158996968861945439")
    assert energy.biogenic_t_co2 == D("0.2208")
    assert [
        (i.unit_code, i.kind, i.counted_mwh, i.renewable) for i in energy.instruments
    ] == [("NO-OSL", "go", D("297.804"), True)]
    assert energy.not_converted == []


def _line(org, unit, year, code, quantity, unit_code, *, kg="1", kwh=None, grid=False):
    activity = ActivityType.objects.get(organisation=None, code=code)
    return ActivityEntry.objects.create(
        organisation=org,
        business_unit=unit,
        reporting_year=year,
        activity_type=activity,
        quantity=D(quantity),
        unit=unit_code,
        scope=activity.scope,
        scope3_category=activity.scope3_category,
        iso_category=activity.iso_category,
        converted_quantity=D(quantity),
        kg_co2e=D(kg),
        energy_kwh=D(kwh) if kwh is not None else None,
        residual_mix_factor=D("0.4") if grid else None,
        created_by=year._user,
        updated_by=year._user,
    )


@pytest.fixture
def setting(org, admin):
    load_activity_types()
    year = ReportingYearFactory(organisation=org, year=2024)
    year._user = admin
    osl = BusinessUnitFactory(organisation=org, code="OSL", country="NO")
    sto = BusinessUnitFactory(organisation=org, code="STO", country="SE")
    return year, osl, sto


def _instrument(org, unit, year, kind, mwh, source=""):
    return ContractualInstrument.objects.create(
        organisation=org,
        business_unit=unit,
        reporting_year=year,
        kind=kind,
        mwh=D(mwh),
        energy_source=source,
        created_by=year._user,
        updated_by=year._user,
    )


@pytest.mark.django_db
def test_instruments_cover_grid_electricity_in_recorded_order(org, setting):
    year, osl, sto = setting
    _line(org, osl, year, "electricity", "100000", "kWh", kwh="100000", grid=True)
    _line(org, sto, year, "electricity", "50", "MWh", kwh="50000", grid=True)
    # Oslo: a nuclear certificate first (60 MWh), then hydro (60 MWh, of
    # which 40 are left to cover). Stockholm: a PPA without a named source.
    _instrument(org, osl, year, "go", "60", "Nuclear")
    _instrument(org, osl, year, "go", "60", "Hydropower")
    _instrument(org, sto, year, "ppa", "50")
    energy = energy_for_year(organisation=org, year=2024)
    assert energy.electricity.mwh == D("150")
    assert energy.electricity.renewable_mwh == D("40")
    assert [(i.unit_code, i.counted_mwh, i.renewable) for i in energy.instruments] == [
        ("OSL", D("60"), False),
        ("OSL", D("40"), True),
        ("STO", D("50"), False),
    ]


@pytest.mark.django_db
def test_equity_share_weights_energy_as_the_inventory_does(org, setting):
    year, osl, _sto = setting
    org.consolidation_approach = "equity"
    org.save()
    osl.equity_share = D("60")
    osl.save()
    _line(org, osl, year, "electricity", "10000", "kWh", kwh="10000", grid=True)
    _line(org, osl, year, "diesel_vehicles", "100", "litre")
    _instrument(org, osl, year, "go", "4", "Wind")
    energy = energy_for_year(organisation=org, year=2024)
    assert energy.electricity.mwh == D("6.0")
    assert energy.electricity.renewable_mwh == D("2.4")
    assert energy.fuels.mwh == D("100") * (D("2.51279") / D("0.25403")) / 1000 * D(
        "0.6"
    )


@pytest.mark.django_db
def test_lines_that_cannot_be_converted_are_named(org, setting):
    year, osl, _sto = setting
    _line(org, osl, year, "company_car_diesel_km", "5000", "km", kg="850")
    _line(org, osl, year, "natural_gas", "10", "therm", kg="20")
    _line(org, osl, year, "refrigerant_r410a", "2", "kg", kg="4176")
    own = ActivityType.objects.create(
        organisation=org,
        code="biomass_boiler",
        name="Biomass boiler",
        scope=1,
        iso_category=1,
        allowed_units=["tonne"],
        default_unit="tonne",
        factor_source="own",
    )
    ActivityEntry.objects.create(
        organisation=org,
        business_unit=osl,
        reporting_year=year,
        activity_type=own,
        quantity=D("3"),
        unit="tonne",
        scope=1,
        iso_category=1,
        converted_quantity=D("3"),
        kg_co2e=D("150"),
        created_by=year._user,
        updated_by=year._user,
    )
    energy = energy_for_year(organisation=org, year=2024)
    assert energy.sources == []
    assert sorted(
        (n.code, n.unit, n.quantity, n.t_co2e, n.reason) for n in energy.not_converted
    ) == [
        ("biomass_boiler", "tonne", D("3"), D("0.15"), "not_in_table"),
        ("company_car_diesel_km", "km", D("5000"), D("0.85"), "distance"),
        ("natural_gas", "therm", D("10"), D("0.02"), "no_calorific_value"),
    ]
    assert energy.total_mwh == 0
