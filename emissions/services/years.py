"""The year workflow: open → submitted → approved (locked), and back with a reason."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.roles import Capability
from accounts.tenancy import membership_for_write
from emissions.models import ReportingYear, YearStatus
from emissions.selectors_factors import factor_label, unverified_factors_for_year
from emissions.services.locks import reporting_year_for
from emissions.year_settings import fixed_settings_for

SUBMIT_NOT_OPEN = _("Only an open year can be submitted; %(year)s is %(status)s.")
RETURN_NOT_SUBMITTED = _(
    "Only a submitted year can be returned; %(year)s is %(status)s."
)
APPROVE_NOT_SUBMITTED = _(
    "Only a submitted year can be approved; %(year)s is %(status)s."
)
APPROVE_OWN_SUBMISSION = _(
    "You submitted %(year)s yourself; another administrator must approve it "
    "(four-eyes rule)."
)
UNLOCK_NOT_APPROVED = _(
    "Only an approved year can be unlocked; %(year)s is %(status)s."
)
REASON_REQUIRED = _("Give a reason; it is kept in the year's history.")
UNVERIFIED_NOT_CONFIRMED = _(
    "%(year)s uses factors that were not checked against their publication: "
    "%(factors)s. Confirm that you approve the year with them."
)


def _locked_year(*, organisation: Organisation, year: int) -> ReportingYear:
    reporting_year = reporting_year_for(organisation=organisation, year=year)
    return ReportingYear.objects.select_for_update().get(pk=reporting_year.pk)


def _status_params(reporting_year: ReportingYear) -> dict:
    return {
        "year": reporting_year.year,
        "status": reporting_year.get_status_display().lower(),
    }


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    return reason


def _save(reporting_year: ReportingYear, actor: User, reason: str) -> ReportingYear:
    reporting_year._history_user = actor
    reporting_year._change_reason = reason
    reporting_year.save()
    return reporting_year


@transaction.atomic
def year_submit(*, organisation: Organisation, actor: User, year: int) -> ReportingYear:
    """Submit an open year for approval (editor or administrator)."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.SUBMIT
    )
    reporting_year = _locked_year(organisation=organisation, year=year)
    if reporting_year.status != YearStatus.OPEN:
        raise ValidationError(
            SUBMIT_NOT_OPEN, code="not_open", params=_status_params(reporting_year)
        )
    reporting_year.status = YearStatus.SUBMITTED
    # From here on the year's figures keep these settings (see year_settings).
    reporting_year.fixed_settings = fixed_settings_for(organisation)
    reporting_year.submitted_by = actor
    reporting_year.submitted_at = timezone.now()
    reporting_year.approved_by = None
    reporting_year.approved_at = None
    return _save(reporting_year, actor, "submitted")


@transaction.atomic
def year_return(
    *, organisation: Organisation, actor: User, year: int, reason: str
) -> ReportingYear:
    """Send a submitted year back to open, with a reason (administrator)."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.APPROVE
    )
    reason = _clean_reason(reason)
    reporting_year = _locked_year(organisation=organisation, year=year)
    if reporting_year.status != YearStatus.SUBMITTED:
        raise ValidationError(
            RETURN_NOT_SUBMITTED,
            code="not_submitted",
            params=_status_params(reporting_year),
        )
    reporting_year.status = YearStatus.OPEN
    reporting_year.fixed_settings = {}
    reporting_year.submitted_by = None
    reporting_year.submitted_at = None
    return _save(reporting_year, actor, f"returned: {reason}")


@transaction.atomic
def year_approve(
    *,
    organisation: Organisation,
    actor: User,
    year: int,
    confirm_unverified: bool = False,
) -> ReportingYear:
    """Approve and lock a submitted year; the approver is not the submitter.

    A year whose figures rely on unverified factors is approved only with
    ``confirm_unverified``; the factors confirmed are kept on the year and in
    its history.
    """
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.APPROVE
    )
    reporting_year = _locked_year(organisation=organisation, year=year)
    if reporting_year.status != YearStatus.SUBMITTED:
        raise ValidationError(
            APPROVE_NOT_SUBMITTED,
            code="not_submitted",
            params=_status_params(reporting_year),
        )
    if reporting_year.submitted_by_id == actor.pk:
        raise ValidationError(
            APPROVE_OWN_SUBMISSION,
            code="four_eyes",
            params={"year": reporting_year.year},
        )
    unverified = [
        factor_label(f)
        for f in unverified_factors_for_year(organisation=organisation, year=year)
    ]
    if unverified and not confirm_unverified:
        raise ValidationError(
            UNVERIFIED_NOT_CONFIRMED,
            code="unverified_factors",
            params={"year": reporting_year.year, "factors": "; ".join(unverified)},
        )
    reporting_year.status = YearStatus.APPROVED
    if not reporting_year.fixed_settings:
        reporting_year.fixed_settings = fixed_settings_for(organisation)
    reporting_year.approved_by = actor
    reporting_year.approved_at = timezone.now()
    reporting_year.unverified_factors_confirmed = "\n".join(unverified)
    reason = "approved"
    if unverified:
        reason = f"approved, {len(unverified)} unverified factor(s) confirmed"
    return _save(reporting_year, actor, reason)


@transaction.atomic
def year_unlock(
    *, organisation: Organisation, actor: User, year: int, reason: str
) -> ReportingYear:
    """Reopen an approved year, with a reason kept in its history (administrator)."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.APPROVE
    )
    reason = _clean_reason(reason)
    reporting_year = _locked_year(organisation=organisation, year=year)
    if reporting_year.status != YearStatus.APPROVED:
        raise ValidationError(
            UNLOCK_NOT_APPROVED,
            code="not_approved",
            params=_status_params(reporting_year),
        )
    reporting_year.status = YearStatus.OPEN
    # Open again, the year follows the organisation's settings as they are now.
    reporting_year.fixed_settings = {}
    reporting_year.unlock_reason = reason
    reporting_year.submitted_by = None
    reporting_year.submitted_at = None
    reporting_year.approved_by = None
    reporting_year.approved_at = None
    return _save(reporting_year, actor, f"unlocked: {reason}")
