"""Benchmark: the dashboard's inventory against a hand-written SQL GROUP BY.

    python bench/bench_inventory.py [--database-url postgres://...]

Both compute the year's scope totals (scope 1, scope 2 location-based, scope 3)
and every year's total since the base year; the totals must be equal. The
inventory does more (market-based scope 2 with instruments, categories, units,
gases, data quality, the effect split), so the ratio shows what that costs.
Target: at most 2x.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import FIRST_YEAR, YEARS, best_of, parse_args, populate, setup_django

RAW_SQL = """
SELECT y.year, e.scope, SUM(e.kg_co2e)
FROM emissions_activityentry e
JOIN emissions_reportingyear y ON y.id = e.reporting_year_id
WHERE e.organisation_id = %s
GROUP BY y.year, e.scope
"""


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    setup_django(args.database_url)
    from django.db import connection

    from emissions.models import ActivityEntry
    from reports.selectors import inventory_for_year

    org, _seconds = populate(args.units)
    rows = ActivityEntry.objects.filter(organisation=org).count()
    year = FIRST_YEAR + YEARS - 1

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [org.pk])
            return cursor.fetchall()

    def selector():
        return inventory_for_year(organisation=org, year=year)

    raw_s, raw_rows = best_of(raw)
    inv_s, inventory = best_of(selector)

    def kg(value) -> Decimal:
        return Decimal(str(value)).quantize(Decimal("0.001"))

    totals = {(y, s): kg(v) for y, s, v in raw_rows}
    scopes = {
        1: inventory.scope1_t_co2e,
        2: inventory.scope2_location_t_co2e,
        3: inventory.scope3_t_co2e,
    }
    for scope, tonnes in scopes.items():
        assert kg(tonnes * 1000) == totals[(year, scope)], (scope, tonnes)
    for series_year, summary in inventory.series.items():
        location = summary.scope1_t + summary.scope2_location_t + summary.scope3_t
        expected = sum(v for (y, _s), v in totals.items() if y == series_year)
        assert kg(location * 1000) == expected, series_year
    print(
        f"inventory query: {inv_s * 1000:.1f} ms vs raw SQL GROUP BY "
        f"{raw_s * 1000:.1f} ms = {inv_s / raw_s:.2f}x (target at most 2x; "
        f"{rows} rows, {connection.vendor}, totals equal)"
    )


if __name__ == "__main__":
    main()
