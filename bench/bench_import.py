"""Benchmark: import a 100,000-row activity file, preview and commit.

    python bench/bench_import.py [--rows 100000] [--database-url postgres://...]

Each phase is set against the time python-calamine alone takes to read the same
file (target: at most 5x), and the process's peak memory is reported (target:
under 500 MB).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="cl-bench-import-")
    os.environ["DATABASE_URL"] = (
        args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    )
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbonledger.settings")
    os.environ["IMPORT_MAX_ROWS"] = str(max(args.rows, 200_000))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    from accounts.models import BusinessUnit, Membership, Organisation, User
    from emissions.catalogue import load_activity_types, load_curated_factors
    from emissions.imports.commit import import_commit
    from emissions.imports.preview import import_preview
    from emissions.imports.reading import COLUMNS
    from emissions.imports.rollback import import_rollback
    from emissions.imports.selectors import import_batch_page

    settings.IMPORT_MAX_BYTES = 500 * 1024 * 1024
    call_command("migrate", verbosity=0)
    load_activity_types()
    load_curated_factors()
    org = Organisation.objects.create(slug="bench-import", name="Bench Import AS")
    codes = [f"BU{i:02d}" for i in range(50)]
    for i, code in enumerate(codes):
        BusinessUnit.objects.create(
            organisation=org,
            code=code,
            name=code,
            country=("NO", "SE", "DK", "FI")[i % 4],
        )
    user = User.objects.create_user("bench@example.com", "bench-password-1")
    Membership.objects.create(user=user, organisation=org, role="editor")

    activities = [("electricity", "kWh"), ("district_heating", "kWh")]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Activities")
    sheet.append(COLUMNS)
    for i in range(args.rows):
        activity, unit = activities[i % 2]
        sheet.append(
            [
                codes[i % 50],
                2024,
                activity,
                100 + i % 9000,
                unit,
                None,
                None,
                "measured",
                "",
                f"meter-{i}",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    path = Path(folder) / "activities.xlsx"
    path.write_bytes(data)

    started = time.perf_counter()
    CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Activities").to_python()
    read_s = time.perf_counter() - started

    started = time.perf_counter()
    preview = import_preview(
        organisation=org, actor=user, file_name=path.name, data=data
    )
    preview_s = time.perf_counter() - started
    assert preview.is_valid, preview.error_rows[:3]

    started = time.perf_counter()
    import_batch_page(organisation=org, batch=preview.batch, page=250)
    page_s = time.perf_counter() - started

    started = time.perf_counter()
    batch = import_commit(organisation=org, actor=user, batch=preview.batch)
    commit_s = time.perf_counter() - started
    assert batch.rows_created == args.rows
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    floor_s = database_floor(connection, batch.pk, foreign_keys=True)
    no_keys_s = (
        database_floor(connection, batch.pk, foreign_keys=False)
        if connection.vendor == "postgresql"
        else None
    )

    started = time.perf_counter()
    import_rollback(organisation=org, actor=user, batch=batch)
    rollback_s = time.perf_counter() - started
    vendor = connection.vendor
    print(
        f"import preview {args.rows} rows ({vendor}): {preview_s:.1f} s vs calamine "
        f"{read_s:.2f} s = {preview_s / read_s:.1f}x (target at most 5x)"
    )
    print(
        f"import preview page 250 of {args.rows} rows ({vendor}): {page_s:.2f} s "
        "(no target)"
    )
    print(
        f"import commit {args.rows} rows ({vendor}): {commit_s:.1f} s vs calamine "
        f"{read_s:.2f} s = {commit_s / read_s:.1f}x (target at most 5x)"
    )
    print(
        f"import database floor ({vendor}): {floor_s:.1f} s = "
        f"{floor_s / read_s:.1f}x (the committed rows copied into copies of the "
        "entries and history tables, with their indexes and constraints)"
    )
    if no_keys_s is not None:
        print(
            f"import database floor without foreign keys ({vendor}): "
            f"{no_keys_s:.1f} s = {no_keys_s / read_s:.1f}x"
        )
    print(f"import peak memory ({vendor}): {peak_mb:.0f} MB (target under 500 MB)")
    print(
        f"import rollback {args.rows} rows ({vendor}): {rollback_s:.1f} s (no target)"
    )


def database_floor(connection, batch_pk: int, *, foreign_keys: bool) -> float:
    """Time what the database alone does to store a committed batch.

    The batch's entries and their creation history are copied, in one
    transaction, into new tables built like the entries and history tables
    (columns, indexes, constraints and, unless `foreign_keys` is false, foreign
    keys). No Python work per row is left in that time: it is the least any
    commit of these rows can take on this database. The copies are dropped.
    """
    from django.db import transaction

    from emissions.models import ActivityEntry

    if not foreign_keys and connection.vendor != "postgresql":
        raise ValueError("Foreign keys are left out on PostgreSQL only.")
    tables = {
        "bench_floor_entries": ActivityEntry._meta.db_table,
        "bench_floor_history": ActivityEntry.history.model._meta.db_table,
    }
    with connection.cursor() as cursor:
        for copy, table in tables.items():
            for statement in _copy_table_sql(connection, cursor, table, copy):
                if foreign_keys or "FOREIGN KEY" not in statement:
                    cursor.execute(statement)
    copy_entries, copy_history = tables
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {copy_entries} SELECT * FROM {tables[copy_entries]} "  # noqa: S608
            "WHERE import_batch_id = %s",
            [batch_pk],
        )
        cursor.execute(
            f"INSERT INTO {copy_history} SELECT * FROM {tables[copy_history]} "  # noqa: S608
            "WHERE import_batch_id = %s AND history_type = '+'",
            [batch_pk],
        )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        for copy in tables:
            cursor.execute(f"DROP TABLE {copy}")
    return elapsed


def _copy_table_sql(connection, cursor, table: str, copy: str) -> list[str]:
    """Return the statements that build an empty copy of a table."""
    if connection.vendor == "postgresql":
        statements = [f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)"]
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        statements += [f"ALTER TABLE {copy} ADD {row[0]}" for row in cursor.fetchall()]
        return statements
    # SQLite keeps each table's and index's own CREATE statement; foreign keys
    # are part of the table's.
    cursor.execute(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE tbl_name = %s AND sql IS NOT NULL ORDER BY type = 'index'",
        [table],
    )
    statements = []
    for kind, name, sql in cursor.fetchall():
        sql = sql.replace(f'"{table}"', f'"{copy}"', 1)
        if kind == "index":
            sql = sql.replace(f'"{name}"', f'"{copy}_{name}"', 1)
        statements.append(sql)
    return statements


if __name__ == "__main__":
    main()
