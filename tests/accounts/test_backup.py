from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Organisation
from emissions.models import (
    ActivityEntry,
    ActivityType,
    EvidenceDocument,
    ReportingYear,
)
from tests.factories import BusinessUnitFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _inventory():
    org = OrganisationFactory(slug="backup-org")
    user = UserFactory(email="keeper@example.com")
    unit = BusinessUnitFactory(organisation=org, code="OSL")
    activity = ActivityType.objects.create(
        code="natural_gas_test",
        name="Natural gas",
        scope=1,
        iso_category=1,
        allowed_units=["kWh_gross"],
        default_unit="kWh_gross",
        factor_source="published",
    )
    for year, quantity in ((2019, "12345"), (2024, "1000.5")):
        reporting_year = ReportingYear.objects.create(organisation=org, year=year)
        kg = Decimal(quantity) * Decimal("0.18316")
        ActivityEntry.objects.create(
            organisation=org,
            business_unit=unit,
            reporting_year=reporting_year,
            activity_type=activity,
            quantity=Decimal(quantity),
            unit="kWh_gross",
            scope=1,
            iso_category=1,
            converted_quantity=Decimal(quantity),
            factor_value=Decimal("0.18316"),
            kg_co2e=kg,
            created_by=user,
            updated_by=user,
        )
    return org, user


def test_backup_and_restore_round_trip_preserves_every_total(tmp_path, settings):
    org, user = _inventory()
    evidence_dir = tmp_path / "media" / "evidence"
    evidence_dir.mkdir(parents=True)
    (evidence_dir / "invoice.pdf").write_bytes(b"%PDF-1.4 invoice")
    archive = tmp_path / "backup.tar.gz"

    call_command("backup_data", output=str(archive))
    call_command("flush", interactive=False, verbosity=0)
    (evidence_dir / "invoice.pdf").unlink()
    assert ActivityEntry.objects.count() == 0

    call_command("restore_data", str(archive))

    assert Organisation.objects.get(slug="backup-org").name == org.name
    kg = sorted(ActivityEntry.objects.values_list("kg_co2e", flat=True))
    assert kg == [Decimal("183.2515800000"), Decimal("2261.1102000000")]
    assert (evidence_dir / "invoice.pdf").read_bytes() == b"%PDF-1.4 invoice"
    assert EvidenceDocument.objects.count() == 0


def test_restore_refuses_a_database_that_already_has_data(tmp_path):
    _inventory()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup_data", output=str(archive))
    with pytest.raises(CommandError, match="already holds organisations"):
        call_command("restore_data", str(archive))


def test_restore_refuses_a_file_that_is_not_an_archive(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="Not a CarbonLedger backup archive"):
        call_command("restore_data", str(bogus))
