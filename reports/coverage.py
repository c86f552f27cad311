"""Contractual instruments in the annual report: coverage and quality criteria.

The figures come from ``emissions.selectors_instruments``; this module reads
them for a report (the organisation, or one unit with its subtree) and writes
the report tables workbook's sheets. The PDF shows them in its scope 2 part
(``reports/pdf/_scope2_instruments.html``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation
from accounts.selectors import unit_subtree_ids
from carbonledger.lib.spreadsheets import Column, SpreadsheetWriter
from emissions.selectors_instruments import (
    InstrumentCoverage,
    InstrumentQuality,
    instrument_coverage,
    instrument_quality_for_year,
)


@dataclass(frozen=True)
class ReportInstruments:
    """What the report says about the year's instruments."""

    coverage: InstrumentCoverage
    # Instruments failing a criterion: the market-based figure relies on them.
    failing: list[InstrumentQuality]
    # Instruments with criteria that could not be checked (and none failed).
    unknown: list[InstrumentQuality]


def report_coverage(
    *,
    organisation: Organisation,
    year: int,
    business_unit: BusinessUnit | None = None,
) -> InstrumentCoverage:
    """Return the coverage of the grid electricity a report covers."""
    return instrument_coverage(
        organisation=organisation,
        year=year,
        unit_ids=unit_subtree_ids(
            organisation=organisation, business_unit=business_unit
        ),
    )


def report_instruments(
    *,
    organisation: Organisation,
    year: int,
    business_unit: BusinessUnit | None = None,
) -> ReportInstruments:
    """Return the coverage and quality of the instruments a report covers."""
    unit_ids = unit_subtree_ids(organisation=organisation, business_unit=business_unit)
    checked = instrument_quality_for_year(
        organisation=organisation, year=year, unit_ids=unit_ids
    )
    return ReportInstruments(
        coverage=instrument_coverage(
            organisation=organisation, year=year, unit_ids=unit_ids
        ),
        failing=[quality for quality in checked if quality.failed],
        unknown=[
            quality for quality in checked if quality.unknown and not quality.failed
        ],
    )


def write_coverage_sheets(
    workbook: SpreadsheetWriter, coverage: InstrumentCoverage
) -> None:
    """Add the coverage by business unit and by kind of instrument, with totals."""
    by_unit = workbook.table(
        _("Instrument coverage by unit"),
        [
            Column(_("Code")),
            Column(_("Business unit")),
            Column(_("Grid electricity (kWh)"), "quantity"),
            Column(_("Covered by instruments (kWh)"), "quantity"),
            Column(_("Share covered (%)"), "percent"),
        ],
    )
    for line in coverage.by_unit:
        by_unit.append(
            [
                line.code,
                line.name,
                line.consumed_kwh,
                line.covered_kwh,
                line.share_pct,
            ]
        )
    by_unit.append(
        [
            _("Total"),
            "",
            coverage.consumed_kwh,
            coverage.covered_kwh,
            coverage.share_pct,
        ]
    )
    by_kind = workbook.table(
        _("Instrument coverage by type"),
        [
            Column(_("Instrument type")),
            Column(_("Instruments"), "integer"),
            Column(_("Covered by instruments (kWh)"), "quantity"),
            Column(_("Share of grid electricity (%)"), "percent"),
        ],
    )
    for line in coverage.by_kind:
        by_kind.append([line.label, line.instruments, line.covered_kwh, line.share_pct])
    by_kind.append(
        [
            _("Total"),
            coverage.instrument_count,
            coverage.covered_kwh,
            coverage.share_pct,
        ]
    )
