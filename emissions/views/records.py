"""Pages for instruments, credits, metrics, targets, recalculations and findings."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Capability
from accounts.tenancy import (
    limited_unit_ids,
    org_view,
    readable,
    require_unit,
    require_whole_organisation,
)
from carbonledger.lib.forms import add_service_errors
from carbonledger.lib.params import parse_int, parse_year
from emissions.forms_entries import EvidenceUploadForm
from emissions.forms_records import (
    AnswerForm,
    CreditForm,
    FindingForm,
    InstrumentForm,
    MetricForm,
    RecalculationForm,
    TargetForm,
    with_version,
)
from emissions.models import (
    ActivityEntry,
    BaseYearRecalculation,
    CarbonCredit,
    ContractualInstrument,
    Finding,
    Metric,
    ReportingYear,
    Target,
)
from emissions.selectors_entries import history_for
from emissions.selectors_instruments import (
    instrument_coverage,
    instrument_coverage_by_year,
    instrument_quality,
    instruments_with_claims,
)
from emissions.services import findings as finding_services
from emissions.services import records as services
from emissions.services.evidence import evidence_add


def _units(request: HttpRequest) -> list[tuple[str, str]]:
    """Return the units the member reads, as choices."""
    units = readable(
        request.organisation.business_units.all(), request.membership, unit_field="pk"
    )
    return [(u.code, f"{u.code} {u.name}") for u in units.order_by("code")]


def _handle(request: HttpRequest, form, action: Callable[[dict], object], success: str):
    """Validate a posted form and run its service; return True when done."""
    if request.method != "POST":
        return False
    if not request.membership.can(Capability.EDIT):
        raise PermissionDenied("Your role does not allow this change.")
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, success)
    return True


@require_http_methods(["GET", "POST"])
@org_view(Capability.VIEW)
def instrument_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    units = _units(request)
    form = InstrumentForm(request.POST or None, units=units)

    def create(data):
        services.instrument_create(
            organisation=organisation,
            actor=request.user,
            business_unit=organisation.business_units.get(
                code=data.pop("business_unit")
            ),
            **data,
        )

    if _handle(request, form, create, _("The instrument was recorded.")):
        return redirect("instrument_list", org_slug=organisation.slug)
    unit_ids = limited_unit_ids(request.membership)
    instruments = (
        instruments_with_claims(organisation=organisation, unit_ids=unit_ids)
        .prefetch_related("evidence")
        .order_by("-reporting_year__year", "business_unit__code", "pk")
    )
    return render(
        request,
        "emissions/records/instruments.html",
        {
            "form": form,
            "instruments": instrument_quality(instruments, unit_ids=unit_ids),
            "coverage": instrument_coverage_by_year(
                organisation=organisation, unit_ids=unit_ids
            ),
            "upload_form": EvidenceUploadForm(),
        },
    )


@require_GET
@org_view(Capability.VIEW)
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an instrument's register entry, its quality criteria and history."""
    organisation = request.organisation
    unit_ids = limited_unit_ids(request.membership)
    instrument = get_object_or_404(
        instruments_with_claims(organisation=organisation).prefetch_related("evidence"),
        pk=pk,
    )
    require_unit(request.membership, instrument.business_unit_id)
    (quality,) = instrument_quality([instrument], unit_ids=unit_ids)
    coverage = instrument_coverage(
        organisation=organisation,
        year=instrument.reporting_year.year,
        unit_ids=[instrument.business_unit_id],
    )
    return render(
        request,
        "emissions/records/instrument_detail.html",
        {
            "instrument": instrument,
            "quality": quality,
            "covered_kwh": coverage.covered_kwh_by_instrument.get(instrument.pk),
            "unit_coverage": coverage.by_unit[0] if coverage.by_unit else None,
            "history": history_for(instrument),
            "upload_form": EvidenceUploadForm(),
        },
    )


def _edit_page(
    request: HttpRequest,
    *,
    form,
    title: str,
    back: str,
    record,
    save: Callable[[dict], object],
    success: str,
) -> HttpResponse:
    """Show a record's form filled in; save a correction through its service."""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            save({"version": version, **data})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(back, org_slug=request.organisation.slug)
    return render(
        request,
        "emissions/records/edit.html",
        {"form": form, "title": title, "back": back, "record": record},
    )


@require_http_methods(["GET", "POST"])
@org_view(Capability.EDIT)
def instrument_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation
    instrument = get_object_or_404(
        ContractualInstrument.objects.select_related("business_unit", "reporting_year"),
        organisation=organisation,
        pk=pk,
    )
    require_unit(request.membership, instrument.business_unit_id)
    form = with_version(InstrumentForm)(
        request.POST or None,
        units=_units(request),
        initial={
            "business_unit": instrument.business_unit.code,
            "year": instrument.reporting_year.year,
            "kind": instrument.kind,
            "mwh": instrument.mwh,
            "kg_co2e_per_kwh": instrument.kg_co2e_per_kwh,
            "energy_source": instrument.energy_source,
            "supplier": instrument.supplier,
            "certificate_ids": instrument.certificate_ids,
            **{name: getattr(instrument, name) for name in services.REGISTER_FIELDS},
            "version": instrument.version,
        },
    )

    def save(data):
        services.instrument_update(
            organisation=organisation,
            actor=request.user,
            instrument=instrument,
            business_unit=organisation.business_units.get(
                code=data.pop("business_unit")
            ),
            **data,
        )

    return _edit_page(
        request,
        form=form,
        title=_("Correct an instrument"),
        back="instrument_list",
        record=instrument,
        save=save,
        success=_("The instrument was corrected."),
    )


