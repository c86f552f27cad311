"""Writes of activity entries: create, update with optimistic locking, delete."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, Membership, Organisation, User
from accounts.tenancy import membership_for_write
from emissions.models import (
    ActivityEntry,
    ActivityType,
    DataQuality,
    ImportBatch,
    ReportingYear,
)
from emissions.numbers import parse_quantity
from emissions.rules import Line, ensure_unit_allowed
from emissions.services.locks import ensure_year_writable

ENTRY_CONFLICT = _(
    "Someone else changed this entry while you were editing it "
    "(by %(user)s at %(when)s). Nothing was saved. %(differences)s"
)
CONFLICT_FIELD = _("%(field)s is now “%(stored)s” (you entered “%(attempted)s”).")
CONFLICT_SAME = _("Their values are shown below; enter yours again if needed.")
UNKNOWN_CHANGE = _("%(field)s cannot be changed here.")

# What entry_update may change; everything else is the calculation snapshot.
EDITABLE_FIELDS = (
    "business_unit",
    "year",
    "activity_type",
    "quantity",
    "unit",
    "period_start",
    "period_end",
    "data_quality",
    "comment",
    "source_reference",
)


class EntryConflict(ValidationError):
    """A save based on an outdated version; carries the stored and attempted values."""

    def __init__(
        self,
        message: Any,
        *,
        entry: ActivityEntry,
        stored: dict[str, Any],
        attempted: dict[str, Any],
        params: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code="entry_conflict", params=params)
        self.entry = entry
        self.stored = stored
        self.attempted = attempted


def _validate(
    *,
    organisation: Organisation,
    membership: Membership | None,
    business_unit: BusinessUnit,
    year: int,
    activity_type: ActivityType,
    unit: str,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    data_quality: str,
) -> ReportingYear:
    """Raise the line's first problem (quantity aside); return its open year."""
    return Line(
        organisation=organisation,
        membership=membership,
        business_unit=business_unit,
        year=year,
        activity_type=activity_type,
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        data_quality=data_quality,
    ).open_year()


def _calculation_fields(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit,
    year: int,
    activity_type: ActivityType,
    quantity: Decimal,
    unit: str,
    cache: Any = None,
) -> dict[str, Any]:
    # Looked up at call time so that the resolution module stays the one source.
    from emissions import resolution

    calculation = resolution.calculate_entry(
        organisation=organisation,
        business_unit=business_unit,
        year=year,
        activity_type=activity_type,
        quantity=quantity,
        unit=unit,
        cache=cache,
    )
    fields = calculation.as_model_fields()
    fields["calculated_at"] = timezone.now()
    return fields


@transaction.atomic
def entry_create(
    *,
    organisation: Organisation,
    actor: User,
    business_unit: BusinessUnit,
    year: int,
    activity_type: ActivityType,
    quantity: Decimal,
    unit: str,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    data_quality: str = DataQuality.MEASURED,
    comment: str = "",
    source_reference: str = "",
    import_batch: ImportBatch | None = None,
    cache: Any = None,
) -> ActivityEntry:
    """Validate, calculate and store one activity entry."""
    membership = membership_for_write(organisation=organisation, actor=actor)
    quantity = parse_quantity(quantity)
    reporting_year = _validate(
        organisation=organisation,
        membership=membership,
        business_unit=business_unit,
        year=year,
        activity_type=activity_type,
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        data_quality=data_quality,
    )
    fields = _calculation_fields(
        organisation=organisation,
        business_unit=business_unit,
        year=year,
        activity_type=activity_type,
        quantity=quantity,
        unit=unit,
        cache=cache,
    )
    entry = ActivityEntry(
        organisation=organisation,
        business_unit=business_unit,
        reporting_year=reporting_year,
        activity_type=activity_type,
        quantity=quantity,
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        data_quality=data_quality,
        comment=comment.strip(),
        source_reference=source_reference.strip(),
        import_batch=import_batch,
        created_by=actor,
        updated_by=actor,
        **fields,
    )
    entry._history_user = actor
    entry.save()
    return entry


