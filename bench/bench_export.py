"""Benchmark: the inventory exports of 168,000 entries (50 units, 7 years).

    python bench/bench_export.py [--database-url postgres://...]

Times the auditor workbook (.xlsx, openpyxl) and the CSV of one year and of
every year. No target: the figures decide how many entries a workbook may
have before it is built in the background (INVENTORY_DIRECT_ENTRIES).
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import FIRST_YEAR, YEARS, parse_args, populate, setup_django


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    setup_django(args.database_url)
    from django.db import connection

    from emissions.exporting import entries_csv, entries_of
    from reports.kinds.inventory_workbook import inventory_workbook

    org, _seconds = populate(args.units)
    year = FIRST_YEAR + YEARS - 1
    for label, selected in ((str(year), year), ("every year", None)):
        count = entries_of(org, selected).count()
        for name, export in (("xlsx", inventory_workbook), ("csv", entries_csv)):
            started = time.perf_counter()
            payload = export(organisation=org, year=selected)
            seconds = time.perf_counter() - started
            print(
                f"export {name}, {label} ({count} entries, {connection.vendor}): "
                f"{seconds:.1f} s, {count / seconds:,.0f} entries/s, "
                f"{len(payload) / 1024 / 1024:.1f} MB (no target)"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"export peak memory ({connection.vendor}): {peak:.0f} MB")


if __name__ == "__main__":
    main()
