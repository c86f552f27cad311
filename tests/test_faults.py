"""A process killed in the middle of an import or a report leaves nothing partial.

Each test runs the real management command in a subprocess against a database
of its own (a SQLite file, or a fresh PostgreSQL database when the suite runs on
PostgreSQL), kills it with SIGKILL mid-way, and inspects what is left.
"""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from emissions.imports.reading import COLUMNS

ROOT = Path(settings.BASE_DIR)
ROWS = 40_000

SETUP = """
from accounts.models import BusinessUnit, Membership, Organisation, User
from emissions.catalogue import load_activity_types, load_curated_factors
load_activity_types(); load_curated_factors()
org = Organisation.objects.create(slug="fault", name="Fault AS")
BusinessUnit.objects.create(organisation=org, code="OSL", name="Oslo", country="NO")
user = User.objects.create_user("admin@fault.example", "x-very-long-password")
Membership.objects.create(user=user, organisation=org, role="admin")
"""


class Database:
    """A throw-away database reachable from a subprocess."""

    def __init__(self, tmp_path: Path):
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith("postgres")
        if self.postgres:
            import psycopg

            self.name = f"cl_fault_{uuid.uuid4().hex[:8]}"
            base = url.rsplit("/", 1)[0]
            self.admin_url = f"{base}/postgres"
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"{base}/{self.name}"
        else:
            self.path = tmp_path / "fault.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def count(self, sql: str) -> int:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(sql).fetchone()[0]
        with sqlite3.connect(self.path) as conn:
            return conn.execute(sql).fetchone()[0]

    def drop(self) -> None:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    env = {**os.environ, "DATABASE_URL": db.url, "MEDIA_ROOT": str(tmp_path / "media")}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True
    )
    subprocess.run(
        [*manage, "shell", "-c", SETUP], env=env, check=True, capture_output=True
    )
    yield db, env, manage
    db.drop()


def _big_workbook(path: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Activities")
    sheet.append(COLUMNS)
    for i in range(ROWS):
        sheet.append(
            [
                "OSL",
                2024,
                "electricity",
                1000 + i,
                "kWh",
                None,
                None,
                "measured",
                "",
                f"meter-{i}",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())


def _kill_when(
    process: subprocess.Popen, ready, timeout: float = 120, poll: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the command finished before it could be interrupted")
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            return
        time.sleep(poll)
    process.kill()
    pytest.fail("the command never reached the point to interrupt it")


@pytest.mark.slow
def test_import_killed_mid_commit_leaves_no_entries(database, tmp_path):
    db, env, manage = database
    source = tmp_path / "big.xlsx"
    _big_workbook(source)
    process = subprocess.Popen(
        [*manage, "import_activities", str(source), "--org", "fault"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # The command previews, then commits: it checks every row again, saving
    # its progress, and writes all entries in one transaction. Kill it as soon
    # as every row is checked, that is while it writes.

    def writing() -> bool:
        try:
            done = db.count("SELECT MAX(rows_done) FROM emissions_importbatch")
        except Exception:  # the table may be locked for a moment
            return False
        return (done or 0) >= ROWS

    _kill_when(process, writing, poll=0.01)
    assert process.returncode == -signal.SIGKILL
    assert db.count("SELECT COUNT(*) FROM emissions_activityentry") == 0
    assert db.count("SELECT COUNT(*) FROM emissions_historicalactivityentry") == 0
    assert (
        db.count("SELECT COUNT(*) FROM emissions_importbatch WHERE status='committed'")
        == 0
    )


@pytest.mark.slow
def test_report_killed_mid_build_leaves_no_file(database, tmp_path):
    db, env, manage = database
    source = tmp_path / "big.xlsx"
    _big_workbook(source)
    subprocess.run(
        [*manage, "import_activities", str(source), "--org", "fault"],
        env=env,
        check=True,
        capture_output=True,
    )
    build = [*manage, "build_report", "--org", "fault", "--year", "2024", "-o"]
    # Two complete builds first: the first warms the caches (fonts, files), the
    # second tells how long a build takes on this machine.
    for name in ("warm.pdf", "complete.pdf"):
        begun = time.monotonic()
        subprocess.run(
            [*build, str(tmp_path / name)],
            env=env,
            check=True,
            capture_output=True,
        )
        whole = time.monotonic() - begun
    assert (tmp_path / "complete.pdf").read_bytes().startswith(b"%PDF-")
    target = tmp_path / "report.pdf"
    process = subprocess.Popen(
        [*build, str(target)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    begun = time.monotonic()
    _kill_when(process, lambda: time.monotonic() - begun > whole * 0.5)
    assert not target.exists()
    assert db.count("SELECT COUNT(*) FROM emissions_activityentry") == ROWS
