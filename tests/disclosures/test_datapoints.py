"""The datapoints from a hand-made inventory: exact figures, blanks and reasons."""

import datetime
from decimal import Decimal

import pytest

from disclosures.selectors import disclosure_for_year, entity_identifier, revenue_in
from emissions.models import ContractualInstrument, Metric, ReportingYear, Target
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def books(org, admin):
    """Two units in 2024: Oslo an ETS installation, Stockholm not."""
    org.reporting_currency = "NOK"
    org.save()
    osl = BusinessUnitFactory(
        organisation=org, code="OSL", country="NO", ets_installation=True
    )
    sto = BusinessUnitFactory(organisation=org, code="STO", country="SE")
    entry(
        organisation=org,
        unit=osl,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="30000",
        user=admin,
    )
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="diesel_vehicles",
        scope=1,
        kg="10000",
        user=admin,
    )
    entry(
        organisation=org,
        unit=osl,
        year=2024,
        code="electricity",
        scope=2,
        kg="5000",
        market="20000",
        energy_kwh="100000",
        residual="0.2",
        user=admin,
    )
    entry(
        organisation=org,
        unit=sto,
        year=2024,
        code="flight_short_haul_economy",
        scope=3,
        category=6,
        kg="15000",
        user=admin,
    )
    entry(
        organisation=org,
        unit=osl,
        year=2019,
        code="natural_gas",
        scope=1,
        kg="50000",
        user=admin,
    )
    entry(
        organisation=org,
        unit=osl,
        year=2019,
        code="electricity",
        scope=2,
        kg="10000",
        market="30000",
        energy_kwh="100000",
        residual="0.3",
        user=admin,
    )
    return osl, sto


def _points(org, year=2024):
    return disclosure_for_year(organisation=org, year=year).by_key()


def test_emissions_and_the_ets_share(org, books):
    p = _points(org)
    assert p["b3.scope1"].value == D("40")
    assert p["b3.scope2_location"].value == D("5")
    assert p["b3.scope2_market"].value == D("20")
    assert p["b3.scope12_location"].value == D("45")
    assert p["b3.scope12_market"].value == D("60")
    assert p["b3.scope3"].value == D("15")
    assert p["b3.total_location"].value == D("60")
    assert p["b3.total_market"].value == D("75")
    assert p["e16.scope3.6"].value == D("15")
    # 30 of the 40 t of scope 1 are the ETS installation's.
    assert p["e16.scope1_ets_pct"].value == D("75")
    assert p["e16.base_year_total"].value == D("80")  # market-based headline


def test_a_closed_year_keeps_the_ets_flags_it_was_closed_with(
    org, admin, admin2, books
):
    from emissions.services.years import year_approve, year_submit

    osl, _sto = books
    year_submit(organisation=org, actor=admin, year=2024)
    year_approve(organisation=org, actor=admin2, year=2024, confirm_unverified=True)
    osl.ets_installation = False
    osl.save()
    assert _points(org)["e16.scope1_ets_pct"].value == D("75")
    assert disclosure_for_year(organisation=org, year=2024).final


def test_turnover_and_intensity_only_when_every_unit_reports_the_currency(
    org, admin, books
):
    osl, sto = books
    year = ReportingYear.objects.get(organisation=org, year=2024)
    Metric.objects.create(
        organisation=org,
        business_unit=osl,
        reporting_year=year,
        kind="revenue",
        unit="MNOK",
        value=D("12"),
        created_by=admin,
        updated_by=admin,
    )
    p = _points(org)
    assert p["b3.turnover"].value is None
    assert "STO" in p["b3.turnover"].note
    assert p["b3.intensity_market"].value is None
    Metric.objects.create(
        organisation=org,
        business_unit=sto,
        reporting_year=year,
        kind="revenue",
        unit="TNOK",
        value=D("3000"),
        created_by=admin,
        updated_by=admin,
    )
    p = _points(org)
    assert p["b3.turnover"].value == D("15000000")
    assert p["b3.intensity_market"].value == D("75") / D("15000000")
    assert p["b3.intensity12_location"].value == D("45") / D("15000000")
    assert p["b3.intensity_market"].rounded == D("0.000005000000000")


