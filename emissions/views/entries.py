"""Pages of activity entries: picker, grid with row saves, entry detail."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import BusinessUnit
from accounts.roles import Capability
from accounts.tenancy import org_view, require_unit
from carbonledger.lib.formatting import active_language, number
from carbonledger.lib.params import parse_year
from emissions.forms_entries import (
    EntryEditForm,
    EntryRowForm,
    EvidenceUploadForm,
)
from emissions.models import ActivityEntry, ReportingYear, YearStatus
from emissions.resolution import residual_mix_factor
from emissions.selectors_entries import (
    activity_types_for,
    entries_for,
    entry_by_pk,
    entry_grid,
    history_for,
    live_evidence,
    scope_totals,
    units_for_member,
)
from emissions.selectors_factors import unverified_residual_mix
from emissions.services.entries import (
    EntryConflict,
    entry_create,
    entry_delete,
    entry_update,
)
from emissions.services.locks import year_range


def _year_or_404(request: HttpRequest, year: int) -> ReportingYear | None:
    first, last = year_range(request.organisation)
    if not first <= year <= last:
        raise Http404("Year outside the organisation's range.")
    return ReportingYear.objects.filter(
        organisation=request.organisation, year=year
    ).first()


def _unit_or_404(request: HttpRequest, unit_code: str) -> BusinessUnit:
    unit = request.organisation.business_units.filter(code=unit_code).first()
    if unit is None:
        raise Http404("No such business unit.")
    allowed = units_for_member(
        organisation=request.organisation, membership=request.membership
    )
    if not allowed.filter(pk=unit.pk).exists():
        raise PermissionDenied("Your membership is limited to other business units.")
    return unit


def _lock_reason(reporting_year: ReportingYear | None) -> str:
    if reporting_year is None or reporting_year.status == YearStatus.OPEN:
        return ""
    if reporting_year.status == YearStatus.APPROVED:
        return _(
            "%(year)s is approved and locked; an administrator must unlock it "
            "before anything can change."
        ) % {"year": reporting_year.year}
    return _(
        "%(year)s is submitted for approval and read-only; an administrator can "
        "return it to open."
    ) % {"year": reporting_year.year}


def _error_text(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@require_GET
@org_view(Capability.VIEW)
def entry_index(request: HttpRequest) -> HttpResponse:
    """Pick a year and a business unit; the picker's GET form lands here."""
    organisation = request.organisation
    units = units_for_member(organisation=organisation, membership=request.membership)
    first, last = year_range(organisation)
    year_param = request.GET.get("year", "")
    unit_param = request.GET.get("unit", "")
    year = parse_year(year_param)
    if year is not None and units.filter(code=unit_param).exists():
        return redirect(
            "entry_grid",
            org_slug=organisation.slug,
            year=year,
            unit_code=unit_param,
        )
    years = list(range(last, min(organisation.base_year, last) - 1, -1))
    statuses = dict(
        ReportingYear.objects.filter(organisation=organisation).values_list(
            "year", "status"
        )
    )
    return render(
        request,
        "emissions/entries/index.html",
        {
            "units": units,
            "years": [(y, statuses.get(y, YearStatus.OPEN)) for y in years],
            "all_years": list(range(last, first - 1, -1)),
            "selected_year": last - 1 if year is None else year,
        },
    )


def _grid_context(
    request: HttpRequest, *, year: int, unit: BusinessUnit
) -> dict[str, object]:
    reporting_year = ReportingYear.objects.filter(
        organisation=request.organisation, year=year
    ).first()
    lock_reason = _lock_reason(reporting_year)
    readonly_reason = ""
    if not request.membership.can(Capability.EDIT):
        readonly_reason = _("Your role can read this grid but not change it.")
    elif not unit.active_in(year):
        readonly_reason = _(
            "%(unit)s did not belong to the organisation in %(year)s."
        ) % {"unit": unit.code, "year": year}
    return {
        "year": year,
        "unit": unit,
        "reporting_year": reporting_year,
        "lock_reason": lock_reason,
        "readonly_reason": readonly_reason,
        "editable": not lock_reason and not readonly_reason,
        "totals": _totals(request, unit=unit, year=year),
        # Grid lines are marked when the residual mix they use is unverified.
        "unverified_residual_mix": unverified_residual_mix(
            organisation=request.organisation, country=unit.country, year=year
        ),
    }


