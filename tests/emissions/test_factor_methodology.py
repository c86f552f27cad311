"""GWP set changes and re-applied factors: recorded, open years only."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from emissions.catalogue import load_activity_types
from emissions.factor_files.common import ParsedFactor, ParsedFactorFile
from emissions.models import (
    ActivityEntry,
    ActivityType,
    MethodologyChange,
    YearStatus,
)
from emissions.resolution import calculate_entry
from emissions.services.factors import (
    factor_reapply,
    factor_set_import,
    organisation_change_gwp_set,
)
from tests.factories import ReportingYearFactory

D = Decimal
GAS_KEY = "fuels|gaseous fuels|natural gas|kWh_gross"


def _desnz(year, value):
    parsed = ParsedFactorFile(
        publisher="DESNZ",
        name=f"DESNZ {year}",
        edition_year=year,
        version="1",
        region="GB",
        source_url="",
        licence="",
        gwp_basis="AR5",
        checksum_sha256=f"desnz-{year}",
        rows=[
            ParsedFactor(
                key=GAS_KEY,
                scope_label="Scope 1",
                path=("Fuels", "Gaseous fuels", "Natural gas"),
                column_text="",
                unit="kWh_gross",
                unit_label="kWh (Gross CV)",
                co2e=D(value),
                gases={},
                gas_basis="co2e",
                source_note="",
            )
        ],
    )
    return factor_set_import(parsed=parsed, kind="desnz")[0]


def _entry(org, unit, user, year, code, quantity, unit_code, status="open"):
    activity_type = ActivityType.objects.get(organisation=None, code=code)
    reporting_year = ReportingYearFactory(organisation=org, year=year)
    if reporting_year.status != status:
        reporting_year.status = status
        reporting_year.save()
    calculation = calculate_entry(
        organisation=org,
        business_unit=unit,
        year=year,
        activity_type=activity_type,
        quantity=D(quantity),
        unit=unit_code,
    )
    return ActivityEntry.objects.create(
        organisation=org,
        business_unit=unit,
        reporting_year=reporting_year,
        activity_type=activity_type,
        quantity=D(quantity),
        unit=unit_code,
        created_by=user,
        updated_by=user,
        **calculation.as_model_fields(),
    )


@pytest.fixture
def catalogue(db):
    load_activity_types()


def test_gwp_change_recalculates_open_years_only(org, unit, admin, catalogue):
    locked = _entry(org, unit, admin, 2023, "refrigerant_r410a", "10", "kg", "approved")
    open_ = _entry(org, unit, admin, 2024, "refrigerant_r410a", "10", "kg")
    assert open_.kg_co2e == D("19235")  # 10 kg x 1923.5 (AR5)

    change = organisation_change_gwp_set(
        organisation=org, actor=admin, gwp_set="AR6", reason="Align with AR6"
    )

    open_.refresh_from_db()
    locked.refresh_from_db()
    assert open_.kg_co2e == D("22555")  # 10 kg x 2255.5 (AR6)
    assert open_.gwp_set == "AR6"
    assert open_.version == 2
    assert locked.kg_co2e == D("19235")
    assert locked.gwp_set == "AR5"
    org.refresh_from_db()
    assert org.gwp_set == "AR6"
    assert change.years_recalculated == [2024]
    assert change.years_skipped == [2023]
    assert (change.entries_recalculated, change.entries_changed) == (1, 1)
    assert (change.kg_before, change.kg_after) == (D("19235"), D("22555"))
    assert "not recalculated: 2023" in change.note


def test_gwp_change_needs_a_reason_and_a_new_set(org, admin):
    with pytest.raises(ValidationError, match="reason"):
        organisation_change_gwp_set(
            organisation=org, actor=admin, gwp_set="AR6", reason=" "
        )
    with pytest.raises(ValidationError, match="already uses AR5"):
        organisation_change_gwp_set(
            organisation=org, actor=admin, gwp_set="AR5", reason="x"
        )
    assert MethodologyChange.objects.count() == 0


def test_reapply_uses_a_newly_loaded_edition_and_records_it(
    org, unit, admin, catalogue
):
    _desnz(2021, "0.18316")
    entry = _entry(org, unit, admin, 2024, "natural_gas", "1000", "kWh_gross")
    assert entry.kg_co2e == D("183.16")
    _desnz(2024, "0.1829")

    change = factor_reapply(organisation=org, actor=admin, reporting_year=2024)

    entry.refresh_from_db()
    assert entry.kg_co2e == D("182.9")
    assert entry.factor_set.edition_year == 2024
    assert entry.updated_by == admin
    assert (change.entries_recalculated, change.entries_changed) == (1, 1)
    assert (change.kg_before, change.kg_after) == (D("183.16"), D("182.9"))


def test_reapply_without_changes_changes_nothing(org, unit, admin, catalogue):
    _desnz(2024, "0.1829")
    entry = _entry(org, unit, admin, 2024, "natural_gas", "1000", "kWh_gross")
    change = factor_reapply(organisation=org, actor=admin, reporting_year=2024)
    entry.refresh_from_db()
    assert entry.version == 1
    assert change.entries_changed == 0


def test_reapply_refuses_a_locked_year(org, unit, admin, catalogue):
    _desnz(2021, "0.18316")
    entry = _entry(org, unit, admin, 2022, "natural_gas", "1", "kWh_gross", "approved")
    _desnz(2022, "0.2")
    with pytest.raises(ValidationError, match="locked"):
        factor_reapply(organisation=org, actor=admin, reporting_year=2022)
    entry.refresh_from_db()
    assert entry.kg_co2e == D("0.18316")
    assert entry.reporting_year.status == YearStatus.APPROVED
    assert MethodologyChange.objects.count() == 0


def test_reapply_of_an_unknown_year_is_refused(org, admin):
    with pytest.raises(ValidationError, match="no reporting year 2030"):
        factor_reapply(organisation=org, actor=admin, reporting_year=2030)
