"""Pages of the factor library: sets, factors, comparison, import, methodology."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import BusinessUnit, GwpSet
from accounts.roles import Capability
from accounts.tenancy import org_view, readable, require_whole_organisation
from carbonledger.lib.params import parse_int
from emissions.factor_files import FactorFileError, UnsafeFactorFile, limits
from emissions.models import (
    ActivityType,
    EmissionFactor,
    FactorOverride,
    FactorPreference,
    FactorSet,
    FactorSetKind,
    ResidualMix,
)
from emissions.selectors_factors import (
    comparable_sets,
    factor_description,
    factor_entries,
    factor_get,
    factor_set_comparison,
    factor_set_get,
    factor_sets_visible,
    factors_search,
    methodology_changes,
    open_years,
    residual_mixes,
)
from emissions.services.factors import (
    factor_override_create,
    factor_preference_set,
    factor_reapply,
    factor_set_import,
    organisation_change_gwp_set,
    parse_factor_file,
    residual_mix_choice_set,
)

PAGE_SIZE = 50
UPLOAD_SUFFIXES = (".xls", ".xlsx", ".ods", ".csv")

FILE_TOO_LARGE = _("The file is larger than 25 MB.")
FILE_TYPE = _("Upload a .xls, .xlsx, .ods or .csv file.")
FILE_UNREADABLE = _("The file could not be imported: %(detail)s")
UNSAFE_WORKBOOK = _(
    "The workbook declares XML entities, which spreadsheet programs never write; "
    "it is refused as unsafe. Open it in a spreadsheet program and save it again."
)
STATUS_CHOICES = [
    ("", _("All")),
    ("changed", _("Changed")),
    ("unchanged", _("Unchanged")),
    ("added", _("Only in the newer set")),
    ("removed", _("Only in the older set")),
]


class FactorUploadForm(forms.Form):
    publisher = forms.ChoiceField(
        label=_("Layout"),
        choices=[
            (FactorSetKind.GENERIC, _("Own factors (generic CSV/XLSX layout)")),
            (
                FactorSetKind.GRID,
                _("Grid, residual-mix and district-heating figures (grid layout)"),
            ),
            (FactorSetKind.DESNZ, _("UK DESNZ flat file")),
            (FactorSetKind.EPA, _("US EPA Emission Factors Hub")),
        ],
    )
    file = forms.FileField(label=_("File"))
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("For the generic layout; the file name is used when empty."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=1990,
        max_value=2100,
        required=False,
        help_text=_("For the generic layout when the file has no valid_year column."),
    )
    installation = forms.BooleanField(
        label=_("For every organisation on the installation"),
        required=False,
        help_text=_(
            "Administrators of the installation only; otherwise the set is the "
            "organisation's own."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > limits.MAX_UPLOAD_BYTES:
            raise ValidationError(FILE_TOO_LARGE)
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise ValidationError(FILE_TYPE)
        return upload


class GwpChangeForm(forms.Form):
    gwp_set = forms.ChoiceField(label=_("New GWP set"), choices=GwpSet.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded as a methodology change and shown in the report."),
    )


class PreferenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Publisher of published factors"),
        choices=[
            (FactorSetKind.DESNZ, _("UK DESNZ")),
            (FactorSetKind.EPA, _("US EPA")),
        ],
    )


class ResidualMixForm(forms.Form):
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        min_length=2,
        help_text=_("Two-letter code, e.g. SE or FI."),
    )
    mix = forms.ChoiceField(label=_("Residual mix"), choices=ResidualMix.choices)


class OverrideForm(forms.Form):
    activity_type = forms.ModelChoiceField(
        label=_("Activity type"), queryset=ActivityType.objects.none()
    )
    factor = forms.ModelChoiceField(
        label=_("Own factor"), queryset=EmissionFactor.objects.none()
    )
    business_unit = forms.ModelChoiceField(
        label=_("Only for business unit"),
        required=False,
        queryset=BusinessUnit.objects.none(),
    )
    from_year = forms.IntegerField(label=_("From year"), required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity_type"].queryset = ActivityType.objects.filter(
            Q(organisation__isnull=True) | Q(organisation=organisation), is_active=True
        ).order_by("scope", "code")
        self.fields["factor"].queryset = EmissionFactor.objects.filter(
            factor_set__organisation=organisation
        ).select_related("factor_set")
        self.fields["business_unit"].queryset = organisation.business_units.all()


class ReapplyForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Open year"), coerce=int)

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]


def _entry_url(org_slug: str, entry_pk: int) -> str | None:
    try:
        return reverse("entry_detail", args=(org_slug, entry_pk))
    except NoReverseMatch:
        return None


def _set_or_404(request: HttpRequest, pk: int) -> FactorSet:
    try:
        return factor_set_get(organisation=request.organisation, pk=pk)
    except FactorSet.DoesNotExist:
        raise Http404("No such factor set.") from None


@require_GET
@org_view(Capability.VIEW)
def factor_set_list(request: HttpRequest) -> HttpResponse:
    sets = factor_sets_visible(organisation=request.organisation)
    return render(
        request,
        "emissions/factors/set_list.html",
        {
            "global_sets": [s for s in sets if s.organisation_id is None],
            "own_sets": [s for s in sets if s.organisation_id is not None],
            "can_manage": request.membership.can(Capability.MANAGE),
        },
    )


@require_GET
@org_view(Capability.VIEW)
def factor_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    factor_set = _set_or_404(request, pk)
    q = request.GET.get("q", "").strip()[:200]
    factors = factors_search(
        organisation=request.organisation, factor_set=factor_set, q=q
    )
    page = Paginator(factors, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "emissions/factors/set_detail.html",
        {
            "factor_set": factor_set,
            "page": page,
            "q": q,
            "others": comparable_sets(
                organisation=request.organisation, factor_set=factor_set
            ),
        },
    )


@require_GET
@org_view(Capability.VIEW)
def factor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        factor = factor_get(organisation=request.organisation, pk=pk)
    except EmissionFactor.DoesNotExist:
        raise Http404("No such factor.") from None
    entries = readable(
        factor_entries(organisation=request.organisation, factor=factor),
        request.membership,
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.detail_url = _entry_url(request.organisation.slug, entry.pk)
    return render(
        request,
        "emissions/factors/factor_detail.html",
        {
            "factor": factor,
            "factor_set": factor.factor_set,
            "description": factor_description(
                organisation=request.organisation,
                factor=factor,
                language=(get_language() or "en")[:2],
            ),
            "gases": sorted(factor.gases.items()),
            "page": page,
        },
    )


@require_GET
@org_view(Capability.VIEW)
def factor_set_compare(request: HttpRequest, pk: int) -> HttpResponse:
    new_set = _set_or_404(request, pk)
    others = list(
        comparable_sets(organisation=request.organisation, factor_set=new_set)
    )
    old_pk = request.GET.get("old", "")
    old_set = None
    if parse_int(old_pk) is not None:
        old_set = next((s for s in others if s.pk == parse_int(old_pk)), None)
        if old_set is None:
            raise Http404("No such factor set of the same publisher.")
    elif others:
        older = [s for s in others if s.edition_year <= new_set.edition_year]
        old_set = (older or others)[0]
    q = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    if status not in dict(STATUS_CHOICES):
        status = ""
    rows = []
    if old_set is not None:
        rows = factor_set_comparison(
            organisation=request.organisation,
            old_set=old_set,
            new_set=new_set,
            q=q,
            status=status,
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "emissions/factors/compare.html",
        {
            "factor_set": new_set,
            "old_set": old_set,
            "others": others,
            "page": page,
            "row_count": len(rows),
            "q": q,
            "status": status,
            "status_choices": STATUS_CHOICES,
            "compare_query": urlencode(
                {"old": old_set.pk if old_set else "", "status": status}
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@org_view(Capability.MANAGE)
def factor_set_upload(request: HttpRequest) -> HttpResponse:
    form = FactorUploadForm(request.POST or None, request.FILES or None)
    if not request.user.is_superuser:
        del form.fields["installation"]
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{suffix}"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                parsed = parse_factor_file(
                    path,
                    publisher=form.cleaned_data["publisher"],
                    year=form.cleaned_data["year"],
                    name=form.cleaned_data["name"] or Path(upload.name).stem,
                )
                factor_set, created = factor_set_import(
                    parsed=parsed,
                    kind=form.cleaned_data["publisher"],
                    organisation=None
                    if form.cleaned_data.get("installation")
                    else request.organisation,
                    actor=request.user,
                    file_name=upload.name,
                )
            except UnsafeFactorFile:
                form.add_error("file", ValidationError(UNSAFE_WORKBOOK))
            except FactorFileError as exc:
                form.add_error(
                    "file",
                    ValidationError(FILE_UNREADABLE, params={"detail": str(exc)}),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if created:
                    messages.success(
                        request,
                        gettext("Imported %(count)s factors as “%(name)s”.")
                        % {
                            "count": factor_set.factors.count(),
                            "name": factor_set.name,
                        },
                    )
                else:
                    messages.info(
                        request,
                        gettext("This file was already imported as “%(name)s”.")
                        % {"name": factor_set.name},
                    )
                return redirect(
                    "factor_set_detail",
                    org_slug=request.organisation.slug,
                    pk=factor_set.pk,
                )
    return render(request, "emissions/factors/upload.html", {"form": form})


def _methodology_context(request: HttpRequest, **forms_) -> dict:
    organisation = request.organisation
    years = list(open_years(organisation=organisation).values_list("year", flat=True))
    preference = FactorPreference.objects.filter(organisation=organisation).first()
    kind = preference.kind if preference else FactorSetKind.DESNZ
    context = {
        "publisher_label": dict(PreferenceForm.base_fields["kind"].choices).get(
            kind, kind
        ),
        "gwp_form": GwpChangeForm(initial={"gwp_set": organisation.gwp_set}),
        "preference_form": PreferenceForm(
            initial={"kind": preference.kind if preference else FactorSetKind.DESNZ}
        ),
        "reapply_form": ReapplyForm(years=years),
        "residual_mix_form": ResidualMixForm(),
        "residual_mixes": residual_mixes(organisation=organisation),
        "override_form": OverrideForm(organisation=organisation),
        "overrides": FactorOverride.objects.filter(organisation=organisation)
        .select_related("activity_type", "factor__factor_set", "business_unit")
        .order_by("activity_type__code"),
        "open_years": years,
        "changes": methodology_changes(organisation=organisation)[:50],
    }
    context.update(forms_)
    return context


@require_GET
@org_view(Capability.VIEW)
def factor_methodology(request: HttpRequest) -> HttpResponse:
    """The GWP set, publisher, residual mixes and overrides; auditors read it."""
    membership = request.membership
    if not (membership.can(Capability.MANAGE) or membership.can(Capability.AUDIT)):
        raise PermissionDenied("Only administrators and auditors see the methodology.")
    # Its changes carry the whole organisation's totals.
    require_whole_organisation(membership)
    return render(
        request, "emissions/factors/methodology.html", _methodology_context(request)
    )


@require_POST
@org_view(Capability.MANAGE)
def factor_gwp_change(request: HttpRequest) -> HttpResponse:
    form = GwpChangeForm(request.POST)
    if form.is_valid():
        try:
            change = organisation_change_gwp_set(
                organisation=request.organisation,
                actor=request.user,
                gwp_set=form.cleaned_data["gwp_set"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext(
                    "The GWP set is now %(new)s. %(count)s entries of open years "
                    "were recalculated; submitted and locked years (%(skipped)s) "
                    "were not changed."
                )
                % {
                    "new": change.new_value,
                    "count": change.entries_recalculated,
                    "skipped": ", ".join(map(str, change.years_skipped))
                    or gettext("none"),
                },
            )
            return redirect("factor_methodology", org_slug=request.organisation.slug)
    return render(
        request,
        "emissions/factors/methodology.html",
        _methodology_context(request, gwp_form=form),
        status=400,
    )


@require_POST
@org_view(Capability.MANAGE)
def factor_preference(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST)
    if form.is_valid():
        factor_preference_set(
            organisation=request.organisation,
            actor=request.user,
            kind=form.cleaned_data["kind"],
        )
        messages.success(
            request,
            gettext(
                "Saved. New and re-applied entries use this publisher; existing "
                "entries keep their factors until you re-apply a year."
            ),
        )
        return redirect("factor_methodology", org_slug=request.organisation.slug)
    return render(
        request,
        "emissions/factors/methodology.html",
        _methodology_context(request, preference_form=form),
        status=400,
    )


@require_POST
@org_view(Capability.MANAGE)
def factor_residual_mix(request: HttpRequest) -> HttpResponse:
    """Choose the residual mix a country's market-based figures use."""
    form = ResidualMixForm(request.POST)
    if form.is_valid():
        try:
            residual_mix_choice_set(
                organisation=request.organisation,
                actor=request.user,
                country=form.cleaned_data["country"],
                mix=form.cleaned_data["mix"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                gettext(
                    "Saved. New and re-applied entries use this residual mix; "
                    "existing entries keep theirs until you re-apply a year."
                ),
            )
            return redirect("factor_methodology", org_slug=request.organisation.slug)
    return render(
        request,
        "emissions/factors/methodology.html",
        _methodology_context(request, residual_mix_form=form),
        status=400,
    )


@require_POST
@org_view(Capability.MANAGE)
def factor_override(request: HttpRequest) -> HttpResponse:
    """Make one of the organisation's own factors win for an activity type."""
    form = OverrideForm(request.POST, organisation=request.organisation)
    if form.is_valid():
        try:
            factor_override_create(
                organisation=request.organisation,
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                gettext("Saved. New and re-applied entries of that type use it."),
            )
            return redirect("factor_methodology", org_slug=request.organisation.slug)
    return render(
        request,
        "emissions/factors/methodology.html",
        _methodology_context(request, override_form=form),
        status=400,
    )


@require_POST
@org_view(Capability.MANAGE)
def factor_reapply_view(request: HttpRequest) -> HttpResponse:
    years = list(
        open_years(organisation=request.organisation).values_list("year", flat=True)
    )
    form = ReapplyForm(request.POST, years=years)
    if form.is_valid():
        try:
            change = factor_reapply(
                organisation=request.organisation,
                actor=request.user,
                reporting_year=form.cleaned_data["year"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                gettext(
                    "Factors re-applied to %(year)s: %(changed)s of %(count)s "
                    "entries changed."
                )
                % {
                    "year": change.new_value,
                    "changed": change.entries_changed,
                    "count": change.entries_recalculated,
                },
            )
            return redirect("factor_methodology", org_slug=request.organisation.slug)
    return render(
        request,
        "emissions/factors/methodology.html",
        _methodology_context(request, reapply_form=form),
        status=400,
    )
