"""Year pages: overview, detail, and the submit/return/approve/unlock actions."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Capability
from accounts.tenancy import is_limited, limited_unit_ids, org_view
from emissions.forms_entries import EvidenceUploadForm, ReasonForm
from emissions.models import ReportingYear, YearStatus
from emissions.selectors_entries import history_for, live_evidence, year_overview
from emissions.selectors_factors import (
    factor_label,
    residual_mix_gaps,
    unverified_factors_for_year,
)
from emissions.selectors_instruments import instrument_quality_for_year
from emissions.services.locks import year_range
from emissions.services.years import (
    year_approve,
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


def _year_context(
    request: HttpRequest, year: int, reporting_year: ReportingYear | None
) -> dict[str, object]:
    status = reporting_year.status if reporting_year else YearStatus.OPEN
    return {
        "year": year,
        "reporting_year": reporting_year,
        "status": status,
        "status_label": YearStatus(status).label,
        # A year's documents belong to the whole organisation; a member limited
        # to some units sees only those they added.
        "evidence": (
            live_evidence(
                reporting_year.evidence.all()
                if not is_limited(request.membership)
                else reporting_year.evidence.filter(uploaded_by=request.user)
            )
            if reporting_year
            else []
        ),
        "history": history_for(reporting_year) if reporting_year else [],
        "upload_form": EvidenceUploadForm(),
        "return_form": ReasonForm(prefix="return"),
        "unlock_form": ReasonForm(prefix="unlock"),
        "is_submitter": bool(
            reporting_year and reporting_year.submitted_by_id == request.user.pk
        ),
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
    """Show a year's status, who submitted and approved it, evidence and history."""
    reporting_year = _check_year(request, year)
    return render(
        request,
        "emissions/years/detail.html",
        _year_context(request, year, reporting_year),
    )


def _act(
    request: HttpRequest, year: int, action: Callable, done: str, **kwargs
) -> HttpResponse:
    try:
        action(
            organisation=request.organisation, actor=request.user, year=year, **kwargs
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("year_detail", org_slug=request.organisation.slug, year=year)


@require_POST
@org_view(Capability.SUBMIT)
def year_submit_view(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(request, year)
    return _act(
        request,
        year,
        year_submit,
        _("%(year)s was submitted for approval.") % {"year": year},
    )


@require_POST
@org_view(Capability.APPROVE)
def year_approve_view(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(request, year)
    return _act(
        request,
        year,
        year_approve,
        _("%(year)s was approved and is now locked.") % {"year": year},
        confirm_unverified=request.POST.get("confirm_unverified") == "on",
    )


def _with_reason(
    request: HttpRequest, year: int, prefix: str, action: Callable, done: str
) -> HttpResponse:
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
