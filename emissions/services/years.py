"""The year workflow: open → submitted → approved (locked), and back with a reason.

Submitting, approving, returning and unlocking concern the whole organisation:
they need a membership not limited to some business units. Submitting needs a
comment on every change the readiness review asks one for; approving needs a
reason where audit findings are still open, and a second person unless the
organisation lets its sole administrator approve their own year.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, User
from accounts.roles import Capability
from accounts.selectors import year_approvers
from accounts.tenancy import membership_for_write
from carbonledger.lib.formatting import active_language, plain_number
from emissions.models import ReportingYear, YearStatus
from emissions.readiness.changes import year_changes
from emissions.readiness.findings import finding_line, open_findings
from emissions.selectors_factors import factor_label, unverified_factors_for_year
from emissions.services.locks import reporting_year_for
from emissions.year_settings import fixed_settings_for

logger = logging.getLogger(__name__)

SUBMIT_NOT_OPEN = _("Only an open year can be submitted; %(year)s is %(status)s.")
RETURN_NOT_SUBMITTED = _(
    "Only a submitted year can be returned; %(year)s is %(status)s."
)
APPROVE_NOT_SUBMITTED = _(
    "Only a submitted year can be approved; %(year)s is %(status)s."
)
APPROVE_OWN_SUBMISSION = _(
    "You submitted %(year)s yourself; another member who may approve years "
    "must approve it (four-eyes rule)."
)
APPROVE_OWN_SUBMISSION_ALONE = _(
    "You submitted %(year)s yourself and no other member may approve it "
    "(four-eyes rule). Name an approver among the members, or allow a sole "
    "administrator to approve their own year in the organisation's settings."
)
UNLOCK_NOT_APPROVED = _(
    "Only an approved year can be unlocked; %(year)s is %(status)s."
)
REASON_REQUIRED = _("Give a reason; it is kept in the year's history.")
UNVERIFIED_NOT_CONFIRMED = _(
    "%(year)s uses factors that were not checked against their publication: "
    "%(factors)s. Confirm that you approve the year with them."
)
WHOLE_ORGANISATION_YEAR = _(
    "A year is the whole organisation's: submitting, approving, returning and "
    "unlocking it need a membership that is not limited to some business units."
)
COMMENTS_MISSING = _(
    "Comment on each change against %(previous)s larger than %(threshold)s %% "
    "before submitting %(year)s: %(changes)s."
)
OPEN_FINDINGS_REASON = _(
    "%(year)s has audit findings that are not resolved (%(count)s). Give the "
    "reason for approving it before they are resolved; it is kept in the year's "
    "history and printed in the report."
)
COMMENT_NOT_OPEN = _(
    "Changes are commented while the year is open; %(year)s is %(status)s."
)
COMMENT_UNKNOWN = _("%(key)s is not one of the changes of %(year)s's review.")


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


# The history's change reason holds 100 characters; what it summarises is kept
# in full on the year (unlock reason, open-findings reason, comments).
CHANGE_REASON_LENGTH = 100


def _save(reporting_year: ReportingYear, actor: User, reason: str) -> ReportingYear:
    if len(reason) > CHANGE_REASON_LENGTH:
        reason = reason[: CHANGE_REASON_LENGTH - 1] + "…"
    reporting_year._history_user = actor
    reporting_year._change_reason = reason
    reporting_year.save()
    return reporting_year


def _year_member(
    *, organisation: Organisation, actor: User, capability: str
) -> Membership | None:
    """Return the actor's membership for a year action, unlimited by units."""
    membership = membership_for_write(
        organisation=organisation, actor=actor, capability=capability
    )
    if membership is not None and membership.business_units.exists():
        raise ValidationError(WHOLE_ORGANISATION_YEAR, code="whole_organisation")
    return membership


def _approval_link(organisation: Organisation, year: int) -> str:
    path = reverse("year_approve", args=[organisation.slug, year])
    return settings.SITE_URL.rstrip("/") + path


