"""Django admin for the emissions models; a locked year stays read-only here too."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from emissions.models import (
    ActivityEntry,
    ActivityType,
    EvidenceDocument,
    ReportingYear,
    YearStatus,
)
from emissions.services.entries import entry_create, entry_delete, entry_update
from emissions.services.evidence import evidence_years
from emissions.services.locks import ensure_year_writable


def _year_of(obj) -> ReportingYear | None:
    if obj is None:
        return None
    if isinstance(obj, ReportingYear):
        return obj
    return getattr(obj, "reporting_year", None)


class LockedYearAdmin(SimpleHistoryAdmin):
    """Refuse changes and deletions of rows whose reporting year is not open."""

    def _locked(self, obj) -> bool:
        reporting_year = _year_of(obj)
        if reporting_year is None or not reporting_year.pk:
            return False
        status = (
            ReportingYear.objects.filter(pk=reporting_year.pk)
            .values_list("status", flat=True)
            .first()
        )
        return status in (YearStatus.APPROVED, YearStatus.SUBMITTED)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if self._locked(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if self._locked(obj):
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and self._locked(obj):
            self.message_user(
                request,
                f"{_year_of(obj)}: the year is not open; this row is read-only.",
                messages.WARNING,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def _check(self, obj) -> None:
        reporting_year = _year_of(obj)
        if reporting_year is not None and reporting_year.pk:
            ensure_year_writable(ReportingYear.objects.get(pk=reporting_year.pk))

    def save_model(self, request, obj, form, change) -> None:
        # has_change_permission covers the form; this covers any other path in.
        try:
            self._check(obj)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            raise
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj) -> None:
        self._check(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self._check(obj)
        super().delete_queryset(request, queryset)


class _DryRun(Exception):
    """Rolls back a service call made only to check a form."""


class EntryAdminForm(forms.ModelForm):
    """The fields a person may type; the rest is the calculation's.

    The form is checked by calling the entry services in a transaction that is
    rolled back, so a refusal (an approved year, a unit the activity does not
    allow, a bad quantity) is shown on the form with the services' message;
    the admin then saves through the same services.
    """

    year = forms.IntegerField(label=_("Year"))
    actor = None  # set per request by ActivityEntryAdmin.get_form

    class Meta:
        model = ActivityEntry
        fields = [
            "organisation",
            "business_unit",
            "activity_type",
            "quantity",
            "unit",
            "period_start",
            "period_end",
            "data_quality",
            "comment",
            "source_reference",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A locked year's entry is shown read-only: the form has no fields.
        if self.instance.pk and "organisation" in self.fields:
            self.fields["year"].initial = self.instance.reporting_year.year
            self.fields["organisation"].disabled = True

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                entry_admin_write(self, self.actor)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None
        return cleaned


def entry_admin_write(form: EntryAdminForm, actor) -> ActivityEntry:  # noqa: ANN001
    """Create or change the form's entry through the entry services."""
    data = form.cleaned_data
    values = {
        "business_unit": data["business_unit"],
        "year": data["year"],
        "activity_type": data["activity_type"],
        "quantity": data["quantity"],
        "unit": data["unit"],
        "period_start": data.get("period_start"),
        "period_end": data.get("period_end"),
        "data_quality": data["data_quality"],
        "comment": data.get("comment") or "",
        "source_reference": data.get("source_reference") or "",
    }
    if form.instance.pk is None:
        return entry_create(organisation=data["organisation"], actor=actor, **values)
    stored = ActivityEntry.objects.get(pk=form.instance.pk)
    return entry_update(
        organisation=stored.organisation,
        actor=actor,
        entry=stored,
        version=stored.version,
        **values,
    )


@admin.register(ActivityEntry)
class ActivityEntryAdmin(LockedYearAdmin):
    form = EntryAdminForm
    list_display = [
        "activity_type",
        "business_unit",
        "reporting_year",
        "quantity",
        "unit",
        "kg_co2e",
    ]
    list_filter = ["organisation", "reporting_year__year", "scope"]
    # The calculation and its snapshot are written by the services only.
    readonly_fields = [
        "reporting_year",
        "scope",
        "scope3_category",
        "iso_category",
        "converted_quantity",
        "factor",
        "factor_set",
        "factor_key",
        "factor_value",
        "factor_unit",
        "factor_note",
        "gwp_set",
        "kg_co2e",
        "kg_by_gas",
        "kg_co2e_market",
        "energy_kwh",
        "residual_mix_factor",
        "import_batch",
        "version",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
    ]

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [
            *EntryAdminForm.Meta.fields[:2],
            "year",
            *EntryAdminForm.Meta.fields[2:],
            *self.get_readonly_fields(request, obj),
        ]

    @admin.display(description=_("Year"))
    def year(self, obj: ActivityEntry | None) -> int | str:
        """The year, where the entry is shown read-only."""
        return obj.reporting_year.year if obj is not None and obj.pk else ""

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        kwargs["fields"] = [*EntryAdminForm.Meta.fields, "year"]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change) -> None:
        saved = entry_admin_write(form, request.user)
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change) -> None:
        # Nothing related is edited here; the entry was saved by the service.
        return None

    def delete_model(self, request, obj) -> None:
        entry_delete(organisation=obj.organisation, actor=request.user, entry=obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def get_actions(self, request: HttpRequest):
        # A bulk delete cannot show a refusal per line; entries are deleted
        # one at a time, where a locked year's entry has no delete button.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(ReportingYear)
class ReportingYearAdmin(LockedYearAdmin):
    list_display = ["organisation", "year", "status", "submitted_by", "approved_by"]
    list_filter = ["organisation", "status"]
    readonly_fields = [
        "status",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "unlock_reason",
    ]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The status itself changes only through the year workflow (four eyes).
        if obj is not None and obj.status != YearStatus.OPEN:
            return False
        return SimpleHistoryAdmin.has_change_permission(self, request, obj)

    def save_model(self, request, obj, form, change) -> None:
        SimpleHistoryAdmin.save_model(self, request, obj, form, change)


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["original_name", "organisation", "kind", "size", "uploaded_at"]
    list_filter = ["organisation", "kind"]
    readonly_fields = [
        "file",
        "sha256",
        "size",
        "content_type",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # A document of a submitted or approved year is part of what was
        # approved: its name and kind change no more than its file.
        if obj is not None and any(
            year.status != YearStatus.OPEN for year in evidence_years(obj)
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Evidence is removed softly, with a reason, through the pages.
        return False


admin.site.register(ActivityType)
