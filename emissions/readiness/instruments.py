"""Contractual instruments that fail the GHG Protocol's Scope 2 Quality Criteria.

Extension point: the check itself belongs with the instruments. The review
imports the function named by QUALITY_CRITERIA_CHECK, called as
``instruments_failing_quality_criteria(organisation, year)`` and returning an
iterable of instruments, or of objects with ``.instrument`` and ``.reasons``
(a list of texts). Until that function can be imported, the review shows no
such section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

from accounts.models import Organisation

QUALITY_CRITERIA_CHECK = (
    "emissions.selectors_instruments.instruments_failing_quality_criteria"
)


@dataclass(frozen=True)
class FailingInstrument:
    instrument: object
    reasons: list[str] = field(default_factory=list)


def quality_criteria_check() -> Callable | None:
    """Return the instruments' Quality Criteria check, or None while there is none."""
    try:
        return import_string(QUALITY_CRITERIA_CHECK)
    except ImportError:
        return None


def instruments_failing(
    *, organisation: Organisation, year: int
) -> list[FailingInstrument] | None:
    """Return the year's instruments failing the criteria (None: no check yet)."""
    check = quality_criteria_check()
    if check is None:
        return None
    return [
        FailingInstrument(
            instrument=getattr(item, "instrument", item),
            reasons=[str(reason) for reason in getattr(item, "reasons", []) or []],
        )
        for item in check(organisation, year)
    ]
