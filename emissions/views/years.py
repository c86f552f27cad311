"""Year pages: overview, detail with the readiness review, and the actions.

Submitting and approving concern the whole organisation: a membership limited
to some business units reads its units' lines on the year page, but neither
sees the review (figures of the whole organisation) nor acts on the year.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Capability
from accounts.tenancy import (
    is_limited,
    limited_unit_ids,
    org_view,
    require_whole_organisation,
)
from emissions.forms_entries import (
    ApproveForm,
    ChangeCommentsForm,
    EvidenceUploadForm,
    ReasonForm,
)
from emissions.models import ReportingYear, YearStatus
from emissions.readiness import year_readiness
from emissions.selectors_entries import history_for, live_evidence, year_overview
from emissions.selectors_factors import (
    factor_label,
    residual_mix_gaps,
    unverified_factors_for_year,
)
from emissions.selectors_instruments import instrument_quality_for_year
from emissions.services.locks import year_range
from emissions.services.years import (
    may_approve_alone,
    year_approve,
    year_change_comments_set,
    year_return,
    year_submit,
    year_unlock,
)


def _check_year(request: HttpRequest, year: int) -> ReportingYear | None:
    first, last = year_range(request.organisation)
    if not first <= year <= last:
        raise Http404("Year outside the organisation's range.")
    return ReportingYear.objects.filter(
        organisation=request.organisation, year=year
    ).first()


@require_GET
@org_view(Capability.VIEW)
def year_index(request: HttpRequest) -> HttpResponse:
    """List the years with their status and totals."""
    return render(
        request,
        "emissions/years/index.html",
        {
            "years": year_overview(
                organisation=request.organisation, membership=request.membership
            ),
            "limited": is_limited(request.membership),
        },
    )


def _approval_context(
    request: HttpRequest, reporting_year: ReportingYear | None
) -> dict[str, object]:
    """Say whether the member may approve the year, and how."""
    is_submitter = bool(
        reporting_year and reporting_year.submitted_by_id == request.user.pk
    )
    alone = is_submitter and may_approve_alone(
        organisation=request.organisation, actor=request.user
    )
    return {
        "is_submitter": is_submitter,
        "approves_alone": alone,
        "may_approve_this": not is_submitter or alone,
    }


def _year_context(
    request: HttpRequest,
    year: int,
    reporting_year: ReportingYear | None,
    *,
    comments_form: ChangeCommentsForm | None = None,
) -> dict[str, object]:
    status = reporting_year.status if reporting_year else YearStatus.OPEN
    limited = is_limited(request.membership)
    readiness = (
        None
        if limited
        else year_readiness(
            organisation=request.organisation,
            year=year,
            reporting_year=reporting_year,
        )
    )
    may_comment = (
        readiness is not None
        and status == YearStatus.OPEN
        and request.membership.can(Capability.SUBMIT)
        and bool(readiness.changes.changes)
    )
    if may_comment and comments_form is None:
        comments_form = ChangeCommentsForm(changes=readiness.changes.changes)
    return {
        "year": year,
        "reporting_year": reporting_year,
        "status": status,
        "status_label": YearStatus(status).label,
        "limited": limited,
        "readiness": readiness,
        "comments_form": comments_form if may_comment else None,
        # A year's documents belong to the whole organisation; a member limited
        # to some units sees only those they added.
        "evidence": (
            live_evidence(
                reporting_year.evidence.all()
                if not limited
                else reporting_year.evidence.filter(uploaded_by=request.user)
            )
            if reporting_year
            else []
        ),
        "history": history_for(reporting_year) if reporting_year else [],
        "upload_form": EvidenceUploadForm(),
        "return_form": ReasonForm(prefix="return"),
        "unlock_form": ReasonForm(prefix="unlock"),
        **_approval_context(request, reporting_year),
        "unverified_factors": [
            (factor, factor_label(factor))
            for factor in unverified_factors_for_year(
                organisation=request.organisation, year=year
            )
        ],
        "residual_mix_gaps": residual_mix_gaps(
            organisation=request.organisation,
            year=year,
            unit_ids=limited_unit_ids(request.membership),
        ),
        **_instrument_quality(request, year),
    }


def _instrument_quality(request: HttpRequest, year: int) -> dict[str, object]:
    """Return the year's instruments failing a quality criterion, and those unsure."""
    checked = instrument_quality_for_year(
        organisation=request.organisation,
        year=year,
        unit_ids=limited_unit_ids(request.membership),
    )
    return {
        "instruments_failing": [quality for quality in checked if quality.failed],
        "instruments_unknown": [
            quality for quality in checked if quality.unknown and not quality.failed
        ],
    }


