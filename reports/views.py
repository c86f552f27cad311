from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Capability
from accounts.tenancy import (
    is_limited,
    org_view,
    readable,
    require_unit,
    require_whole_organisation,
)
from carbonledger.lib.forms import add_service_errors
from emissions.models import ReportingYear
from emissions.services.locks import year_range
from reports.charts import horizontal_bars, inventory_scope_chart
from reports.forms import (
    DashboardFilterForm,
    ExclusionForm,
    NarrativeForm,
    ReportRequestForm,
)
from reports.models import (
    GeneratedReport,
    ReportLanguage,
    ReportNarrative,
    ReportStatus,
    Scope3Exclusion,
)
from reports.pdf import scope3_category_names
from reports.selectors import entries_for, inventory_for_year
from reports.services import (
    EXTENSIONS,
    REPORT_FILE_MISSING,
    report_narrative_set,
    report_request,
    scope3_exclusion_set,
)
from reports.services import scope3_exclusion_delete as scope3_exclusion_delete_service
from reports.summary import scope3_exclusions_for


def _years(organisation) -> list[int]:
    years = list(
        ReportingYear.objects.filter(organisation=organisation, entries__isnull=False)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return years


def _units(request: HttpRequest) -> list[tuple[str, str]]:
    """Return the units the member reads, as choices."""
    units = readable(
        request.organisation.business_units.all(), request.membership, unit_field="pk"
    )
    return [(u.code, f"{u.code} {u.name}") for u in units.order_by("code")]


@require_GET
@org_view(Capability.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Headline figures, charts and tables for a year (and a business unit)."""
    organisation = request.organisation
    years = _years(organisation)
    units = _units(request)
    # A member limited to some units sees one of them at a time, never the
    # whole organisation.
    whole = not is_limited(request.membership)
    form = DashboardFilterForm(
        request.GET or None, years=years, units=units, whole_organisation=whole
    )
    year = years[0] if years else None
    code = "" if whole or not units else units[0][0]
    if form.is_bound and form.is_valid():
        year = form.cleaned_data.get("year") or year
        code = form.cleaned_data.get("unit") or code
    unit = None
    if code:
        unit = get_object_or_404(organisation.business_units, code=code)
        require_unit(request.membership, unit.pk)
    elif not whole:
        require_unit(request.membership, None)
    context = {"form": form, "year": year, "unit": unit}
    if year is not None:
        inventory = inventory_for_year(
            organisation=organisation, year=year, business_unit=unit
        )
        language = (get_language() or "en")[:2]
        entries_url = reverse("entry_list", kwargs={"org_slug": organisation.slug})

        def drill(**params) -> str:
            """Return the link to the entries behind a figure of the page."""
            params = {"year": year, "unit": unit.code if unit else "", **params}
            return f"{entries_url}?{urlencode({k: v for k, v in params.items() if v})}"

        units_sorted = sorted(inventory.by_business_unit.items(), key=lambda kv: -kv[1])
        context.update(
            inventory=inventory,
            scope_chart=inventory_scope_chart(
                inventory,
                language=language,
                chart_id="dash-scopes",
                up_to_year=False,
                hrefs={y: drill(year=y) for y in inventory.series},
                description=_(
                    "Stacked bars of tonnes CO2e per year and scope; the dashed "
                    "line is the target. The table below has the same figures."
                ),
            ),
            drill_base=drill(),
            unit_chart=horizontal_bars(
                units_sorted,
                links=[drill(unit=code) for code, _t in units_sorted],
                title=_("Emissions by business unit"),
                description=_("Tonnes CO2e per business unit; also in the table."),
                language=language,
                chart_id="dash-units",
            ),
            source_chart=horizontal_bars(
                [(line.name, line.t_co2e) for line in inventory.top_sources],
                title=_("Largest sources"),
                description=_("The ten largest sources in tonnes CO2e."),
                language=language,
                colour="#009E73",
                chart_id="dash-sources",
                links=[drill(activity=line.code) for line in inventory.top_sources],
            ),
        )
    return render(request, "reports/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@org_view(Capability.VIEW)
def report_list(request: HttpRequest) -> HttpResponse:
    """The generated reports, and a form to ask for a new one."""
    organisation = request.organisation
    years = _years(organisation)
    units = _units(request)
    initial = {"language": organisation.language, "year": years[0] if years else None}
    form = ReportRequestForm(
        request.POST or None,
        years=years,
        units=units,
        initial=initial,
        whole_organisation=not is_limited(request.membership),
    )
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["business_unit"]
        unit = organisation.business_units.filter(code=code).first() if code else None
        try:
            report = report_request(
                organisation=organisation,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                year=form.cleaned_data["year"],
                language=form.cleaned_data["language"],
                business_unit=unit,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Without a task worker the report is built before the request goes on.
            report.refresh_from_db()
            if report.status == ReportStatus.FAILED:
                messages.error(
                    request, _("The report could not be built: %s") % report.error
                )
            else:
                messages.success(request, _("Your report has been requested."))
            return redirect("report_list", org_slug=organisation.slug)
    reports = (
        readable(
            GeneratedReport.objects.filter(organisation=organisation),
            request.membership,
        )
        .select_related("requested_by", "business_unit")
        .order_by("-requested_at")[:50]
    )
    pending = any(
        r.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for r in reports
    )
    template = (
        "reports/_report_table.html" if request.htmx else "reports/report_list.html"
    )
    return render(
        request, template, {"form": form, "reports": reports, "pending": pending}
    )


@require_GET
@org_view(Capability.VIEW)
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a finished report file."""
    report = get_object_or_404(
        GeneratedReport, organisation=request.organisation, pk=pk
    )
    require_unit(request.membership, report.business_unit_id)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404("The report is not ready.")
    try:
        handle = report.file.open("rb")
    except OSError:
        return render(
            request,
            "file_missing.html",
            {
                "message": REPORT_FILE_MISSING,
                "back": reverse("report_list", args=[request.organisation.slug]),
            },
            status=404,
        )
    extension, content_type = EXTENSIONS[report.kind]
    unit = f"-{report.business_unit.code}" if report.business_unit else ""
    name = (
        f"{request.organisation.slug}-{report.kind}-{report.file_year}{unit}-"
        f"{report.language}.{extension}"
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _texts_context(request: HttpRequest, year: int, **forms_in) -> dict:
    organisation = request.organisation
    names = scope3_category_names()
    stored = {
        n.language: n
        for n in ReportNarrative.objects.filter(organisation=organisation, year=year)
    }
    narrative_forms = []
    for code, label in ReportLanguage.choices:
        form = forms_in.get(f"narrative_{code}")
        if form is None:
            narrative = stored.get(code)
            form = NarrativeForm(
                initial={
                    "language": code,
                    "key_messages": narrative.key_messages if narrative else "",
                    "highlights": narrative.highlights if narrative else "",
                    "actions": narrative.actions if narrative else "",
                },
                auto_id=f"id_{code}_%s",
            )
        narrative_forms.append((code, label, stored.get(code), form))
    missing = [
        (code, label)
        for code, label in ReportLanguage.choices
        if code not in stored or stored[code].is_empty
    ]
    exclusions = scope3_exclusions_for(organisation=organisation, year=year)
    reported = _reported_categories(organisation, year)
    exclusion_form = forms_in.get("exclusion") or ExclusionForm(
        categories=_category_choices()
    )
    # The form offers the categories without emissions only; a posted one is
    # validated against all of them, so that the service says why not.
    exclusion_form.fields["category"].choices = [
        choice for choice in _category_choices() if choice[0] not in reported
    ]
    reporting_year = ReportingYear.objects.filter(
        organisation=organisation, year=year
    ).first()
    lock_reason = ""
    if reporting_year is not None and reporting_year.status != "open":
        lock_reason = _(
            "%(year)s is submitted or approved: its scope 3 boundary cannot change "
            "until the year is open again."
        ) % {"year": year}
    return {
        "lock_reason": lock_reason,
        "year": year,
        "years": _years(organisation),
        "narratives": narrative_forms,
        "missing_codes": [code for code, _label in missing],
        # Norwegian and Swedish write language names in lower case in a sentence.
        "missing_languages": [
            str(label) if get_language() == "en" else str(label).lower()
            for _code, label in missing
        ],
        "exclusions": [(e, names.get(e.category, "")) for e in exclusions],
        "reported": [(n, names[n]) for n in sorted(reported) if n in names],
        "exclusion_form": exclusion_form,
    }


def _reported_categories(organisation, year: int) -> set[int]:
    return set(
        entries_for(organisation=organisation)
        .filter(reporting_year__year=year, scope=3)
        .values_list("scope3_category", flat=True)
        .distinct()
    )


def _category_choices() -> list[tuple[int, str]]:
    return [(n, f"{n}. {name}") for n, name in scope3_category_names().items()]


def _text_year(request: HttpRequest, year: int) -> int:
    first, last = year_range(request.organisation)
    if not first <= year <= last:
        raise Http404("Year outside the organisation's range.")
    return year


@require_GET
@org_view(Capability.VIEW)
def report_texts_index(request: HttpRequest) -> HttpResponse:
    """Open the report texts of the latest year that has emissions."""
    years = _years(request.organisation)
    year = years[0] if years else year_range(request.organisation)[1]
    return redirect("report_texts", org_slug=request.organisation.slug, year=year)


@require_GET
@org_view(Capability.VIEW)
def report_texts(request: HttpRequest, year: int) -> HttpResponse:
    """A year's key messages, highlights, actions and scope 3 exclusions."""
    year = _text_year(request, year)
    return render(request, "reports/texts.html", _texts_context(request, year))


def _save_texts(
    request: HttpRequest,
    year: int,
    *,
    form: forms.Form,
    service: Callable[..., object],
    saved: str,
    form_name: str,
) -> HttpResponse:
    """Save a form of the report-texts page through its service.

    On success the page again, with a message; otherwise the page with the
    form, its errors and the service's, and status 400.
    """
    if form.is_valid():
        try:
            service(
                organisation=request.organisation,
                actor=request.user,
                year=year,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, saved)
            return redirect(
                "report_texts", org_slug=request.organisation.slug, year=year
            )
    return render(
        request,
        "reports/texts.html",
        _texts_context(request, year, **{form_name: form}),
        status=400,
    )


@require_POST
@org_view(Capability.MANAGE)
def report_narrative_save(request: HttpRequest, year: int) -> HttpResponse:
    """Save the year's texts in one language (administrators)."""
    year = _text_year(request, year)
    code = request.POST.get("language", "")
    if code not in dict(ReportLanguage.choices):
        code = "en"
    return _save_texts(
        request,
        year,
        form=NarrativeForm(request.POST, auto_id=f"id_{code}_%s"),
        service=report_narrative_set,
        saved=_("The report texts were saved."),
        form_name=f"narrative_{code}",
    )


@require_POST
@org_view(Capability.EDIT)
def scope3_exclusion_save(request: HttpRequest, year: int) -> HttpResponse:
    """Record why a scope 3 category is left out of the year (editors)."""
    # Scope 3 exclusions are the whole organisation's.
    require_whole_organisation(request.membership)
    year = _text_year(request, year)
    return _save_texts(
        request,
        year,
        form=ExclusionForm(request.POST, categories=_category_choices()),
        service=scope3_exclusion_set,
        saved=_("The exclusion was saved."),
        form_name="exclusion",
    )


@require_POST
@org_view(Capability.EDIT)
def scope3_exclusion_delete(
    request: HttpRequest, year: int, category: int
) -> HttpResponse:
    """Take an exclusion back (editors)."""
    # Scope 3 exclusions are the whole organisation's.
    require_whole_organisation(request.membership)
    year = _text_year(request, year)
    exclusion = get_object_or_404(
        Scope3Exclusion, organisation=request.organisation, year=year, category=category
    )
    try:
        scope3_exclusion_delete_service(
            organisation=request.organisation, actor=request.user, exclusion=exclusion
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The exclusion was removed."))
    return redirect("report_texts", org_slug=request.organisation.slug, year=year)
