"""Benchmark: the whole PDF build against WeasyPrint alone on the finished HTML.

    python bench/bench_report.py [--database-url postgres://...] [--units 50]

The build is the selector, the charts, the templates (the appendix lists every
line of the year) and WeasyPrint; the baseline renders the same HTML with
WeasyPrint only. Target: at most 1.5x.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import FIRST_YEAR, YEARS, parse_args, populate, setup_django


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    setup_django(args.database_url)
    from django.db import connection

    from emissions.models import ActivityEntry
    from reports.kinds.annual_pdf import html_to_pdf, render_html
    from reports.selectors import annual_report_data

    org, _seconds = populate(args.units)
    year = FIRST_YEAR + YEARS - 1
    lines = ActivityEntry.objects.filter(
        organisation=org, reporting_year__year=year
    ).count()

    started = time.perf_counter()
    html = render_html(annual_report_data(organisation=org, year=year), language="en")
    pdf = html_to_pdf(html)
    build_s = time.perf_counter() - started
    html_s = build_s
    started = time.perf_counter()
    alone = html_to_pdf(html)
    weasy_s = time.perf_counter() - started

    assert pdf.startswith(b"%PDF") and alone.startswith(b"%PDF")
    del html_s
    print(
        f"PDF build: {build_s:.2f} s vs WeasyPrint alone on the finished HTML "
        f"{weasy_s:.2f} s = {build_s / weasy_s:.2f}x (target at most 1.5x; "
        f"{lines} lines in the year, {len(pdf) // 1024} KiB, {connection.vendor})"
    )


if __name__ == "__main__":
    main()
