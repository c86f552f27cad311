"""What a report kind is: its file and how it is built."""

from collections.abc import Callable
from dataclasses import dataclass

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ReportKindSpec:
    """A kind of report: its code, file extension, content type and builder.

    `build(*, organisation, year, language, business_unit)` returns the
    finished file; `year` is None for every year together, which only kinds
    with `every_year` accept.
    """

    code: str  # a reports.models.ReportKind value, stored with each report
    extension: str
    content_type: str
    build: Callable[..., bytes]
    every_year: bool = False
