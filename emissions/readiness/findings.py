"""Audit findings of a year that are not resolved yet."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Organisation
from emissions.models import Finding, FindingStatus


def open_findings(*, organisation: Organisation, year: int) -> QuerySet[Finding]:
    """Return the year's findings that are open or answered, oldest first.

    An answered finding waits for the auditor to resolve it: it is still open
    for the approval.
    """
    return (
        Finding.objects.filter(organisation=organisation, reporting_year__year=year)
        .exclude(status=FindingStatus.RESOLVED)
        .select_related("entry__business_unit", "entry__activity_type", "raised_by")
        .order_by("raised_at", "pk")
    )


def finding_line(finding: Finding) -> str:
    """Name a finding in one line, as the year's record keeps it."""
    where = ""
    if finding.entry is not None:
        where = (
            f" ({finding.entry.business_unit.code}, {finding.entry.activity_type.name})"
        )
    return f"#{finding.pk}{where}: {finding.text}"
