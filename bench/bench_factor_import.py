"""Time importing the DESNZ 2025 flat file through the service into a fresh database.

Usage: python bench/bench_factor_import.py [path-to-desnz-2025-flat-file.xlsx]
                                           [--database-url postgres://...]
Compares parse + factor_set_import into a temporary SQLite database, or the
given (empty) database, against python-calamine reading the sheet alone: best
of five runs each, alternating, every import rolled back (so the commit itself
is not timed). The target is a ratio of at most 3.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _default_file() -> Path:
    folder = (
        os.environ.get("FACTOR_FILES_DIR")
        or REPO / ".." / "shared" / "data" / "factors"
    )
    return Path(folder) / "desnz-2025-flat-file.xlsx"


REPEATS = 5


def _timed(func) -> float:  # noqa: ANN001
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> int:
    """Print one line: import time, calamine time and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=_default_file())
    parser.add_argument(
        "--database-url",
        help="use this (empty) database instead of a temporary SQLite file",
    )
    args = parser.parse_args()
    path = args.path
    if not path.is_file():
        print(f"publisher factor file not found: {path}")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DJANGO_SETTINGS_MODULE"] = "carbonledger.settings"
        os.environ["DATABASE_URL"] = (
            args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction
        from python_calamine import CalamineWorkbook

        from emissions.factor_files import parse_desnz_flat_file
        from emissions.models import EmissionFactor, FactorSetKind
        from emissions.services.factors import factor_set_import

        call_command("migrate", verbosity=0)

        def read_only() -> None:
            book = CalamineWorkbook.from_path(str(path))
            book.get_sheet_by_name("Factors by Category").to_python()

        # Reads and imports alternate, so that other work on the machine
        # weighs on both sides of the ratio alike.
        reads = []
        timings = []
        for _ in range(REPEATS):
            reads.append(_timed(read_only))
            # Each run starts from an empty table: the import is rolled back.
            with transaction.atomic():
                start = time.perf_counter()
                parsed = parse_desnz_flat_file(path)
                factor_set, created = factor_set_import(
                    parsed=parsed, kind=FactorSetKind.DESNZ, file_name=path.name
                )
                took = time.perf_counter() - start
                rows = EmissionFactor.objects.filter(factor_set=factor_set).count()
                transaction.set_rollback(True)
            if not created or rows != len(parsed.rows):
                print("import did not create the expected rows")
                return 1
            timings.append(took)
        database = connection.display_name
    read, imported = min(reads), min(timings)
    print(
        f"factor import {parsed.edition_year} DESNZ into {database}: "
        f"{imported:.3f} s vs calamine {read:.3f} s = {imported / read:.1f}x "
        f"(target <= 3x), {rows} factors; first run {timings[0]:.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
