"""Reads for the entry grid, entry pages, years and history, per organisation."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, Membership, Organisation
from emissions.history_values import SEPARATOR, display_field, json_changes
from emissions.models import (
    ActivityEntry,
    ActivityType,
    EvidenceDocument,
    ReportingYear,
    YearStatus,
)
from emissions.services.locks import year_range

ZERO = Decimal("0")


@dataclass
class GridRow:
    activity_type: ActivityType
    entries: list[ActivityEntry] = field(default_factory=list)


@dataclass
class GridGroup:
    scope: int
    scope3_category: int | None
    rows: list[GridRow] = field(default_factory=list)


def units_for_member(*, organisation: Organisation, membership: Membership) -> QuerySet:
    """Return the business units the member may see, in code order."""
    from accounts.tenancy import readable

    units = readable(organisation.business_units.all(), membership, unit_field="pk")
    return units.order_by("code")


def activity_types_for(*, organisation: Organisation) -> QuerySet:
    """Return the catalogue plus the organisation's own active activity types."""
    return ActivityType.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation), is_active=True
    ).order_by("scope", "scope3_category", "sort_order", "code")


def entries_for(
    *, organisation: Organisation, business_unit: BusinessUnit, year: int
) -> QuerySet:
    """Return the unit's entries of a year (with their factors, for the markers)."""
    return (
        ActivityEntry.objects.filter(
            organisation=organisation,
            business_unit=business_unit,
            reporting_year__year=year,
        )
        .select_related("activity_type", "reporting_year", "factor")
        .order_by("activity_type_id", "period_start", "pk")
    )


def entry_grid(
    *, organisation: Organisation, business_unit: BusinessUnit, year: int
) -> list[GridGroup]:
    """Return activity types grouped by scope (and scope 3 category) with entries."""
    by_type: dict[int, list[ActivityEntry]] = {}
    for entry in entries_for(
        organisation=organisation, business_unit=business_unit, year=year
    ):
        by_type.setdefault(entry.activity_type_id, []).append(entry)
    groups: list[GridGroup] = []
    for activity_type in activity_types_for(organisation=organisation):
        category = activity_type.scope3_category if activity_type.scope == 3 else None
        if (
            not groups
            or groups[-1].scope != activity_type.scope
            or groups[-1].scope3_category != category
        ):
            groups.append(
                GridGroup(scope=activity_type.scope, scope3_category=category)
            )
        groups[-1].rows.append(
            GridRow(
                activity_type=activity_type, entries=by_type.get(activity_type.pk, [])
            )
        )
    return groups


def scope_totals(
    *, organisation: Organisation, business_unit: BusinessUnit, year: int
) -> dict[int, Decimal]:
    """Return kg CO2e per scope (1, 2 location-based, 3) for the unit and year."""
    totals = {1: ZERO, 2: ZERO, 3: ZERO}
    rows = (
        ActivityEntry.objects.filter(
            organisation=organisation,
            business_unit=business_unit,
            reporting_year__year=year,
        )
        .values("scope")
        .annotate(kg=Sum("kg_co2e"))
        .order_by("scope")
    )
    for row in rows:
        totals[row["scope"]] = row["kg"] or ZERO
    return totals


def entry_by_pk(*, organisation: Organisation, pk: int) -> ActivityEntry:
    """Return one entry of the organisation (DoesNotExist otherwise)."""
    return ActivityEntry.objects.select_related(
        "business_unit",
        "reporting_year",
        "activity_type",
        "factor",
        "factor_set",
        "created_by",
        "updated_by",
        "import_batch",
    ).get(organisation=organisation, pk=pk)


def live_evidence(queryset: QuerySet) -> QuerySet:
    return queryset.filter(removed_at__isnull=True).select_related("uploaded_by")


def evidence_by_pk(*, organisation: Organisation, pk: int) -> EvidenceDocument:
    return EvidenceDocument.objects.get(organisation=organisation, pk=pk)


def evidence_readable(
    *, document: EvidenceDocument, membership: Membership | None
) -> bool:
    """Return whether the member reads a document.

    A limited member reads the documents of their units' entries and
    instruments, and those they uploaded; documents of a year, of carbon
    credits or of other units belong to the whole organisation or to others.
    """
    from accounts.tenancy import limited_unit_ids

    limit = limited_unit_ids(membership)
    if limit is None or document.uploaded_by_id == membership.user_id:
        return True
    return (
        document.entries.filter(business_unit_id__in=limit).exists()
        or document.instruments.filter(business_unit_id__in=limit).exists()
    )


@dataclass
class YearSummary:
    year: int
    reporting_year: ReportingYear | None
    status: str
    entry_count: int
    kg_co2e: Decimal
    # The inventory's totals (equity share applied), scope 2 both ways.
    t_co2e_location: Decimal = ZERO
    t_co2e_market: Decimal = ZERO

    @property
    def t_co2e(self) -> Decimal:
        return self.kg_co2e / 1000