@require_GET
@org_view(Capability.VIEW)
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    """Show a year's status, its readiness review, evidence and history."""
    reporting_year = _check_year(request, year)
    return render(
        request,
        "emissions/years/detail.html",
        _year_context(request, year, reporting_year),
    )


def _act(
    request: HttpRequest,
    year: int,
    action: Callable,
    done: str,
    *,
    failed: str = "year_detail",
    **kwargs,
) -> HttpResponse:
    try:
        action(
            organisation=request.organisation, actor=request.user, year=year, **kwargs
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(failed, org_slug=request.organisation.slug, year=year)
    messages.success(request, done)
    return redirect("year_detail", org_slug=request.organisation.slug, year=year)


@require_POST
@org_view(Capability.SUBMIT)
def year_submit_view(request: HttpRequest, year: int) -> HttpResponse:
    require_whole_organisation(request.membership)
    _check_year(request, year)
    return _act(
        request,
        year,
        year_submit,
        _("%(year)s was submitted for approval.") % {"year": year},
    )


@require_POST
@org_view(Capability.SUBMIT)
def year_change_comments(request: HttpRequest, year: int) -> HttpResponse:
    """Save the comments on the changes against last year."""
    require_whole_organisation(request.membership)
    reporting_year = _check_year(request, year)
    readiness = year_readiness(
        organisation=request.organisation, year=year, reporting_year=reporting_year
    )
    form = ChangeCommentsForm(request.POST, changes=readiness.changes.changes)
    if form.is_valid():
        try:
            year_change_comments_set(
                organisation=request.organisation,
                actor=request.user,
                year=year,
                comments=form.cleaned_data,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The comments were saved."))
            return redirect(
                "year_detail", org_slug=request.organisation.slug, year=year
            )
    context = _year_context(request, year, reporting_year, comments_form=form)
    return render(request, "emissions/years/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@org_view(Capability.APPROVE)
def year_approve_view(request: HttpRequest, year: int) -> HttpResponse:
    """Show the review's figures to confirm (GET), then approve and lock (POST)."""
    require_whole_organisation(request.membership)
    reporting_year = _check_year(request, year)
    if request.method == "POST":
        form = ApproveForm(request.POST)
        form.is_valid()
        return _act(
            request,
            year,
            year_approve,
            _("%(year)s was approved and is now locked.") % {"year": year},
            failed="year_approve",
            confirm_unverified=form.cleaned_data.get("confirm_unverified", False),
            open_findings_reason=form.cleaned_data.get("open_findings_reason", ""),
        )
    if reporting_year is None or reporting_year.status != YearStatus.SUBMITTED:
        return redirect("year_detail", org_slug=request.organisation.slug, year=year)
    readiness = year_readiness(
        organisation=request.organisation, year=year, reporting_year=reporting_year
    )
    form = ApproveForm()
    form.fields["open_findings_reason"].required = bool(readiness.findings)
    return render(
        request,
        "emissions/years/approve.html",
        {
            "year": year,
            "reporting_year": reporting_year,
            "readiness": readiness,
            "form": form,
            **_approval_context(request, reporting_year),
            "unverified_factors": [
                (factor, factor_label(factor))
                for factor in unverified_factors_for_year(
                    organisation=request.organisation, year=year
                )
            ],
        },
    )


def _with_reason(
    request: HttpRequest, year: int, prefix: str, action: Callable, done: str
) -> HttpResponse:
    require_whole_organisation(request.membership)
    reporting_year = _check_year(request, year)
    form = ReasonForm(request.POST, prefix=prefix)
    if not form.is_valid():
        context = _year_context(request, year, reporting_year)
        context[f"{prefix}_form"] = form
        return render(request, "emissions/years/detail.html", context, status=400)
    return _act(request, year, action, done, reason=form.cleaned_data["reason"])


@require_POST
@org_view(Capability.APPROVE)
def year_return_view(request: HttpRequest, year: int) -> HttpResponse:
    return _with_reason(
        request,
        year,
        "return",
        year_return,
        _("%(year)s was returned to open.") % {"year": year},
    )


@require_POST
@org_view(Capability.APPROVE)
def year_unlock_view(request: HttpRequest, year: int) -> HttpResponse:
    return _with_reason(
        request,
        year,
        "unlock",
        year_unlock,
        _("%(year)s was unlocked and is open for changes.") % {"year": year},
    )
