"""Shared set-up of the report benchmarks: a temporary database full of entries.

50 business units x 7 years x 40 activity types x 12 months = 168,000 lines,
inserted with bulk_create. Run from the repository root.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS, YEARS, TYPES, MONTHS = 50, 7, 40, 12
FIRST_YEAR = 2019


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--database-url",
        help="use this (empty) database instead of a temporary SQLite file",
    )
    parser.add_argument("--units", type=int, default=UNITS)
    return parser.parse_args()


def setup_django(database_url: str | None) -> None:
    """Point Django at the benchmark database and create the tables."""
    if database_url is None:
        folder = tempfile.mkdtemp(prefix="cl-bench-")
        database_url = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbonledger.settings")
    os.environ.setdefault("AXES_ENABLED", "off")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(units: int = UNITS):
    """Create the organisation and its lines; return (organisation, seconds)."""
    import datetime

    from accounts.models import BusinessUnit, Organisation, User
    from emissions.models import (
        ActivityEntry,
        ActivityType,
        ContractualInstrument,
        ReportingYear,
    )

    started = time.perf_counter()
    rnd = random.Random(2019)
    user = User.objects.create_user("bench@example.com", "bench-password-1")
    org = Organisation.objects.create(slug="bench", name="Bench Group AS")
    bus = BusinessUnit.objects.bulk_create(
        [
            BusinessUnit(
                organisation=org,
                code=f"BU{i:02d}",
                name=f"Business unit {i}",
                country=("NO", "SE", "DK", "FI")[i % 4],
            )
            for i in range(units)
        ]
    )
    types = []
    for i in range(TYPES):
        scope = 1 if i < 10 else 2 if i < 14 else 3
        types.append(
            ActivityType(
                code=f"bench-type-{i}",
                name=f"Benchmark activity {i}",
                scope=scope,
                scope3_category=(i % 15) + 1 if scope == 3 else None,
                iso_category={1: 1, 2: 2, 3: 4}[scope],
                allowed_units=["kWh"],
                default_unit="kWh",
                factor_source="published",
                organisation=org,
            )
        )
    types = ActivityType.objects.bulk_create(types)
    years = ReportingYear.objects.bulk_create(
        [ReportingYear(organisation=org, year=FIRST_YEAR + y) for y in range(YEARS)]
    )
    qualities = ["measured", "calculated", "estimated", "spend_based"]
    batch = []
    for reporting_year in years:
        for bu in bus:
            for activity_type in types:
                factor = Decimal(rnd.randint(1, 900)) / 1000
                for month in range(1, MONTHS + 1):
                    quantity = Decimal(rnd.randint(100, 100_000))
                    kg = quantity * factor
                    extra = {}
                    if activity_type.scope == 2:
                        extra = {
                            "energy_kwh": quantity,
                            "residual_mix_factor": Decimal("0.4"),
                            "kg_co2e_market": quantity * Decimal("0.4"),
                        }
                    start = datetime.date(reporting_year.year, month, 1)
                    batch.append(
                        ActivityEntry(
                            organisation=org,
                            business_unit=bu,
                            reporting_year=reporting_year,
                            activity_type=activity_type,
                            period_start=start,
                            period_end=start,
                            quantity=quantity,
                            unit="kWh",
                            data_quality=qualities[month % 4],
                            scope=activity_type.scope,
                            scope3_category=activity_type.scope3_category,
                            iso_category=activity_type.iso_category,
                            factor_value=factor,
                            factor_unit="kWh",
                            converted_quantity=quantity,
                            gwp_set="AR5",
                            kg_co2e=kg,
                            kg_by_gas={"CO2": str(kg)}
                            if activity_type.scope == 1
                            else {},
                            created_by=user,
                            updated_by=user,
                            **extra,
                        )
                    )
                    if len(batch) >= 5000:
                        ActivityEntry.objects.bulk_create(batch)
                        batch = []
            ContractualInstrument.objects.create(
                organisation=org,
                business_unit=bu,
                reporting_year=reporting_year,
                kind="go",
                mwh=Decimal(500),
                created_by=user,
                updated_by=user,
            )
    ActivityEntry.objects.bulk_create(batch)
    seconds = time.perf_counter() - started
    _settle()
    return org, seconds


def _settle() -> None:
    """Give PostgreSQL the statistics autovacuum would gather after the load.

    Straight after a bulk load the planner knows nothing of the new rows and
    sorts on disk what it would hash; a live database has been analysed
    within a minute. Both sides of every comparison run after this.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def best_of(function, repeat: int = 3) -> tuple[float, object]:
    """Return the best wall time of a few runs and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result