def year_overview(
    *, organisation: Organisation, membership: Membership | None = None
) -> list[YearSummary]:
    """Return every year from the base year to this year, newest first, with totals.

    For a member limited to some business units the totals are those units'.
    """
    from accounts.tenancy import limited_unit_ids

    first, last = year_range(organisation)
    first = min(organisation.base_year, last)
    limit = limited_unit_ids(membership)
    lines = Q(entries__business_unit_id__in=limit) if limit is not None else None
    stored = {
        ry.year: ry
        for ry in ReportingYear.objects.filter(organisation=organisation)
        .select_related("submitted_by", "approved_by")
        .annotate(
            entry_count=Count("entries", filter=lines),
            kg=Coalesce(Sum("entries__kg_co2e", filter=lines), ZERO),
        )
    }
    from emissions.totals import scope_totals_by_year

    totals = scope_totals_by_year(organisation=organisation)
    years = sorted(set(range(first, last + 1)) | set(stored), reverse=True)
    return [
        YearSummary(
            year=year,
            reporting_year=stored.get(year),
            status=stored[year].status if year in stored else YearStatus.OPEN,
            entry_count=stored[year].entry_count if year in stored else 0,
            kg_co2e=stored[year].kg if year in stored else ZERO,
            t_co2e_location=(
                totals[year].scope1_t
                + totals[year].scope2_location_t
                + totals[year].scope3_t
                if year in totals
                else ZERO
            ),
            t_co2e_market=(
                totals[year].scope1_t
                + totals[year].scope2_market_t
                + totals[year].scope3_t
                if year in totals
                else ZERO
            ),
        )
        for year in years
    ]


# --- History ---------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any

    @property
    def is_unit(self) -> bool:
        """Whether the values are units of measure, shown by their names."""
        return self.field in UNIT_FIELDS


@dataclass
class HistoryItem:
    record: Any
    kind: str
    object_label: str
    user: Any
    date: datetime.datetime
    change_type: str
    reason: str
    changes: list[FieldChange]


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Fields that hold a unit of measure's code, shown by the unit's name.
UNIT_FIELDS = frozenset({"unit", "factor_unit"})
# Names of the fields that the models leave to Django to name (in English only).
FIELD_LABELS = {
    "organisation": _("organisation"),
    "business_unit": _("business unit"),
    "reporting_year": _("reporting year"),
    "activity_type": _("activity type"),
    "import_batch": _("import batch"),
    "scope": _("scope"),
    "scope3_category": _("scope 3 category"),
    "iso_category": _("ISO 14064-1 category"),
    "factor": _("emission factor"),
    "factor_set": _("factor set"),
    "factor_unit": _("unit of the factor"),
    "converted_quantity": _("quantity in the factor's unit"),
    "gwp_set": _("GWP set"),
    "calculation_method": _("calculation method"),
    "kg_co2e": _("kg CO2e (scope 2 location-based)"),
    "kg_by_gas": _("kg CO2e per gas"),
    "energy_kwh": _("energy (kWh)"),
    "residual_mix_factor": _("residual mix factor"),
    "kg_co2e_market": _("kg CO2e (scope 2 market-based)"),
    "created_by": _("created by"),
    "created_at": _("created at"),
    "updated_by": _("changed by"),
    "updated_at": _("changed at"),
    "evidence": _("evidence"),
    "status": _("status"),
    "submitted_by": _("submitted by"),
    "submitted_at": _("submitted at"),
    "approved_by": _("approved by"),
    "approved_at": _("approved at"),
    "file": _("file"),
    "uploaded_by": _("uploaded by"),
    "uploaded_at": _("uploaded at"),
    "removed_at": _("removed at"),
    "removed_by": _("removed by"),
    "removal_reason": _("reason for removal"),
}
# Machine keys that a readable field beside them already shows (the factor).
HIDDEN_FIELDS = frozenset({"version", "calculated_at", "factor_key"})


def history_item(record: Any, kind: str = "") -> HistoryItem:
    """Describe one historical record with the fields it changed."""
    model = record.instance_type
    changes: list[FieldChange] = []
    previous = record.prev_record if record.history_type == "~" else None
    if previous is not None:
        delta = record.diff_against(previous)
        for change in delta.changes:
            if change.field in HIDDEN_FIELDS:
                continue
            label = str(FIELD_LABELS.get(change.field, ""))
            if not label:
                try:
                    label = str(model._meta.get_field(change.field).verbose_name)
                except Exception:  # noqa: BLE001
                    label = change.field.replace("_", " ")
            if isinstance(change.old, dict) or isinstance(change.new, dict):
                # A JSON object: one row per key that changed.
                changes.extend(
                    FieldChange(
                        field=change.field,
                        label=f"{label}{SEPARATOR}{key}" if key else label,
                        old=old,
                        new=new,
                    )
                    for key, old, new in json_changes(
                        model,
                        change.field,
                        change.old,
                        change.new,
                        organisation_id=getattr(record, "organisation_id", None),
                    )
                )
                continue
            changes.append(
                FieldChange(
                    field=change.field,
                    label=label,
                    old=display_field(model, change.field, change.old),
                    new=display_field(model, change.field, change.new),
                )
            )
    return HistoryItem(
        record=record,
        kind=kind or str(model._meta.verbose_name),
        object_label=str(record.instance),
        user=record.history_user,
        date=record.history_date,
        change_type=HISTORY_TYPES.get(record.history_type, record.history_type),
        reason=record.history_change_reason or "",
        changes=changes,
    )


