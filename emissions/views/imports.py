"""Spreadsheet import pages."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Capability
from accounts.tenancy import UNIT_NOT_YOURS, is_limited, org_view
from emissions.importing.reading import COLUMNS, check_upload_size
from emissions.importing.template import template_csv, template_xlsx
from emissions.models import ImportBatch, ImportStatus
from emissions.services.imports import (
    ImportPage,
    import_batch_page,
    import_batch_stopped,
    import_commit_request,
    import_discard,
    import_limits,
    import_preview,
    import_resume,
    import_rollback,
    import_upload_for_check,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx, .xls or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Before anything reads it: a large upload waits on disk, not in memory.
        check_upload_size(upload.size)
        return upload


def _download(payload: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(payload, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _require_batch(request: HttpRequest, batch: ImportBatch) -> None:
    """A member limited to some units reads and acts on their own uploads only.

    Another member's file may hold any unit's lines.
    """
    if is_limited(request.membership) and batch.uploaded_by_id != request.user.pk:
        raise PermissionDenied(UNIT_NOT_YOURS)


@require_http_methods(["GET", "POST"])
@org_view(Capability.EDIT)
def import_upload(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        arguments = {
            "organisation": organisation,
            "actor": request.user,
            "file_name": upload.name,
            "data": data,
        }
        try:
            if len(data) > settings.IMPORT_BACKGROUND_BYTES:
                # Checked by the task worker; the page follows its progress.
                batch = import_upload_for_check(**arguments)
            else:
                batch = import_preview(**arguments).batch
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            request.session[f"import-{batch.pk}"] = True
            return redirect("import_detail", org_slug=organisation.slug, pk=batch.pk)
    batches = ImportBatch.objects.filter(organisation=organisation)
    if is_limited(request.membership):
        batches = batches.filter(uploaded_by=request.user)
    batches = batches.select_related("uploaded_by")[:30]
    return render(
        request,
        "emissions/imports/upload.html",
        {"form": form, "batches": batches, "columns": COLUMNS, **import_limits()},
    )


@require_GET
@org_view(Capability.VIEW)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch: its preview (rows with results or errors) or what it created."""
    organisation = request.organisation
    batch = get_object_or_404(ImportBatch, organisation=organisation, pk=pk)
    _require_batch(request, batch)
    context = {"batch": batch, "stopped": import_batch_stopped(batch)}
    if batch.status == ImportStatus.PREVIEW:
        per_page = 200
        numbers = Paginator(range(batch.rows_read), per_page)
        number = numbers.get_page(request.GET.get("page")).number
        try:
            found = import_batch_page(
                organisation=organisation, batch=batch, page=number, per_page=per_page
            )
        except ValidationError as exc:
            found = ImportPage(rows=[], row_count=0, error_count=0, totals={})
            messages.error(request, " ".join(exc.messages))
        context.update(
            page=Page(found.rows, number, numbers),
            error_count=found.error_count,
            totals=found.totals,
            columns=COLUMNS,
        )
    else:
        entries = batch.entries.select_related("business_unit", "activity_type")
        context["page"] = Paginator(entries.order_by("pk"), 200).get_page(
            request.GET.get("page")
        )
    return render(request, "emissions/imports/detail.html", context)


@require_POST
@org_view(Capability.EDIT)
def import_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation
    batch = get_object_or_404(ImportBatch, organisation=organisation, pk=pk)
    _require_batch(request, batch)
    try:
        batch = import_commit_request(
            organisation=organisation,
            actor=request.user,
            batch=batch,
            confirm_duplicate_file=request.POST.get("confirm_duplicate") == "yes",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        batch.refresh_from_db()
        if batch.status == ImportStatus.PROCESSING:
            messages.info(request, _("The import is being processed."))
        elif batch.status == ImportStatus.COMMITTED:
            messages.success(
                request,
                _("%(count)s entries were imported.") % {"count": batch.rows_created},
            )
        elif batch.status == ImportStatus.FAILED:
            messages.error(request, _("The import failed; nothing was imported."))
    return redirect("import_detail", org_slug=organisation.slug, pk=batch.pk)


def _batch_action(
    request: HttpRequest,
    pk: int,
    action,
    done: str,
    *,
    discard: bool = False,
    level=messages.success,
) -> HttpResponse:
    """Run one service on a batch the member may act on, and say how it went."""
    organisation = request.organisation
    batch = get_object_or_404(ImportBatch, organisation=organisation, pk=pk)
    _require_batch(request, batch)
    try:
        action(organisation=organisation, actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("import_detail", org_slug=organisation.slug, pk=batch.pk)
    level(request, done)
    if discard:
        # The batch has no files left to show: back to the upload page.
        return redirect("import_upload", org_slug=organisation.slug)
    return redirect("import_detail", org_slug=organisation.slug, pk=batch.pk)


@require_POST
@org_view(Capability.EDIT)
def import_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, import_resume, _("The import was started again."))


@require_POST
@org_view(Capability.EDIT)
def import_rollback_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, import_rollback, _("The import was rolled back."))


@require_POST
@org_view(Capability.EDIT)
def import_discard_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(
        request,
        pk,
        import_discard,
        _("The upload was discarded and its files deleted."),
        discard=True,
    )


@require_GET
@org_view(Capability.EDIT)
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    organisation = request.organisation
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format.")
    if fmt == "csv":
        return _download(
            template_csv(organisation),
            f"{organisation.slug}-import-template.csv",
            "text/csv",
        )
    language = (get_language() or "en")[:2]
    return _download(
        template_xlsx(organisation, language),
        f"{organisation.slug}-import-template.xlsx",
        XLSX,
    )
