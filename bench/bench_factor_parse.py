"""Time parsing the DESNZ 2025 flat file against calamine reading it alone.

Usage: python bench/bench_factor_parse.py [path-to-desnz-2025-flat-file.xlsx]
The target is a ratio of at most 3: the parser may add twice the read time.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from python_calamine import CalamineWorkbook  # noqa: E402

from emissions.factor_files import parse_desnz_flat_file  # noqa: E402

REPEATS = 5


def _default_file() -> Path:
    folder = (
        os.environ.get("FACTOR_FILES_DIR")
        or REPO / ".." / "shared" / "data" / "factors"
    )
    return Path(folder) / "desnz-2025-flat-file.xlsx"


def _timed(func) -> float:  # noqa: ANN001
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> int:
    """Print read time, parse time and their ratio."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else _default_file()
    if not path.is_file():
        print(f"publisher factor file not found: {path}")
        return 1

    def read_only() -> None:
        book = CalamineWorkbook.from_path(str(path))
        book.get_sheet_by_name("Factors by Category").to_python()

    # Reads and parses alternate, so that other work on the machine weighs on
    # both sides of the ratio alike.
    reads, parses = [], []
    for _ in range(REPEATS):
        reads.append(_timed(read_only))
        parses.append(_timed(lambda: parse_desnz_flat_file(path)))
    read, parse = min(reads), min(parses)
    print(f"calamine read : {read * 1000:8.1f} ms")
    print(f"full parse    : {parse * 1000:8.1f} ms")
    print(f"ratio         : {parse / read:8.2f}x (target <= 3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