def _totals(request: HttpRequest, *, unit: BusinessUnit, year: int) -> dict:
    kg = scope_totals(organisation=request.organisation, business_unit=unit, year=year)
    total = sum(kg.values(), Decimal("0"))
    return {
        "by_scope": [
            {"scope": scope, "kg": value, "t": value / 1000}
            for scope, value in sorted(kg.items())
        ],
        "kg": total,
        "t": total / 1000,
    }


@require_GET
@org_view(Capability.VIEW)
def entry_grid_view(request: HttpRequest, year: int, unit_code: str) -> HttpResponse:
    """Show the unit's year as a grid of activity types grouped by scope."""
    _year_or_404(request, year)
    unit = _unit_or_404(request, unit_code)
    context = _grid_context(request, year=year, unit=unit)
    groups = entry_grid(
        organisation=request.organisation, business_unit=unit, year=year
    )
    for group in groups:
        for row in group.rows:
            row.form = EntryRowForm(
                activity_type=row.activity_type, prefix=f"t{row.activity_type.pk}"
            )
    context.update(
        {
            "groups": groups,
            "units": units_for_member(
                organisation=request.organisation, membership=request.membership
            ),
        }
    )
    return render(request, "emissions/entries/grid.html", context)


@require_POST
@org_view(Capability.EDIT)
def entry_row_save(
    request: HttpRequest, year: int, unit_code: str, type_pk: int
) -> HttpResponse:
    """Create an entry from one grid row; HTMX gets the row back, others a redirect."""
    _year_or_404(request, year)
    unit = _unit_or_404(request, unit_code)
    activity_type = (
        activity_types_for(organisation=request.organisation).filter(pk=type_pk).first()
    )
    if activity_type is None:
        raise Http404("No such activity type.")
    prefix = f"t{activity_type.pk}"
    form = EntryRowForm(request.POST, activity_type=activity_type, prefix=prefix)
    saved = None
    if form.is_valid():
        try:
            saved = entry_create(
                organisation=request.organisation,
                actor=request.user,
                business_unit=unit,
                year=year,
                activity_type=activity_type,
                quantity=form.cleaned_data["quantity"],
                unit=form.cleaned_data["unit"],
                data_quality=form.cleaned_data["data_quality"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error("quantity", error)
    grid_url = reverse(
        "entry_grid",
        kwargs={
            "org_slug": request.organisation.slug,
            "year": year,
            "unit_code": unit.code,
        },
    )
    if not request.htmx:
        if saved is not None:
            messages.success(
                request,
                _("Saved: %(entry)s = %(kg)s kg CO2e.")
                % {
                    "entry": saved,
                    "kg": number(saved.kg_co2e, 1, active_language()),
                },
            )
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, f"{activity_type.name}: {message}")
        return redirect(f"{grid_url}#type-{activity_type.pk}")
    if saved is not None:
        form = EntryRowForm(activity_type=activity_type, prefix=prefix)
    context = _grid_context(request, year=year, unit=unit)
    row_entries = [
        entry
        for entry in entries_for(
            organisation=request.organisation, business_unit=unit, year=year
        )
        if entry.activity_type_id == activity_type.pk
    ]
    context.update(
        {
            "row": {
                "activity_type": activity_type,
                "entries": row_entries,
                "form": form,
            },
            "saved": saved,
            "oob": True,
        }
    )
    return render(request, "emissions/entries/_row.html", context)


def _detail_context(request: HttpRequest, entry: ActivityEntry) -> dict[str, object]:
    lock_reason = _lock_reason(entry.reporting_year)
    allowed = units_for_member(
        organisation=request.organisation, membership=request.membership
    ).filter(pk=entry.business_unit_id)
    editable = (
        not lock_reason and request.membership.can(Capability.EDIT) and allowed.exists()
    )
    factor_url = ""
    if entry.factor_id:
        try:
            factor_url = reverse(
                "factor_detail",
                kwargs={"org_slug": request.organisation.slug, "pk": entry.factor_id},
            )
        except Exception:  # noqa: BLE001 - the factor pages may not be installed
            factor_url = ""
    residual_factor = None
    if entry.residual_mix_factor is not None:
        residual_factor = residual_mix_factor(
            organisation=request.organisation,
            country=entry.business_unit.country,
            year=entry.reporting_year.year,
        )
        if residual_factor is not None and (
            residual_factor.co2e is None
            or residual_factor.co2e.normalize() != entry.residual_mix_factor.normalize()
        ):
            residual_factor = None  # the factor changed since the entry was saved
    return {
        "entry": entry,
        "lock_reason": lock_reason,
        "editable": editable,
        "factor_url": factor_url,
        "residual_factor": residual_factor,
        "evidence": live_evidence(entry.evidence.all()),
        "history": history_for(entry),
        "upload_form": EvidenceUploadForm(),
        "kg_by_gas": sorted((entry.kg_by_gas or {}).items()),
    }


def _entry_or_404(request: HttpRequest, pk: int) -> ActivityEntry:
    try:
        entry = entry_by_pk(organisation=request.organisation, pk=pk)
    except ActivityEntry.DoesNotExist:
        raise Http404("No such entry.") from None
    require_unit(request.membership, entry.business_unit_id)
    return entry


def _edit_initial(entry: ActivityEntry) -> dict[str, object]:
    return {
        "version": entry.version,
        "quantity": entry.quantity,
        "unit": entry.unit,
        "period_start": entry.period_start,
        "period_end": entry.period_end,
        "data_quality": entry.data_quality,
        "comment": entry.comment,
        "source_reference": entry.source_reference,
    }


@require_GET
@org_view(Capability.VIEW)
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an entry's calculation snapshot, evidence and history."""
    entry = _entry_or_404(request, pk)
    context = _detail_context(request, entry)
    context["form"] = EntryEditForm(
        initial=_edit_initial(entry), activity_type=entry.activity_type
    )
    return render(request, "emissions/entries/detail.html", context)


@require_POST
@org_view(Capability.EDIT)
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the edit form; a stale version shows both values and saves nothing."""
    entry = _entry_or_404(request, pk)
    form = EntryEditForm(request.POST, activity_type=entry.activity_type)
    conflict = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry_update(
                organisation=request.organisation,
                actor=request.user,
                entry=entry,
                version=data["version"],
                quantity=data["quantity"],
                unit=data["unit"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                data_quality=data["data_quality"],
                comment=data["comment"],
                source_reference=data["source_reference"],
            )
        except EntryConflict as error:
            conflict = error
            entry = _entry_or_404(request, pk)
            # Saving again is a deliberate choice to replace their values.
            post = request.POST.copy()
            post["version"] = str(entry.version)
            form = EntryEditForm(post, activity_type=entry.activity_type)
            form.is_valid()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The entry was saved and recalculated."))
            return redirect("entry_detail", org_slug=request.organisation.slug, pk=pk)
    context = _detail_context(request, entry)
    context.update(
        {
            "form": form,
            "conflict": conflict,
            "conflict_rows": _conflict_rows(conflict) if conflict else [],
        }
    )
    return render(
        request,
        "emissions/entries/detail.html",
        context,
        status=409 if conflict else 400,
    )


def _conflict_rows(conflict: EntryConflict) -> list[tuple[str, object, object]]:
    labels = {name: field.label for name, field in EntryEditForm.base_fields.items()}
    return [
        (
            labels.get(name, name),
            conflict.stored.get(name),
            conflict.attempted.get(name),
        )
        for name in conflict.stored
    ]


@require_http_methods(["GET", "POST"])
@org_view(Capability.EDIT)
def entry_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for confirmation (GET), then delete the entry (POST)."""
    entry = _entry_or_404(request, pk)
    grid_kwargs = {
        "org_slug": request.organisation.slug,
        "year": entry.reporting_year.year,
        "unit_code": entry.business_unit.code,
    }
    if request.method == "POST":
        try:
            entry_delete(
                organisation=request.organisation, actor=request.user, entry=entry
            )
        except ValidationError as error:
            for message in _error_text(error):
                messages.error(request, message)
            return redirect("entry_detail", org_slug=request.organisation.slug, pk=pk)
        messages.success(request, _("The entry was deleted; its history is kept."))
        return redirect("entry_grid", **grid_kwargs)
    return render(
        request,
        "emissions/entries/delete.html",
        {"entry": entry, "lock_reason": _lock_reason(entry.reporting_year)},
    )
