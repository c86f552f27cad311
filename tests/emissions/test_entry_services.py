"""entry_create / entry_update / entry_delete with the real factor resolution."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from emissions.models import ActivityEntry, ReportingYear, YearStatus
from emissions.services.entries import (
    EntryConflict,
    entry_create,
    entry_delete,
    entry_update,
)
from tests.emissions.entries_support import load_reference, make_entry
from tests.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    ReportingYearFactory,
    UserFactory,
)

D = Decimal


@pytest.fixture
def catalogue(db):
    return load_reference()


def test_grid_electricity_in_norway_2024_uses_the_curated_factor(
    org, unit, editor, catalogue
):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    entry.refresh_from_db()
    # grid_factors.csv: NO 2024 location 11.9 g/kWh (unverified); NVE's
    # residual mix 402 g/kWh is published for 2020 only and used for 2024.
    assert entry.kg_co2e == D("119")  # 10 000 kWh x 0.0119 kg/kWh
    assert entry.t_co2e == D("0.119")
    assert entry.kg_co2e_market == D("4020")  # 10 000 kWh x 0.402 kg/kWh
    assert entry.factor_value == D("0.0119")
    assert entry.factor.is_unverified
    assert "residual mix residual_mix|NO|national 2020 used for 2024" in (
        entry.factor_note
    )
    assert entry.factor_key == "grid_location|NO"
    assert entry.scope == 2
    assert entry.reporting_year.year == 2024
    assert entry.version == 1
    assert entry.created_by == editor


def test_megawatt_hours_are_converted_before_the_factor(org, unit, editor, catalogue):
    entry = make_entry(
        org=org,
        actor=editor,
        unit=unit,
        catalogue=catalogue,
        quantity="2.5",
        unit_code="MWh",
    )
    entry.refresh_from_db()
    assert entry.converted_quantity == D("2500")
    assert entry.kg_co2e == D("29.75")  # 2 500 kWh x 0.0119


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-1", "cannot be negative"),
        ("abc", "must be a number"),
        ("NaN", "finite number"),
        ("Infinity", "finite number"),
        ("1000000000000", "implausibly large"),
        ("0.000000000001", "at most 10 decimal places"),
    ],
)
def test_bad_quantities_are_refused_and_nothing_is_saved(
    org, unit, editor, catalogue, quantity, message
):
    with pytest.raises(ValidationError) as error:
        entry_create(
            organisation=org,
            actor=editor,
            business_unit=unit,
            year=2024,
            activity_type=catalogue["electricity"],
            quantity=quantity,
            unit="kWh",
        )
    assert message in " ".join(error.value.messages)
    assert ActivityEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("unit_code", "message"),
    [("furlong", "not a known unit"), ("litre", "cannot be used for")],
)
def test_unknown_and_disallowed_units_are_refused(
    org, unit, editor, catalogue, unit_code, message
):
    with pytest.raises(ValidationError) as error:
        make_entry(
            org=org, actor=editor, unit=unit, catalogue=catalogue, unit_code=unit_code
        )
    assert message in " ".join(error.value.messages)
    assert ActivityEntry.objects.count() == 0


@pytest.mark.parametrize("year", [2008, 2100])
def test_a_year_outside_the_range_is_refused(org, unit, editor, catalogue, year):
    with pytest.raises(ValidationError) as error:
        make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue, year=year)
    assert "outside the organisation's range" in " ".join(error.value.messages)
    assert not ReportingYear.objects.filter(year=year).exists()


def test_a_business_unit_of_another_organisation_is_refused(
    org, other_org, editor, catalogue
):
    foreign = BusinessUnitFactory(organisation=other_org, code="STO", country="SE")
    with pytest.raises(ValidationError) as error:
        make_entry(org=org, actor=editor, unit=foreign, catalogue=catalogue)
    assert "does not belong to this organisation" in error.value.messages[0]
    assert ActivityEntry.objects.count() == 0


def test_a_unit_that_had_left_the_organisation_is_refused(org, editor, catalogue):
    sold = BusinessUnitFactory(organisation=org, code="OLD", year_left=2020)
    with pytest.raises(ValidationError) as error:
        make_entry(org=org, actor=editor, unit=sold, catalogue=catalogue)
    assert "did not belong to the organisation in 2024" in error.value.messages[0]


@pytest.mark.parametrize(
    ("status", "message"),
    [(YearStatus.APPROVED, "approved and locked"), (YearStatus.SUBMITTED, "submitted")],
)
def test_locked_and_submitted_years_refuse_new_entries(
    org, unit, editor, admin, catalogue, status, message
):
    ReportingYearFactory(organisation=org, year=2024, status=status)
    with pytest.raises(ValidationError) as error:
        make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    assert message in error.value.messages[0]
    assert ActivityEntry.objects.count() == 0


def test_a_period_outside_the_year_is_refused(org, unit, editor, catalogue):
    import datetime

    with pytest.raises(ValidationError) as error:
        make_entry(
            org=org,
            actor=editor,
            unit=unit,
            catalogue=catalogue,
            period_start=datetime.date(2023, 12, 1),
            period_end=datetime.date(2024, 1, 31),
        )
    assert error.value.messages == ["The date is outside the year 2024."]


def test_an_editor_limited_to_other_units_cannot_write(org, unit, catalogue):
    bergen = BusinessUnitFactory(organisation=org, code="BGO")
    user = UserFactory(email="limited@acme.example")
    membership = MembershipFactory(user=user, organisation=org, role=Role.EDITOR)
    membership.business_units.add(bergen)
    with pytest.raises(ValidationError) as error:
        make_entry(org=org, actor=user, unit=unit, catalogue=catalogue)
    assert "OSL is not one of them" in error.value.messages[0]
    assert make_entry(org=org, actor=user, unit=bergen, catalogue=catalogue).pk


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_members_without_edit_cannot_write(request, org, unit, catalogue, role):
    user = request.getfixturevalue(role)
    with pytest.raises(ValidationError) as error:
        make_entry(org=org, actor=user, unit=unit, catalogue=catalogue)
    assert "does not allow" in error.value.messages[0]


def test_outsider_cannot_write(org, unit, outsider, catalogue):
    with pytest.raises(ValidationError):
        make_entry(org=org, actor=outsider, unit=unit, catalogue=catalogue)


def test_update_recalculates_and_bumps_the_version(org, unit, editor, catalogue):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    updated = entry_update(
        organisation=org, actor=editor, entry=entry, version=1, quantity=D("20000")
    )
    updated.refresh_from_db()
    assert updated.kg_co2e == D("238")  # 20 000 kWh x 0.0119
    assert updated.version == 2


def test_two_saves_with_the_same_version_the_second_raises_and_keeps_the_first(
    org, unit, editor, admin, catalogue
):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    entry_update(
        organisation=org, actor=editor, entry=entry, version=1, quantity=D("12000")
    )
    with pytest.raises(EntryConflict) as error:
        entry_update(
            organisation=org,
            actor=admin,
            entry=entry,
            version=1,
            quantity=D("15000"),
            comment="from the invoice",
        )
    message = error.value.messages[0]
    assert "12000" in message and "15000" in message
    assert error.value.stored["quantity"] == D("12000")
    assert error.value.attempted["quantity"] == D("15000")
    entry.refresh_from_db()
    assert entry.quantity == D("12000")
    assert entry.kg_co2e == D("142.8")  # 12 000 x 0.0119, the first save
    assert entry.comment == ""
    assert entry.version == 2


def test_update_with_a_bad_quantity_changes_nothing(org, unit, editor, catalogue):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    with pytest.raises(ValidationError):
        entry_update(
            organisation=org, actor=editor, entry=entry, version=1, quantity="-5"
        )
    entry.refresh_from_db()
    assert (entry.quantity, entry.version) == (D("10000"), 1)


def test_update_and_delete_refused_in_a_locked_year(org, unit, editor, catalogue):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    ReportingYear.objects.filter(pk=entry.reporting_year_id).update(
        status=YearStatus.APPROVED
    )
    with pytest.raises(ValidationError):
        entry_update(organisation=org, actor=editor, entry=entry, version=1, quantity=1)
    with pytest.raises(ValidationError):
        entry_delete(organisation=org, actor=editor, entry=entry)
    assert ActivityEntry.objects.get().quantity == D("10000")


def test_delete_removes_the_entry_and_keeps_its_history(org, unit, editor, catalogue):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    entry_delete(organisation=org, actor=editor, entry=entry)
    assert ActivityEntry.objects.count() == 0
    last = ActivityEntry.history.order_by("-history_id").first()
    assert last.history_type == "-"
    assert last.history_user == editor


def test_calculation_errors_are_passed_on_as_validation_errors(
    org, editor, catalogue, monkeypatch
):
    from emissions import resolution

    def refuse(**kwargs):
        raise ValidationError("No factor for that year.")

    monkeypatch.setattr(resolution, "calculate_entry", refuse)
    unit = BusinessUnitFactory(organisation=org, code="X")
    with pytest.raises(ValidationError, match="No factor"):
        make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    assert ActivityEntry.objects.count() == 0
