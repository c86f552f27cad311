"""Audit findings: raised by auditors on an entry or a year, answered by editors.

Findings do not change the inventory, so they are allowed on locked years too.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.roles import Capability
from accounts.tenancy import membership_for_write
from emissions.models import ActivityEntry, Finding, FindingStatus, ReportingYear

TEXT_REQUIRED = _("Write the finding.")
ANSWER_REQUIRED = _("Write an answer.")
ALREADY_RESOLVED = _("This finding is already resolved.")
NOT_RESOLVED = _("Only a resolved finding can be reopened.")
WRONG_ORGANISATION = _("That entry or year belongs to another organisation.")


@transaction.atomic
def finding_create(
    *,
    organisation: Organisation,
    actor: User,
    text: str,
    reporting_year: ReportingYear | None = None,
    entry: ActivityEntry | None = None,
) -> Finding:
    """Record an auditor's finding on an entry or a year."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.AUDIT
    )
    if not text.strip():
        raise ValidationError({"text": TEXT_REQUIRED})
    if entry is not None:
        reporting_year = entry.reporting_year
    if reporting_year is None or reporting_year.organisation_id != organisation.pk:
        raise ValidationError(WRONG_ORGANISATION)
    if entry is not None and entry.organisation_id != organisation.pk:
        raise ValidationError(WRONG_ORGANISATION)
    return Finding.objects.create(
        organisation=organisation,
        reporting_year=reporting_year,
        entry=entry,
        text=text.strip(),
        raised_by=actor,
    )


@transaction.atomic
def finding_answer(
    *, organisation: Organisation, actor: User, finding: Finding, answer: str
) -> Finding:
    """Answer a finding (editors and administrators)."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.ANSWER
    )
    if finding.status == FindingStatus.RESOLVED:
        raise ValidationError(ALREADY_RESOLVED)
    if not answer.strip():
        raise ValidationError({"answer": ANSWER_REQUIRED})
    finding.answer = answer.strip()
    finding.answered_by = actor
    finding.answered_at = timezone.now()
    finding.status = FindingStatus.ANSWERED
    finding.save()
    return finding


@transaction.atomic
def finding_resolve(
    *, organisation: Organisation, actor: User, finding: Finding
) -> Finding:
    """Close a finding (the auditor)."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.AUDIT
    )
    if finding.status == FindingStatus.RESOLVED:
        raise ValidationError(ALREADY_RESOLVED)
    finding.status = FindingStatus.RESOLVED
    finding.resolved_at = timezone.now()
    finding.save()
    return finding


@transaction.atomic
def finding_reopen(
    *, organisation: Organisation, actor: User, finding: Finding
) -> Finding:
    """Reopen a resolved finding (the auditor)."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.AUDIT
    )
    if finding.status != FindingStatus.RESOLVED:
        raise ValidationError(NOT_RESOLVED)
    finding.status = FindingStatus.OPEN
    finding.resolved_at = None
    finding.save()
    return finding
