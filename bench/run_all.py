"""Run every benchmark once and write the figures to bench/latest.md.

Each benchmark prints one line per figure, a ratio against its floor and the
target. Nothing here is a test: the numbers depend on the machine. The
PostgreSQL benchmarks get a new, empty database each. bench/RESULTS.md holds
the figures kept, with what they were measured against; it is written by hand
from runs like this one.
"""

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/carbonledger_bench"
)

BENCHMARKS: list[tuple[str, list[str]]] = [
    ("Factor file parsing", ["bench/bench_factor_parse.py"]),
    ("Factor import", ["bench/bench_factor_import.py"]),
    (
        "Factor import, PostgreSQL",
        ["bench/bench_factor_import.py", "--database-url", POSTGRES_URL],
    ),
    ("Activity import, SQLite", ["bench/bench_import.py"]),
    (
        "Activity import, PostgreSQL",
        ["bench/bench_import.py", "--database-url", POSTGRES_URL],
    ),
    ("Inventory query", ["bench/bench_inventory.py"]),
    (
        "Inventory query, PostgreSQL",
        ["bench/bench_inventory.py", "--database-url", POSTGRES_URL],
    ),
    ("Inventory exports", ["bench/bench_export.py"]),
    (
        "Inventory exports, PostgreSQL",
        ["bench/bench_export.py", "--database-url", POSTGRES_URL],
    ),
    ("PDF report", ["bench/bench_report.py"]),
    ("Upload memory", ["bench/bench_upload_memory.py"]),
    ("HTTP throughput", ["bench/bench_http.py"]),
]


def recreate_database(url: str) -> None:
    """Drop and create the PostgreSQL benchmark database, so each run starts empty."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def machine() -> str:
    cores = os.cpu_count()
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory = f"{int(meminfo) / 1024 / 1024:.0f} GiB"
    except (OSError, IndexError, ValueError):
        memory = "unknown"
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, "
        f"{cores} cores, {memory} memory, Python {platform.python_version()}"
    )


def main() -> int:
    lines = [
        "# Benchmark results",
        "",
        f"Run on {datetime.date.today().isoformat()}: {machine()}.",
        "Each line is one figure from one run, as a ratio against its floor.",
        "",
    ]
    failed = 0
    for title, argv in BENCHMARKS:
        script = ROOT / argv[0]
        if not script.exists():
            continue
        print(f"== {title}", flush=True)
        if POSTGRES_URL in argv:
            recreate_database(POSTGRES_URL)
        proc = subprocess.run(
            [sys.executable, *argv], cwd=ROOT, capture_output=True, text=True
        )
        output = proc.stdout.strip()
        print(output, flush=True)
        lines.append(f"## {title}")
        lines.append("")
        if proc.returncode != 0:
            failed += 1
            print(proc.stderr[-2000:], file=sys.stderr)
            lines.append(f"- failed (exit {proc.returncode})")
        lines.extend(f"- {line}" for line in output.splitlines() if line.strip())
        lines.append("")
    (ROOT / "bench" / "latest.md").write_text("\n".join(lines))
    print("Results written to bench/latest.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
