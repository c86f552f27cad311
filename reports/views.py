from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import Capability
from accounts.tenancy import is_limited, org_view, readable, require_unit
from carbonledger.lib.forms import add_service_errors
from emissions.models import ReportingYear
from reports.charts import StackedBar, horizontal_bars, stacked_scope_bars
from reports.forms import DashboardFilterForm, ReportRequestForm
from reports.models import GeneratedReport, ReportStatus
from reports.selectors import inventory_for_year
from reports.services import EXTENSIONS, report_request


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
        bars = [
            StackedBar(str(y), (t.scope1_t, t.scope2_t, t.scope3_t))
            for y, t in sorted(inventory.series.items())
        ]
        target_label = ""
        if inventory.target_t_co2e is not None:
            target_label = _("Target %(year)s (scopes %(scopes)s)") % {
                "year": inventory.target.target_year,
                "scopes": inventory.target.scopes,
            }
        context.update(
            inventory=inventory,
            scope_chart=stacked_scope_bars(
                bars,
                title=_("Emissions by scope since %(year)s")
                % {"year": inventory.base_year},
                description=_(
                    "Stacked bars of tonnes CO2e per year and scope; the dashed "
                    "line is the target. The table below has the same figures."
                ),
                scope_labels=[_("Scope 1"), _("Scope 2"), _("Scope 3")],
                target_value=inventory.target_t_co2e,
                target_label=target_label,
                language=language,
                chart_id="dash-scopes",
            ),
            unit_chart=horizontal_bars(
                sorted(inventory.by_business_unit.items(), key=lambda kv: -kv[1]),
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
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    """Send a finished report file."""
    report = get_object_or_404(
        GeneratedReport, organisation=request.organisation, pk=pk
    )
    require_unit(request.membership, report.business_unit_id)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404("The report is not ready.")
    extension, content_type = EXTENSIONS[report.kind]
    unit = f"-{report.business_unit.code}" if report.business_unit else ""
    name = (
        f"{request.organisation.slug}-{report.kind}-{report.file_year}{unit}-"
        f"{report.language}.{extension}"
    )
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
