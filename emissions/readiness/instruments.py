"""Contractual instruments that fail the GHG Protocol's Scope 2 Quality Criteria.

The criteria are checked with the instruments (`emissions.quality_criteria`,
`emissions.selectors_instruments`); the review lists the year's instruments
that fail at least one, with the reasons and the kWh of market-based scope 2
that rely on them. Instruments whose criteria are unknown are not failing:
the year page lists them apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import Organisation
from emissions.models import ContractualInstrument
from emissions.selectors_instruments import instruments_failing_quality_criteria


@dataclass(frozen=True)
class FailingInstrument:
    instrument: ContractualInstrument
    label: str
    covered_kwh: Decimal | None
    reasons: list[str] = field(default_factory=list)


def instruments_failing(
    *, organisation: Organisation, year: int
) -> list[FailingInstrument]:
    """Return the year's instruments failing a criterion, each with its reasons."""
    return [
        FailingInstrument(
            instrument=quality.instrument,
            label=quality.label,
            covered_kwh=quality.covered_kwh,
            reasons=[f"{check.label}: {check.reason}" for check in quality.failed],
        )
        for quality in instruments_failing_quality_criteria(organisation, year)
    ]
