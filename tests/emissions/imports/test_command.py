"""`manage.py import_activities`: the same import as the pages."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from emissions.models import ActivityEntry, ImportBatch
from tests.emissions.imports.support import (
    GOOD,
    xlsx,
)

pytestmark = pytest.mark.django_db


def test_command_dry_run_writes_nothing(org, admin, unit, catalogue, tmp_path):
    path = tmp_path / "q1.xlsx"
    path.write_bytes(xlsx(GOOD))
    call_command("import_activities", str(path), org=org.slug, dry_run=True)
    assert ActivityEntry.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    call_command("import_activities", str(path), org=org.slug)
    assert ActivityEntry.objects.count() == 2


def test_command_reports_errors_and_fails(org, admin, unit, catalogue, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([["OSL", 2024, "electricity", -1, "kWh"]]))
    with pytest.raises(CommandError, match="1 rows have errors"):
        call_command("import_activities", str(path), org=org.slug)
    assert ActivityEntry.objects.count() == 0
