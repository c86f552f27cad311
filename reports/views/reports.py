"""The reports page: ask for a report, follow it, download it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import Capability
from accounts.tenancy import is_limited, org_view, readable, require_unit
from carbonledger.lib.forms import add_service_errors
from reports.forms import ReportRequestForm
from reports.kinds import REPORT_KINDS
from reports.models import GeneratedReport, ReportStatus
from reports.services import REPORT_FILE_MISSING, report_request
from reports.views.common import readable_units, years_with_entries


@require_http_methods(["GET", "POST"])
@org_view(Capability.VIEW)
def report_list(request: HttpRequest) -> HttpResponse:
    """The generated reports, and a form to ask for a new one."""
    organisation = request.organisation
    years = years_with_entries(organisation)
    units = readable_units(request)
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
    kind = REPORT_KINDS[report.kind]
    unit = f"-{report.business_unit.code}" if report.business_unit else ""
    name = (
        f"{request.organisation.slug}-{report.kind}-{report.file_year}{unit}-"
        f"{report.language}.{kind.extension}"
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
