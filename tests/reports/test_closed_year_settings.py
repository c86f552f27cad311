"""A submitted or approved year keeps the settings its figures were closed with.

Every setting that changes figures is changed after approval; the approved
years' totals, read through the API, stay exactly the same, and the open year
moves where the setting says it should.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import BusinessUnit, Organisation, User
from accounts.services import business_unit_save, organisation_update
from api.models import ApiToken
from emissions.factor_files.common import ParsedFactor, ParsedFactorFile
from emissions.models import ActivityType, FactorSetKind
from emissions.services.factors import (
    factor_override_create,
    factor_preference_set,
    factor_reapply,
    factor_set_import,
    organisation_change_gwp_set,
)
from emissions.services.years import year_unlock
from reports.kinds.annual_pdf import render_html
from reports.selectors import annual_report_data, inventory_for_year
from tests.factories import BusinessUnitFactory, ReportingYearFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db

D = Decimal
APPROVED = (2019, 2023, 2024)
OPEN = 2025


@pytest.fixture
def nordsoft():
    call_command("seed_demo")
    return Organisation.objects.get(slug="nordsoft")


@pytest.fixture
def api(nordsoft):
    _token, raw = ApiToken.issue(
        user=User.objects.get(email="viewer@nordsoft.example"), name="tests"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    def read(year: int) -> dict:
        response = client.get(f"/api/v1/organisations/nordsoft/inventory/{year}/")
        assert response.status_code == 200
        return response.json()

    return read


def _org() -> Organisation:
    return Organisation.objects.get(slug="nordsoft")


def _unit(code: str) -> BusinessUnit:
    return BusinessUnit.objects.get(organisation__slug="nordsoft", code=code)


def _figures(year: int) -> tuple:
    """What the API does not carry: per gas, per category and the boundary."""
    organisation = _org()
    inventory = inventory_for_year(organisation=organisation, year=year)
    data = annual_report_data(organisation=organisation, year=year)
    return (
        inventory.by_gas,
        inventory.iso_by_category,
        inventory.top_sources,
        [(u.code, u.equity_share) for u in data.units_in_boundary],
    )


def _own_electricity_factor(organisation: Organisation, admin: User):
    parsed = ParsedFactorFile(
        publisher="Own factors",
        name="Supplier factors",
        edition_year=2025,
        version="1",
        region="NO",
        source_url="",
        licence="",
        gwp_basis="AR5",
        checksum_sha256="own-electricity",
        rows=[
            ParsedFactor(
                key="own|electricity",
                scope_label="Scope 2",
                path=("Own", "Electricity"),
                column_text="",
                unit="kWh",
                unit_label="kWh",
                co2e=D("0.5"),
                gases={},
                gas_basis="co2e",
                source_note="",
            )
        ],
    )
    own, _created = factor_set_import(
        parsed=parsed, kind=FactorSetKind.GENERIC, organisation=organisation
    )
    return own.factors.get()


def test_no_setting_moves_an_approved_year(nordsoft, api):
    admin = User.objects.get(email="admin@nordsoft.example")
    approved = {year: api(year) for year in APPROVED}
    other = {year: _figures(year) for year in APPROVED}
    # The review quoted 902.085944 t, before the demo's grid factors were
    # corrected against their publications; 907.923726 t before its travel used
    # international (non-UK) flight factors and its own Nordic hotel factor:
    # 380 FTE x 1.12 x 0.82 x (5200 x 0.15102 + 2400 x 0.14787 + 1.5 x 13.9
    # - 7600 x 0.140625 - 1.5 x 11.8) kg = 26.032016 t less.
    assert approved[2023]["total_t_co2e"] == "881.891710"
    assert approved[2023]["settings"]["fixed"] is True
    assert approved[2023]["year_status"] == "approved"

    def check(what: str, *, open_moves: bool) -> None:
        before_open = check.open_year
        for year in APPROVED:
            assert api(year) == approved[year], f"{year} moved: {what}"
            assert _figures(year) == other[year], f"{year} moved: {what}"
        check.open_year = api(OPEN)
        if open_moves:
            assert check.open_year["total_t_co2e"] != before_open["total_t_co2e"], what

    check.open_year = api(OPEN)

    def update(**fields):
        organisation_update(organisation=_org(), actor=admin, **fields)

    def save_unit(code: str, **fields):
        business_unit_save(organisation=_org(), actor=admin, unit=_unit(code), **fields)

    update(consolidation_approach="equity")  # DE-BER is held at 60 %
    check("consolidation approach", open_moves=True)
    save_unit("NO-OSL", equity_share=D("10"))
    check("equity share", open_moves=True)
    update(scope2_headline="location")
    check("scope 2 headline", open_moves=True)
    update(base_year=2021)
    check("base year", open_moves=False)
    assert check.open_year["base_year"] == 2021
    update(include_wtt=True, include_td_losses=True)
    check("WTT and T&D", open_moves=False)
    assert check.open_year["settings"]["include_wtt"] is True
    change = organisation_change_gwp_set(
        organisation=_org(), actor=admin, gwp_set="AR6", reason="IPCC AR6"
    )
    assert change.years_recalculated == [OPEN]
    check("GWP set", open_moves=False)
    assert check.open_year["settings"]["gwp_set"] == "AR6"
    save_unit("EE-TLL", year_joined=2024)
    save_unit("DE-BER", year_left=2024)
    check("years joined and left", open_moves=False)
    open_boundary = [
        u.code
        for u in annual_report_data(organisation=_org(), year=OPEN).units_in_boundary
    ]
    assert "DE-BER" not in open_boundary
    save_unit("NO-OSL", parent=None)
    check("parent unit", open_moves=False)
    factor_preference_set(organisation=_org(), actor=admin, kind=FactorSetKind.EPA)
    check("factor publisher", open_moves=False)
    factor_override_create(
        organisation=_org(),
        actor=admin,
        activity_type=ActivityType.objects.get(organisation=None, code="electricity"),
        factor=_own_electricity_factor(_org(), admin),
    )
    with pytest.raises(ValidationError, match="approved and locked"):
        factor_reapply(organisation=_org(), actor=admin, reporting_year=2023)
    factor_preference_set(organisation=_org(), actor=admin, kind=FactorSetKind.DESNZ)
    factor_reapply(organisation=_org(), actor=admin, reporting_year=OPEN)
    check("own factors", open_moves=True)

    # The approved year's report says which settings it uses and what changed.
    html = render_html(
        annual_report_data(organisation=_org(), year=2023), language="en"
    )
    assert "Organisational boundary: Operational control" in html
    assert "Global warming potentials: IPCC AR5 (100-year)" in html
    assert "use the settings fixed when it was submitted" in html
    assert (
        "changes apply to open years only: consolidation approach, GWP set, "
        "scope 2 in the headline total, base year, well-to-tank included, "
        "transmission and distribution losses included, "
        "equity shares, years units joined or left, unit structure."
    ) in html

    # Unlocked with a reason, the year follows the settings as they are now.
    year_unlock(organisation=_org(), actor=admin, year=2023, reason="Restate")
    unlocked = api(2023)
    assert unlocked["settings"]["fixed"] is False
    assert unlocked["settings"]["consolidation_approach"] == "equity"
    assert unlocked["total_t_co2e"] != approved[2023]["total_t_co2e"]
    # 2024 keeps its own figures; only its comparison with the restated 2023
    # and the cumulative reduction, which adds up 2023's, follow the restatement.
    after = api(2024)
    moved = {k for k in after if after[k] != approved[2024][k]}
    assert moved == {"change_vs_previous_year_pct", "cumulative_reduction_t_co2e"}


@pytest.fixture
def two_years(org, admin):
    """OSL (100 %) and STO (60 %); the same lines in 2023 and 2024."""
    osl = BusinessUnitFactory(organisation=org, code="OSL", country="NO")
    sto = BusinessUnitFactory(
        organisation=org, code="STO", country="SE", equity_share=60
    )
    for year in (2023, 2024):
        entry(
            organisation=org,
            unit=osl,
            year=year,
            code="natural_gas",
            scope=1,
            kg="1000",
            user=admin,
            gases={"CO2": "900", "CH4": "100"},
        )
        entry(
            organisation=org,
            unit=sto,
            year=year,
            code="natural_gas",
            scope=1,
            kg="2000",
            user=admin,
            gases={"CO2": "1800", "CH4": "200"},
        )
        # 10 000 kWh at residual 0.4 (4000 kg market), half covered by a GO.
        entry(
            organisation=org,
            unit=sto,
            year=year,
            code="electricity",
            scope=2,
            kg="100",
            market="4000",
            energy_kwh="10000",
            residual="0.4",
            user=admin,
        )
        from emissions.models import ContractualInstrument

        ContractualInstrument.objects.create(
            organisation=org,
            business_unit=sto,
            reporting_year=ReportingYearFactory(organisation=org, year=year),
            kind="go",
            mwh=D("5"),
            kg_co2e_per_kwh=D("0"),
            created_by=admin,
            updated_by=admin,
        )
    return osl, sto


def _close(org, year, editor, admin):
    from emissions.services.years import year_approve, year_submit

    year_submit(organisation=org, actor=editor, year=year)
    year_approve(organisation=org, actor=admin, year=year)


def test_each_year_is_weighted_by_its_own_approach_and_shares(
    org, admin, editor, two_years
):
    osl, sto = two_years
    org.consolidation_approach = "equity"
    org.save()
    _close(org, 2023, editor, admin)
    business_unit_save(organisation=org, actor=admin, unit=sto, equity_share=D("10"))
    organisation_update(organisation=org, actor=admin, consolidation_approach="equity")

    closed = inventory_for_year(organisation=org, year=2023)
    # Fixed at 60 %: gas 1000 + 2000 x 0.6 = 2200 kg; market scope 2: 5 MWh
    # uncovered at 0.4 = 2000 kg x 0.6 = 1200 kg.
    assert closed.scope1_t_co2e == D("2.2")
    assert closed.scope2_market_t_co2e == D("1.2")
    assert closed.scope2_location_t_co2e == D("0.06")
    assert closed.total_t_co2e == D("3.4")
    assert closed.by_business_unit == {"OSL": D("1"), "STO": D("2.4")}
    assert closed.by_gas == {"CH4": D("0.22"), "CO2": D("1.98")}
    # Open, at today's 10 %: 1000 + 200 = 1200 kg; 2000 x 0.1 = 200 kg.
    open_year = inventory_for_year(organisation=org, year=2024)
    assert open_year.scope1_t_co2e == D("1.2")
    assert open_year.scope2_market_t_co2e == D("0.2")
    assert open_year.total_t_co2e == D("1.4")
    assert open_year.by_gas == {"CH4": D("0.12"), "CO2": D("1.08")}
    # The series shows each year by its own settings.
    assert {y: t.total_t for y, t in closed.series.items() if y >= 2023} == {
        2023: D("3.4"),
        2024: D("1.4"),
    }

    # Operational control from now on: the closed year stays at 60 %.
    organisation_update(
        organisation=org, actor=admin, consolidation_approach="operational"
    )
    assert inventory_for_year(organisation=org, year=2023).total_t_co2e == D("3.4")
    assert inventory_for_year(organisation=org, year=2023).by_gas == {
        "CH4": D("0.22"),
        "CO2": D("1.98"),
    }
    # 1000 + 2000 kg; 2000 kg market.
    assert inventory_for_year(organisation=org, year=2024).total_t_co2e == D("5")
    # The workbook of the closed year says which approach its figures use.
    import io

    from openpyxl import load_workbook

    from reports.kinds.inventory_workbook import inventory_workbook

    book = load_workbook(
        io.BytesIO(inventory_workbook(organisation=org, year=2023)), read_only=True
    )
    about = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert about[-1] == (
        "Consolidation approach: Equity share. Each unit's figures are weighted "
        "by its equity share. 2023 keeps the settings fixed when it was submitted."
    )


def test_a_closed_operational_year_stays_whole_under_a_later_equity_approach(
    org, admin, editor, two_years
):
    _close(org, 2023, editor, admin)
    organisation_update(organisation=org, actor=admin, consolidation_approach="equity")
    closed = inventory_for_year(organisation=org, year=2023)
    assert closed.total_t_co2e == D("5")
    assert closed.by_gas == {"CH4": D("0.3"), "CO2": D("2.7")}
    assert inventory_for_year(organisation=org, year=2024).total_t_co2e == D("3.4")


def test_a_submitted_year_keeps_its_settings_and_a_returned_one_follows_again(
    org, admin, editor, two_years
):
    from emissions.services.years import year_return, year_submit

    year_submit(organisation=org, actor=editor, year=2023)
    organisation_update(organisation=org, actor=admin, scope2_headline="location")
    submitted = inventory_for_year(organisation=org, year=2023)
    assert submitted.headline_scope2 == "market"
    assert submitted.total_t_co2e == D("5")
    year_return(organisation=org, actor=admin, year=2023, reason="Check scope 2")
    returned = inventory_for_year(organisation=org, year=2023)
    assert returned.headline_scope2 == "location"
    # 3000 kg scope 1 + 100 kg location-based.
    assert returned.total_t_co2e == D("3.1")


def test_settings_pages_say_which_years_keep_their_settings(
    client_for, org, admin, editor, two_years
):
    from django.urls import reverse

    _close(org, 2023, editor, admin)
    client = client_for(admin)
    note = "Submitted and approved years (2023) keep the settings"
    page = client.get(reverse("settings_organisation", args=[org.slug]))
    assert note in page.content.decode()
    page = client.get(reverse("unit_edit", args=[org.slug, "STO"]))
    assert note in page.content.decode()
