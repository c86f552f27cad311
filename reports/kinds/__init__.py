"""The kinds of report: one module each, named in one table.

    annual_pdf.py          the annual carbon report (PDF)
    tables_workbook.py     the annual report's tables (Excel)
    eco_lighthouse.py      the Eco-Lighthouse environmental figures (Excel)
    inventory_workbook.py  the full inventory for auditors (Excel)

A module defines `KIND`: its code (a `ReportKind` value), file extension,
content type and build function. A new kind (a disclosure format) is a module
and a line in `REPORT_KINDS`, with its `ReportKind` choice.
"""

from reports.kinds import (
    annual_pdf,
    eco_lighthouse,
    inventory_workbook,
    tables_workbook,
)
from reports.kinds.base import ReportKindSpec

REPORT_KINDS: dict[str, ReportKindSpec] = {
    kind.code: kind
    for kind in (
        annual_pdf.KIND,
        tables_workbook.KIND,
        eco_lighthouse.KIND,
        inventory_workbook.KIND,
    )
}

__all__ = ["REPORT_KINDS", "ReportKindSpec"]