def _notify_approvers(reporting_year_pk: int) -> None:
    """E-mail the members who may approve a submitted year, in their language."""
    reporting_year = ReportingYear.objects.select_related(
        "organisation", "submitted_by"
    ).get(pk=reporting_year_pk)
    if reporting_year.status != YearStatus.SUBMITTED:
        return
    organisation = reporting_year.organisation
    link = _approval_link(organisation, reporting_year.year)
    for membership in year_approvers(organisation=organisation).exclude(
        user=reporting_year.submitted_by
    ):
        user = membership.user
        params = {
            "organisation": organisation.name,
            "year": reporting_year.year,
            "submitter": reporting_year.submitted_by,
            "link": link,
        }
        with translation.override(user.language or organisation.language):
            subject = gettext("%(organisation)s: %(year)s awaits your approval")
            body = gettext(
                "%(submitter)s submitted the inventory for %(year)s of "
                "%(organisation)s.\n\nReview it, then approve it or return "
                "it with a reason:\n%(link)s\n"
            )
        try:
            send_mail(
                subject=subject % params,
                message=body % params,
                from_email=None,
                recipient_list=[user.email],
            )
        except Exception:  # the submission stands; the mail server may be away
            logger.exception(
                "Could not e-mail %s about %s awaiting approval", user.email, params
            )


@transaction.atomic
def year_submit(
    *, organisation: Organisation, actor: User, year: int, notify: bool = True
) -> ReportingYear:
    """Submit an open year for approval (editor or administrator).

    Every change the readiness review asks a comment for must have one. The
    members who may approve it get an e-mail once the submission is saved
    (unless ``notify`` is off, as for the demo's years approved at once).
    """
    _year_member(organisation=organisation, actor=actor, capability=Capability.SUBMIT)
    reporting_year = _locked_year(organisation=organisation, year=year)
    if reporting_year.status != YearStatus.OPEN:
        raise ValidationError(
            SUBMIT_NOT_OPEN, code="not_open", params=_status_params(reporting_year)
        )
    review = year_changes(
        organisation=organisation,
        year=year,
        comments=reporting_year.change_comments,
    )
    if review.missing_comments:
        raise ValidationError(
            COMMENTS_MISSING,
            code="comments_missing",
            params={
                "year": year,
                "previous": review.previous_year,
                "threshold": plain_number(review.threshold_pct, active_language()),
                "changes": "; ".join(c.label for c in review.missing_comments),
            },
        )
    reporting_year.status = YearStatus.SUBMITTED
    # From here on the year's figures keep these settings (see year_settings).
    reporting_year.fixed_settings = fixed_settings_for(organisation)
    reporting_year.submitted_by = actor
    reporting_year.submitted_at = timezone.now()
    reporting_year.approved_by = None
    reporting_year.approved_at = None
    _save(reporting_year, actor, "submitted")
    if notify:
        pk = reporting_year.pk
        transaction.on_commit(lambda: _notify_approvers(pk))
    return reporting_year


@transaction.atomic
def year_change_comments_set(
    *,
    organisation: Organisation,
    actor: User,
    year: int,
    comments: dict[str, str],
) -> ReportingYear:
    """Write the comments on a year's changes against last year (while open).

    Keys are those of the review's changes; an empty text removes a comment.
    The comments are kept on the year, so its history holds every version.
    """
    _year_member(organisation=organisation, actor=actor, capability=Capability.SUBMIT)
    reporting_year = _locked_year(organisation=organisation, year=year)
    if reporting_year.status != YearStatus.OPEN:
        raise ValidationError(
            COMMENT_NOT_OPEN, code="not_open", params=_status_params(reporting_year)
        )
    known = year_changes(organisation=organisation, year=year).keys
    stored = dict(reporting_year.change_comments)
    for key, text in comments.items():
        if key not in known and key not in stored:
            raise ValidationError(
                COMMENT_UNKNOWN,
                code="unknown_change",
                params={"key": key, "year": year},
            )
        text = (text or "").strip()
        if text:
            stored[key] = text
        else:
            stored.pop(key, None)
    if stored == reporting_year.change_comments:
        return reporting_year
    reporting_year.change_comments = dict(sorted(stored.items()))
    return _save(reporting_year, actor, "changes commented")


