"""Evidence: upload to an entry or a year, download through a permission check."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Capability
from accounts.tenancy import UNIT_NOT_YOURS, org_view, require_unit
from emissions.forms_entries import EvidenceUploadForm, ReasonForm
from emissions.models import ActivityEntry, EvidenceDocument
from emissions.selectors_entries import evidence_by_pk, evidence_readable
from emissions.services.evidence import (
    EVIDENCE_FILE_MISSING,
    evidence_add,
    evidence_remove,
)
from emissions.services.locks import reporting_year_for, year_range


def _upload(request: HttpRequest, target, redirect_to: HttpResponse) -> HttpResponse:
    form = EvidenceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect_to
    try:
        document = evidence_add(
            organisation=request.organisation,
            actor=request.user,
            uploaded_file=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            target=target,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("“%(name)s” was attached.") % {"name": document.original_name}
        )
    return redirect_to


@require_POST
@org_view(Capability.EDIT)
def entry_evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file and attach it to an entry."""
    entry = ActivityEntry.objects.filter(
        organisation=request.organisation, pk=pk
    ).first()
    if entry is None:
        raise Http404("No such entry.")
    require_unit(request.membership, entry.business_unit_id)
    back = redirect("entry_detail", org_slug=request.organisation.slug, pk=pk)
    return _upload(request, entry, back)


@require_POST
@org_view(Capability.EDIT)
def year_evidence_upload(request: HttpRequest, year: int) -> HttpResponse:
    """Upload a file and attach it to a reporting year."""
    first, last = year_range(request.organisation)
    if not first <= year <= last:
        raise Http404("Year outside the organisation's range.")
    back = redirect("year_detail", org_slug=request.organisation.slug, year=year)
    # The year row is created on its first write, as every other write path does.
    reporting_year = reporting_year_for(organisation=request.organisation, year=year)
    return _upload(request, reporting_year, back)


def _document_or_404(request: HttpRequest, pk: int) -> EvidenceDocument:
    try:
        document = evidence_by_pk(organisation=request.organisation, pk=pk)
    except EvidenceDocument.DoesNotExist:
        raise Http404("No such document.") from None
    if not evidence_readable(document=document, membership=request.membership):
        raise PermissionDenied(UNIT_NOT_YOURS)
    return document


@require_GET
@org_view(Capability.VIEW)
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the stored file as an attachment, never rendered inline."""
    document = _document_or_404(request, pk)
    try:
        handle = document.file.open("rb")
    except OSError:
        return render(
            request,
            "file_missing.html",
            {
                "message": EVIDENCE_FILE_MISSING,
                "back": reverse("org_home", args=[request.organisation.slug]),
            },
            status=404,
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@org_view(Capability.EDIT)
def evidence_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a document (soft) with a reason; go back where the form was."""
    document = _document_or_404(request, pk)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if next_url:
        back = redirect(next_url)
    else:
        back = redirect("org_home", org_slug=request.organisation.slug)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for removing the document."))
        return back
    try:
        evidence_remove(
            organisation=request.organisation,
            actor=request.user,
            document=document,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("“%(name)s” was removed.") % {"name": document.original_name}
        )
    return back