def history_for(obj: Any) -> list[HistoryItem]:
    """Return an object's history, newest first."""
    records = (
        obj.history.all()
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    return [history_item(record) for record in records]


# The models whose history the organisation's history page lists, by kind.
# Apps above this one add theirs when they load (`history_model_register`).
HISTORY_MODELS: dict[str, type] = {
    "entry": ActivityEntry,
    "year": ReportingYear,
    "evidence": EvidenceDocument,
}


def history_model_register(kind: str, model: type) -> None:
    """List a model's history on the history page (its historical table must
    carry `organisation_id`)."""
    HISTORY_MODELS[kind] = model


def organisation_history(
    *,
    organisation: Organisation,
    model: str = "",
    user_id: int | None = None,
    membership: Membership | None = None,
) -> QuerySet:
    """Return (kind, history_id, date) rows of the organisation's history, newest first.

    A UNION across the historical tables, so that one page lists them in order and
    the database does the sorting and paging. A member limited to some units
    reads the history of their units' entries, of the years, and of the
    documents they uploaded.
    """
    from accounts.tenancy import limited_unit_ids

    limit = limited_unit_ids(membership)
    selected = [model] if model in HISTORY_MODELS else list(HISTORY_MODELS)
    querysets = []
    for kind in selected:
        historical = HISTORY_MODELS[kind].history.model
        qs = historical.objects.filter(organisation_id=organisation.pk).order_by()
        if user_id:
            qs = qs.filter(history_user_id=user_id)
        if limit is not None and kind == "entry":
            qs = qs.filter(business_unit_id__in=limit)
        elif limit is not None and kind == "evidence":
            qs = qs.filter(uploaded_by_id=membership.user_id)
        querysets.append(
            qs.annotate(
                kind_order=_kind_value(kind),
            ).values_list("kind_order", "history_id", "history_date")
        )
    combined = querysets[0]
    if len(querysets) > 1:
        combined = combined.union(*querysets[1:], all=True)
    return combined.order_by("-history_date", "-history_id")


def _kind_value(kind: str):
    from django.db.models import CharField, Value

    return Value(kind, output_field=CharField())


def history_items_for_rows(rows: list[tuple[str, int, Any]]) -> list[HistoryItem]:
    """Load the historical records of one page of organisation_history rows."""
    ids_by_kind: dict[str, list[int]] = {}
    for kind, history_id, _date in rows:
        ids_by_kind.setdefault(kind, []).append(history_id)
    loaded: dict[tuple[str, int], Any] = {}
    for kind, ids in ids_by_kind.items():
        historical = HISTORY_MODELS[kind].history.model
        for record in historical.objects.filter(history_id__in=ids).select_related(
            "history_user"
        ):
            loaded[(kind, record.history_id)] = record
    labels = {
        kind: str(model._meta.verbose_name).capitalize()
        for kind, model in HISTORY_MODELS.items()
    }
    return [
        history_item(loaded[(kind, history_id)], labels[kind])
        for kind, history_id, _date in rows
        if (kind, history_id) in loaded
    ]


def history_users(*, organisation: Organisation) -> QuerySet:
    """Return the organisation's members, for the history filter."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__email")
    )


# --- The entries behind a figure ---------------------------------------------


@dataclass(frozen=True)
class EntryFilter:
    """Which entries a figure is made of; None means any."""

    year: int
    units: list[int] | None = None  # a unit and every unit below it
    scope: int | None = None
    scope3_category: int | None = None
    activity: str | None = None
    # Only the lines without a document (the readiness review's evidence list).
    without_evidence: bool = False


def entries_matching(
    *, organisation: Organisation, filters: EntryFilter, allowed_units: QuerySet
) -> QuerySet:
    """Return the entries a figure is made of, with their factors and evidence."""
    qs = ActivityEntry.objects.filter(
        organisation=organisation,
        reporting_year__year=filters.year,
        business_unit__in=allowed_units,
    )
    if filters.units is not None:
        qs = qs.filter(business_unit_id__in=filters.units)
    if filters.scope is not None:
        qs = qs.filter(scope=filters.scope)
    if filters.scope3_category is not None:
        qs = qs.filter(scope=3, scope3_category=filters.scope3_category)
    if filters.activity:
        qs = qs.filter(activity_type__code=filters.activity)
    if filters.without_evidence:
        from emissions.readiness.evidence import without_evidence

        qs = without_evidence(qs)
    return (
        qs.select_related("business_unit", "activity_type", "factor_set", "factor")
        .annotate(
            evidence_count=Count(
                "evidence", filter=Q(evidence__removed_at__isnull=True)
            )
        )
        .order_by("business_unit__code", "scope", "activity_type__code", "pk")
    )
