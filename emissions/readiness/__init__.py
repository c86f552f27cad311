"""The readiness review of a year, before it is submitted and approved.

One selector per section, each reading the database on its own (scoped by
organisation), and `year_readiness` putting them together for the year page,
the approval's confirmation and the e-mail to the approvers:

- changes against last year, with the comments the organisation's threshold
  asks for (`changes`);
- completeness: last year's sources missing, months missing, units without
  lines (`completeness`);
- evidence coverage by unit (`evidence`);
- audit findings not resolved (`findings`);
- approximate, unverified, older-edition and own factors (`factors`);
- contractual instruments failing the Scope 2 Quality Criteria
  (`instruments`).

Figures of the whole organisation: for memberships not limited to some units.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Organisation
from emissions.models import Finding, ReportingYear
from emissions.readiness.changes import ChangeReview, year_changes
from emissions.readiness.completeness import Completeness, year_completeness
from emissions.readiness.evidence import EvidenceCoverage, year_evidence_coverage
from emissions.readiness.factors import FactorWarning, year_factor_warnings
from emissions.readiness.findings import open_findings
from emissions.readiness.instruments import FailingInstrument, instruments_failing


@dataclass
class YearReadiness:
    year: int
    changes: ChangeReview
    completeness: Completeness
    evidence: EvidenceCoverage
    findings: list[Finding]
    factors: list[FactorWarning]
    instruments: list[FailingInstrument]

    @property
    def warnings(self) -> dict[str, int]:
        """How many items each section asks to look at."""
        return {
            "comments": len(self.changes.missing_comments),
            "completeness": self.completeness.count,
            "evidence": self.evidence.entries_without,
            "findings": len(self.findings),
            "factors": len(self.factors),
            "instruments": len(self.instruments),
        }

    @property
    def blocks_submit(self) -> bool:
        return bool(self.changes.missing_comments)


def year_readiness(
    *,
    organisation: Organisation,
    year: int,
    reporting_year: ReportingYear | None = None,
) -> YearReadiness:
    """Return every section of a year's readiness review."""
    if reporting_year is None:
        reporting_year = ReportingYear.objects.filter(
            organisation=organisation, year=year
        ).first()
    comments = reporting_year.change_comments if reporting_year else {}
    return YearReadiness(
        year=year,
        changes=year_changes(organisation=organisation, year=year, comments=comments),
        completeness=year_completeness(organisation=organisation, year=year),
        evidence=year_evidence_coverage(organisation=organisation, year=year),
        findings=list(open_findings(organisation=organisation, year=year)),
        factors=year_factor_warnings(organisation=organisation, year=year),
        instruments=instruments_failing(organisation=organisation, year=year),
    )


__all__ = [
    "ChangeReview",
    "Completeness",
    "EvidenceCoverage",
    "FactorWarning",
    "FailingInstrument",
    "YearReadiness",
    "year_changes",
    "year_readiness",
]