@pytest.mark.parametrize(
    ("unit", "factor"),
    [
        ("MNOK", D(1000000)),
        ("NOK", D(1)),
        ("TNOK", D(1000)),
        ("kNOK", D(1000)),
        ("MSEK", None),
        ("mill. NOK", D(1000000)),
    ],
)
def test_revenue_units(unit, factor):
    assert revenue_in(unit, "NOK") == factor


def test_the_target_gives_the_base_year_and_the_covered_aggregate(org, admin, books):
    Target.objects.create(
        organisation=org,
        name="Halve scope 1 and 2",
        scopes="1+2",
        base_year=2019,
        target_year=2030,
        reduction_pct=D("50"),
        created_by=admin,
        updated_by=admin,
    )
    p = _points(org)
    assert (p["c3.base_year"].value, p["c3.target_year"].value) == (2019, 2030)
    assert p["c3.baseline.scope1"].value == D("50")
    assert p["c3.baseline.scope12_market"].value == D("80")
    assert p["c3.baseline.scope12_location"].value == D("60")
    # Market-based headline: the target applies to scope 1 + market-based 2.
    assert p["c3.target.scope12_market"].value == D("40")
    assert p["c3.target.scope12_location"].value is None
    assert p["c3.target.scope1"].value is None
    assert (
        p["c3.target.scope1"].note
        == "The target covers 1+2; this row is not part of it."
    )
    assert p["c3.transition_plan"].value is None


def test_energy_datapoints_follow_the_breakdown(org, admin, books):
    osl, _sto = books
    ContractualInstrument.objects.create(
        organisation=org,
        business_unit=osl,
        reporting_year=ReportingYear.objects.get(organisation=org, year=2024),
        kind="go",
        mwh=D("40"),
        energy_source="Wind",
        created_by=admin,
        updated_by=admin,
    )
    p = _points(org)
    assert p["b3.electricity"].value == D("100")
    assert p["b3.electricity_renewable"].value == D("40")
    assert p["b3.electricity_non_renewable"].value == D("60")
    assert p["e15.purchased_renewable"].value == D("40")
    assert p["e15.renewable_share"].value == D("40")  # no fuel converts here
    assert p["b3.self_generated"].value is None


def test_without_scope_3_the_totals_stay_blank(org, admin):
    unit = BusinessUnitFactory(organisation=org, code="OSL")
    entry(
        organisation=org,
        unit=unit,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="1000",
        user=admin,
    )
    p = _points(org)
    assert p["b3.scope3"].value is None
    assert p["b3.total_market"].value is None
    assert p["b3.scope3"].note == "No scope 3 lines are reported for the year."
    assert p["c3.target"].value is None
    assert not disclosure_for_year(organisation=org, year=2024).final


def test_the_entity_identifier(org):
    assert entity_identifier(org) is None
    org.org_number = "918 273 645"
    org.org_number_scheme = "NO:ORG"
    identifier = entity_identifier(org)
    assert (identifier.scheme, identifier.value) == (
        "urn:oasis:names:tc:ebcore:partyid-type:iso6523:0192",
        "918273645",
    )
    org.lei = "5493001KJTIIGC8Y1R12"
    identifier = entity_identifier(org)
    assert (identifier.scheme, identifier.value, identifier.label) == (
        "http://standards.iso.org/iso/17442",
        "5493001KJTIIGC8Y1R12",
        "LEI",
    )
    assert datetime.date(2024, 1, 1) == disclosure_period_start(org)


def disclosure_period_start(org):
    from disclosures.selectors import Disclosure

    return Disclosure(
        organisation=org,
        year=2024,
        year_status="open",
        language="en",
        identifier=None,
        currency="",
        inventory=None,
        energy=None,
        datapoints=[],
    ).period_start
