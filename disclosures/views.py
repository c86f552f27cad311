"""The disclosure page and its downloads (whole-organisation figures only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Language
from accounts.roles import Capability
from accounts.tenancy import org_view, require_whole_organisation
from carbonledger.lib.forms import add_service_errors
from disclosures.exports import disclosure_file
from disclosures.formats import FORMATS
from disclosures.forms import TransitionPlanForm
from disclosures.models import TransitionPlan
from disclosures.selectors import disclosure_for_year, year_exists
from disclosures.services import transition_plan_set
from emissions.models import ReportingYear


def _years(organisation) -> list[int]:
    return list(
        ReportingYear.objects.filter(organisation=organisation, entries__isnull=False)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def _year(request: HttpRequest, year: int) -> int:
    if not year_exists(organisation=request.organisation, year=year):
        raise Http404("No such year.")
    return year


def _language(request: HttpRequest) -> str:
    language = request.GET.get("lang") or request.organisation.language
    return language if language in Language.values else request.organisation.language


@require_GET
@org_view(Capability.VIEW)
def disclosure_index(request: HttpRequest) -> HttpResponse:
    """Open the disclosures of the latest year that has emissions."""
    require_whole_organisation(request.membership)
    years = _years(request.organisation)
    if not years:
        return render(request, "disclosures/detail.html", {"years": []})
    return redirect(
        "disclosure_detail", org_slug=request.organisation.slug, year=years[0]
    )


def _detail(request: HttpRequest, year: int, plan_form=None, status=200):
    language = _language(request)
    disclosure = disclosure_for_year(
        organisation=request.organisation,
        year=year,
        language=(get_language() or "en")[:2],
    )
    plans = list(
        TransitionPlan.objects.filter(
            organisation=request.organisation, year=year
        ).select_related("updated_by")
    )
    if plan_form is None:
        stored = next((p for p in plans if p.language == language), None)
        plan_form = TransitionPlanForm(
            initial={
                "language": language,
                "text": stored.text if stored else "",
                "adopted": stored.adopted if stored else True,
            }
        )
    return render(
        request,
        "disclosures/detail.html",
        {
            "disclosure": disclosure,
            "energy": disclosure.energy,
            "year": year,
            "years": _years(request.organisation),
            "formats": FORMATS.values(),
            "report_language": language,
            "languages": Language.choices,
            "plans": plans,
            "plan_form": plan_form,
        },
        status=status,
    )


@require_GET
@org_view(Capability.VIEW)
def disclosure_detail(request: HttpRequest, year: int) -> HttpResponse:
    """A year's VSME B3/C3 and ESRS E1-5/E1-6 datapoints with their entries."""
    require_whole_organisation(request.membership)
    return _detail(request, _year(request, year))


@require_POST
@org_view(Capability.MANAGE)
def disclosure_plan_save(request: HttpRequest, year: int) -> HttpResponse:
    """Save the year's transition plan in one language (administrators)."""
    require_whole_organisation(request.membership)
    year = _year(request, year)
    form = TransitionPlanForm(request.POST)
    if form.is_valid():
        try:
            transition_plan_set(
                organisation=request.organisation,
                actor=request.user,
                year=year,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The transition plan was saved."))
            return redirect(
                "disclosure_detail", org_slug=request.organisation.slug, year=year
            )
    return _detail(request, year, plan_form=form, status=400)


@require_GET
@org_view(Capability.VIEW)
def disclosure_export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """Download the year's disclosure as the VSME template or inline XBRL."""
    require_whole_organisation(request.membership)
    year = _year(request, year)
    if fmt not in FORMATS:
        raise Http404("No such format.")
    try:
        exported = disclosure_file(
            organisation=request.organisation,
            year=year,
            fmt=fmt,
            language=_language(request),
        )
    except ValidationError as exc:
        return render(
            request,
            "disclosures/export_error.html",
            {"errors": exc.messages, "year": year},
            status=409,
        )
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
