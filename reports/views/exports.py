"""The inventory downloads: every entry as CSV, or the workbook for auditors.

A workbook too long for a request is asked for as a report instead, built by
the task queue and kept on the reports page with its checksum.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import Capability
from accounts.tenancy import limited_unit_ids, org_view
from carbonledger.lib.params import parse_year
from reports.downloads import inventory_download
from reports.models import ReportKind, ReportStatus
from reports.services import LANGUAGES, report_request


def _download(payload: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(payload, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@org_view(Capability.VIEW)
def inventory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The full inventory (a year, or every year) for auditors."""
    organisation = request.organisation
    year_param = request.GET.get("year", "")
    year = parse_year(year_param)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format.")
    # A member limited to some units exports those units' entries and totals.
    download = inventory_download(
        organisation=organisation,
        fmt=fmt,
        year=year,
        unit_ids=limited_unit_ids(request.membership),
    )
    if download.payload is None:
        # Too long for a request: built in the background, kept on the
        # reports page with its checksum like any report.
        return _inventory_in_background(request, year, download.entry_count)
    return _download(download.payload, download.name, download.content_type)


def _inventory_in_background(
    request: HttpRequest, year: int | None, count: int
) -> HttpResponse:
    language = (get_language() or "en")[:2]
    try:
        report = report_request(
            organisation=request.organisation,
            actor=request.user,
            kind=ReportKind.INVENTORY_XLSX,
            year=year,
            language=language if language in LANGUAGES else "en",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("report_list", org_slug=request.organisation.slug)
    # Without a task worker the report is built before the request goes on.
    report.refresh_from_db()
    if report.status == ReportStatus.DONE:
        message = _("The workbook of %(count)s entries is ready to download.")
    elif report.status == ReportStatus.FAILED:
        message = _("The workbook could not be built: %(error)s")
    else:
        message = _(
            "The workbook of %(count)s entries is being built; it can be "
            "downloaded here when it is ready."
        )
    level = messages.error if report.status == ReportStatus.FAILED else messages.info
    level(request, message % {"count": count, "error": report.error})
    return redirect("report_list", org_slug=request.organisation.slug)
