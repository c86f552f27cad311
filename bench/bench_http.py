"""HTTP throughput under load: gunicorn on 127.0.0.1, locust as the client.

Two runs of equal length against the same server: one on the trivial health-check
view (the floor), one on a logged-in organisation page. Prints requests per second
of each and the page's throughput as a share of the floor's.
"""

import csv
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
SECONDS = int(os.environ.get("BENCH_HTTP_SECONDS", "15"))
USERS = int(os.environ.get("BENCH_HTTP_USERS", "16"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_locust(host: str, trivial: bool, workdir: Path) -> float:
    prefix = workdir / ("trivial" if trivial else "page")
    env = {
        **os.environ,
        "BENCH_TRIVIAL_WEIGHT": "1" if trivial else "0",
        "BENCH_VIEWER_WEIGHT": "0" if trivial else "1",
    }
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{SECONDS}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == ("trivial" if trivial else "page"):
                return float(row["Requests/s"])
    raise RuntimeError("locust wrote no figures")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = {
            **os.environ,
            # gunicorn serves with DEBUG off: it needs a key of its own.
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": os.environ.get(
                "DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"
            ),
            "MEDIA_ROOT": str(workdir / "media"),
            "AXES_ENABLED": "off",
            "DEBUG": "off",
        }
        manage = [PY, str(ROOT / "manage.py")]
        subprocess.run(
            [*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True
        )
        subprocess.run([*manage, "seed_demo"], env=env, check=True, capture_output=True)
        subprocess.run(
            [*manage, "collectstatic", "--noinput"],
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "carbonledger.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(os.cpu_count() or 2),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            host = f"http://127.0.0.1:{port}"
            trivial = run_locust(host, True, workdir)
            page = run_locust(host, False, workdir)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"HTTP organisation page: {page:.0f} req/s vs trivial view {trivial:.0f} req/s "
        f"= {page / trivial:.2f} of the floor ({USERS} users, {SECONDS} s each, "
        f"gunicorn {os.cpu_count()} workers)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