@transaction.atomic
def year_return(
    *, organisation: Organisation, actor: User, year: int, reason: str
) -> ReportingYear:
    """Send a submitted year back to open, with a reason (administrator)."""
    _year_member(organisation=organisation, actor=actor, capability=Capability.APPROVE)
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


def may_approve_alone(*, organisation: Organisation, actor: User) -> bool:
    """Return whether the actor may approve a year they submitted themselves.

    Only where the organisation allows it and no other member may approve.
    """
    return (
        organisation.allow_self_approval
        and not year_approvers(organisation=organisation).exclude(user=actor).exists()
    )


@transaction.atomic
def year_approve(
    *,
    organisation: Organisation,
    actor: User,
    year: int,
    confirm_unverified: bool = False,
    open_findings_reason: str = "",
) -> ReportingYear:
    """Approve and lock a submitted year; the approver is not the submitter.

    A year whose figures rely on unverified factors is approved only with
    ``confirm_unverified``, one with audit findings still open only with
    ``open_findings_reason``; what was confirmed is kept on the year and in its
    history. The submitter approves only where `may_approve_alone` allows
    it, recorded as approved without a second person.
    """
    _year_member(organisation=organisation, actor=actor, capability=Capability.APPROVE)
    reporting_year = _locked_year(organisation=organisation, year=year)
    if reporting_year.status != YearStatus.SUBMITTED:
        raise ValidationError(
            APPROVE_NOT_SUBMITTED,
            code="not_submitted",
            params=_status_params(reporting_year),
        )
    alone = reporting_year.submitted_by_id == actor.pk
    if alone and not may_approve_alone(organisation=organisation, actor=actor):
        others = year_approvers(organisation=organisation).exclude(user=actor).exists()
        raise ValidationError(
            APPROVE_OWN_SUBMISSION if others else APPROVE_OWN_SUBMISSION_ALONE,
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
    findings = [
        finding_line(f) for f in open_findings(organisation=organisation, year=year)
    ]
    findings_reason = (open_findings_reason or "").strip() if findings else ""
    if findings and not findings_reason:
        raise ValidationError(
            OPEN_FINDINGS_REASON,
            code="open_findings",
            params={"year": reporting_year.year, "count": len(findings)},
        )
    reporting_year.status = YearStatus.APPROVED
    if not reporting_year.fixed_settings:
        reporting_year.fixed_settings = fixed_settings_for(organisation)
    reporting_year.approved_by = actor
    reporting_year.approved_at = timezone.now()
    reporting_year.unverified_factors_confirmed = "\n".join(unverified)
    reporting_year.open_findings_at_approval = "\n".join(findings)
    reporting_year.open_findings_reason = findings_reason
    reporting_year.approved_without_second_person = alone
    reason = "approved"
    if unverified:
        reason += f", {len(unverified)} unverified factor(s) confirmed"
    if findings:
        reason += f", {len(findings)} open finding(s) with a reason"
    if alone:
        reason += ", approved without a second person"
    return _save(reporting_year, actor, reason)


@transaction.atomic
def year_unlock(
    *, organisation: Organisation, actor: User, year: int, reason: str
) -> ReportingYear:
    """Reopen an approved year, with a reason kept in its history (administrator)."""
    _year_member(organisation=organisation, actor=actor, capability=Capability.APPROVE)
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
    # What the approval recorded stays in the history, not on the open year.
    reporting_year.open_findings_at_approval = ""
    reporting_year.open_findings_reason = ""
    reporting_year.approved_without_second_person = False
    return _save(reporting_year, actor, f"unlocked: {reason}")