def _entry_values(entry: ActivityEntry) -> dict[str, Any]:
    return {
        "business_unit": entry.business_unit,
        "year": entry.reporting_year.year,
        "activity_type": entry.activity_type,
        "quantity": entry.quantity,
        "unit": entry.unit,
        "period_start": entry.period_start,
        "period_end": entry.period_end,
        "data_quality": entry.data_quality,
        "comment": entry.comment,
        "source_reference": entry.source_reference,
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except InvalidOperation:
            return False
    return a == b


def _field_label(name: str) -> str:
    if name == "year":
        return str(_("Year"))
    return str(ActivityEntry._meta.get_field(name).verbose_name).capitalize()


@transaction.atomic
def entry_update(
    *,
    organisation: Organisation,
    actor: User,
    entry: ActivityEntry,
    version: int,
    **changes: Any,
) -> ActivityEntry:
    """Change an entry if ``version`` is still current; recalculate its snapshot."""
    for name in changes:
        if name not in EDITABLE_FIELDS:
            raise ValidationError(
                UNKNOWN_CHANGE, code="unknown_change", params={"field": name}
            )
    membership = membership_for_write(organisation=organisation, actor=actor)
    stored = (
        ActivityEntry.objects.select_for_update()
        .select_related("reporting_year", "business_unit", "activity_type")
        .get(pk=entry.pk, organisation=organisation)
    )
    ensure_unit_allowed(membership, stored.business_unit)
    ensure_year_writable(stored.reporting_year)
    current = _entry_values(stored)
    if int(version) != stored.version:
        differing = {
            name: (current[name], value)
            for name, value in changes.items()
            if not _same(current[name], value)
        }
        parts = [
            CONFLICT_FIELD
            % {
                "field": _field_label(name),
                "stored": "" if pair[0] is None else pair[0],
                "attempted": "" if pair[1] is None else pair[1],
            }
            for name, pair in differing.items()
        ] or [str(CONFLICT_SAME)]
        raise EntryConflict(
            ENTRY_CONFLICT,
            entry=stored,
            stored={name: pair[0] for name, pair in differing.items()},
            attempted={name: pair[1] for name, pair in differing.items()},
            params={
                "user": stored.updated_by,
                "when": timezone.localtime(stored.updated_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "differences": " ".join(str(p) for p in parts),
            },
        )
    values = {**current, **changes}
    values["quantity"] = parse_quantity(values["quantity"])
    values["comment"] = (values["comment"] or "").strip()
    values["source_reference"] = (values["source_reference"] or "").strip()
    reporting_year = _validate(
        organisation=organisation,
        membership=membership,
        business_unit=values["business_unit"],
        year=int(values["year"]),
        activity_type=values["activity_type"],
        unit=values["unit"],
        period_start=values["period_start"],
        period_end=values["period_end"],
        data_quality=values["data_quality"],
    )
    fields = _calculation_fields(
        organisation=organisation,
        business_unit=values["business_unit"],
        year=int(values["year"]),
        activity_type=values["activity_type"],
        quantity=values["quantity"],
        unit=values["unit"],
    )
    for name in EDITABLE_FIELDS:
        if name != "year":
            setattr(stored, name, values[name])
    stored.reporting_year = reporting_year
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.version += 1
    stored.updated_by = actor
    stored._history_user = actor
    stored.save()
    return stored


@transaction.atomic
def entry_delete(
    *, organisation: Organisation, actor: User, entry: ActivityEntry
) -> None:
    """Delete an entry of an open year; the history keeps its last values."""
    membership = membership_for_write(organisation=organisation, actor=actor)
    stored = (
        ActivityEntry.objects.select_for_update()
        .select_related("reporting_year", "business_unit")
        .get(pk=entry.pk, organisation=organisation)
    )
    ensure_unit_allowed(membership, stored.business_unit)
    ensure_year_writable(stored.reporting_year)
    stored._history_user = actor
    stored.delete()
