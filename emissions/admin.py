"""Django admin for the emissions models; a locked year stays read-only here too."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from emissions.models import (
    ActivityEntry,
    ActivityType,
    EvidenceDocument,
    ReportingYear,
    YearStatus,
)
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


@admin.register(ActivityEntry)
class ActivityEntryAdmin(LockedYearAdmin):
    list_display = [
        "activity_type",
        "business_unit",
        "reporting_year",
        "quantity",
        "unit",
        "kg_co2e",
    ]
    list_filter = ["organisation", "reporting_year__year", "scope"]
    raw_id_fields = ["factor", "factor_set", "import_batch", "evidence"]
    readonly_fields = ["created_by", "updated_by", "created_at", "updated_at"]


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

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Evidence is removed softly, with a reason, through the pages.
        return False


admin.site.register(ActivityType)