@require_http_methods(["GET", "POST"])
@org_view(Capability.EDIT)
def credit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_whole_organisation(request.membership)
    organisation = request.organisation
    credit = get_object_or_404(
        CarbonCredit.objects.select_related("claimed_year"),
        organisation=organisation,
        pk=pk,
    )
    form = with_version(CreditForm)(
        request.POST or None,
        initial={
            "year": credit.claimed_year.year,
            "tonnes": credit.tonnes,
            "standard": credit.standard,
            "project": credit.project,
            "vintage": credit.vintage,
            "retirement_date": credit.retirement_date,
            "registry": credit.registry,
            "serial_numbers": credit.serial_numbers,
            "version": credit.version,
        },
    )

    def save(data):
        services.credit_update(
            organisation=organisation, actor=request.user, credit=credit, **data
        )

    return _edit_page(
        request,
        form=form,
        title=_("Correct retired credits"),
        back="credit_list",
        record=credit,
        save=save,
        success=_("The credits were corrected."),
    )


@require_POST
@org_view(Capability.EDIT)
def instrument_delete(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = get_object_or_404(
        ContractualInstrument, organisation=request.organisation, pk=pk
    )
    require_unit(request.membership, instrument.business_unit_id)
    try:
        services.instrument_delete(
            organisation=request.organisation, actor=request.user, instrument=instrument
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The instrument was deleted."))
    return redirect("instrument_list", org_slug=request.organisation.slug)


@require_POST
@org_view(Capability.EDIT)
def record_evidence_upload(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Attach evidence (a certificate) to an instrument or a credit."""
    model = {"instrument": ContractualInstrument, "credit": CarbonCredit}.get(kind)
    if model is None:
        return HttpResponse(status=404)
    target = get_object_or_404(model, organisation=request.organisation, pk=pk)
    require_unit(request.membership, getattr(target, "business_unit_id", None))
    form = EvidenceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence_add(
                organisation=request.organisation,
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                target=target,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The document was attached."))
    else:
        messages.error(request, _("Choose a file to upload."))
    name = "instrument_list" if kind == "instrument" else "credit_list"
    return redirect(name, org_slug=request.organisation.slug)


@require_http_methods(["GET", "POST"])
@org_view(Capability.VIEW)
def credit_list(request: HttpRequest) -> HttpResponse:
    # Credits are claimed by the whole organisation.
    require_whole_organisation(request.membership)
    organisation = request.organisation
    form = CreditForm(request.POST or None)

    def create(data):
        services.credit_create(organisation=organisation, actor=request.user, **data)

    if _handle(request, form, create, _("The credits were recorded.")):
        return redirect("credit_list", org_slug=organisation.slug)
    credits = (
        CarbonCredit.objects.filter(organisation=organisation)
        .select_related("claimed_year")
        .prefetch_related("evidence")
        .order_by("-claimed_year__year", "retirement_date")
    )
    totals = (
        credits.values("claimed_year__year")
        .annotate(t=Sum("tonnes"))
        .order_by("-claimed_year__year")
    )
    return render(
        request,
        "emissions/records/credits.html",
        {
            "form": form,
            "credits": credits,
            "totals": totals,
            "upload_form": EvidenceUploadForm(),
        },
    )


@require_POST
@org_view(Capability.EDIT)
def credit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_whole_organisation(request.membership)
    credit = get_object_or_404(CarbonCredit, organisation=request.organisation, pk=pk)
    try:
        services.credit_delete(
            organisation=request.organisation, actor=request.user, credit=credit
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("credit_list", org_slug=request.organisation.slug)


@require_http_methods(["GET", "POST"])
@org_view(Capability.VIEW)
def metric_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    form = MetricForm(request.POST or None, units=_units(request))

    def save(data):
        services.metric_set(
            organisation=organisation,
            actor=request.user,
            business_unit=organisation.business_units.get(
                code=data.pop("business_unit")
            ),
            **data,
        )

    if _handle(request, form, save, _("The metric was saved.")):
        return redirect("metric_list", org_slug=organisation.slug)
    metrics = (
        readable(Metric.objects.filter(organisation=organisation), request.membership)
        .select_related("business_unit", "reporting_year")
        .order_by("-reporting_year__year", "business_unit__code", "kind")
    )
    return render(
        request, "emissions/records/metrics.html", {"form": form, "metrics": metrics}
    )


@require_http_methods(["GET", "POST"])
@org_view(Capability.VIEW)
def target_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    form = TargetForm(request.POST or None)
    if request.method == "POST" and not request.membership.can(Capability.MANAGE):
        raise PermissionDenied("Only administrators set targets.")
    if _handle(
        request,
        form,
        lambda data: services.target_create(
            organisation=organisation, actor=request.user, **data
        ),
        _("The target was recorded."),
    ):
        return redirect("target_list", org_slug=organisation.slug)
    return render(
        request,
        "emissions/records/targets.html",
        {"form": form, "targets": Target.objects.filter(organisation=organisation)},
    )


@require_http_methods(["GET", "POST"])
@org_view(Capability.VIEW)
def recalculation_list(request: HttpRequest) -> HttpResponse:
    # Base-year recalculations are amounts of the whole organisation.
    require_whole_organisation(request.membership)
    organisation = request.organisation
    form = RecalculationForm(request.POST or None, units=_units(request))
    if request.method == "POST" and not request.membership.can(Capability.APPROVE):
        raise PermissionDenied("Only administrators record base-year recalculations.")

    def save(data):
        code = data.pop("business_unit")
        services.recalculation_create(
            organisation=organisation,
            actor=request.user,
            business_unit=(
                organisation.business_units.get(code=code) if code else None
            ),
            **data,
        )

    if _handle(
        request,
        form,
        save,
        _("The recalculation was recorded; another administrator must approve it."),
    ):
        return redirect("recalculation_list", org_slug=organisation.slug)
    recalculations = BaseYearRecalculation.objects.filter(
        organisation=organisation
    ).select_related("created_by", "approved_by", "business_unit")
    return render(
        request,
        "emissions/records/recalculations.html",
        {"form": form, "recalculations": recalculations},
    )


@require_POST
@org_view(Capability.APPROVE)
def recalculation_approve(request: HttpRequest, pk: int) -> HttpResponse:
    require_whole_organisation(request.membership)
    recalculation = get_object_or_404(
        BaseYearRecalculation, organisation=request.organisation, pk=pk
    )
    try:
        services.recalculation_approve(
            organisation=request.organisation,
            actor=request.user,
            recalculation=recalculation,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The recalculation was approved."))
    return redirect("recalculation_list", org_slug=request.organisation.slug)


@require_http_methods(["GET", "POST"])
@org_view(Capability.VIEW)
def finding_list(request: HttpRequest) -> HttpResponse:
    """Findings of the organisation; auditors raise them on a year or an entry."""
    organisation = request.organisation
    form = FindingForm(request.POST or None)
    entry_pk = request.GET.get("entry") or request.POST.get("entry")
    entry = None
    if entry_pk and parse_int(entry_pk) is not None:
        entry = get_object_or_404(
            ActivityEntry, organisation=organisation, pk=parse_int(entry_pk)
        )
        require_unit(request.membership, entry.business_unit_id)
    year_param = request.GET.get("year") or request.POST.get("year")
    if request.method == "POST" and not request.membership.can(Capability.AUDIT):
        raise PermissionDenied("Only auditors record findings.")
    if request.method == "POST" and form.is_valid():
        reporting_year = None
        if entry is None and parse_year(year_param) is not None:
            require_whole_organisation(request.membership)
            reporting_year = get_object_or_404(
                ReportingYear, organisation=organisation, year=parse_year(year_param)
            )
        try:
            finding_services.finding_create(
                organisation=organisation,
                actor=request.user,
                text=form.cleaned_data["text"],
                entry=entry,
                reporting_year=reporting_year,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The finding was recorded."))
            return redirect("finding_list", org_slug=organisation.slug)
    status = request.GET.get("status", "")
    # Findings on a year concern the whole organisation: a limited member
    # reads those on their units' entries.
    findings = readable(
        Finding.objects.filter(organisation=organisation),
        request.membership,
        unit_field="entry__business_unit",
    ).select_related(
        "entry__activity_type",
        "entry__business_unit",
        "reporting_year",
        "raised_by",
        "answered_by",
    )
    if status:
        findings = findings.filter(status=status)
    return render(
        request,
        "emissions/findings/list.html",
        {
            "form": form,
            "findings": findings,
            "entry": entry,
            "year_param": year_param or "",
            "status": status,
            "answer_form": AnswerForm(),
            "years": ReportingYear.objects.filter(organisation=organisation).order_by(
                "-year"
            ),
        },
    )


@require_POST
@org_view(Capability.VIEW)
def finding_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Answer (editors, admins), resolve or reopen (auditors) a finding."""
    organisation = request.organisation
    finding = get_object_or_404(Finding, organisation=organisation, pk=pk)
    require_unit(
        request.membership, finding.entry.business_unit_id if finding.entry else None
    )
    try:
        if action == "answer":
            finding_services.finding_answer(
                organisation=organisation,
                actor=request.user,
                finding=finding,
                answer=request.POST.get("answer", ""),
            )
        elif action == "resolve":
            finding_services.finding_resolve(
                organisation=organisation, actor=request.user, finding=finding
            )
        elif action == "reopen":
            finding_services.finding_reopen(
                organisation=organisation, actor=request.user, finding=finding
            )
        else:
            return HttpResponse(status=404)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The finding was updated."))
    return redirect("finding_list", org_slug=organisation.slug)
