"""Writes of activity entries: create, update with optimistic locking, delete."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, Membership, Organisation, User
from accounts.roles import Capability
from emissions.models import (
    ActivityEntry,
    ActivityType,
    DataQuality,
    ImportBatch,
    ReportingYear,
)
from emissions.services.locks import ensure_year_writable, reporting_year_for
from emissions.units import UNITS

NOT_A_MEMBER = _("You are not a member of this organisation.")
NO_CAPABILITY = _("Your role does not allow this change.")
UNIT_NOT_YOURS = _(
    "You may only enter data for the business units you are assigned to; "
    "%(unit)s is not one of them."
)
QUANTITY_NOT_NUMBER = _("The quantity must be a number, for example 1250 or 12.5.")
QUANTITY_NOT_FINITE = _("The quantity must be a finite number.")
QUANTITY_NEGATIVE = _("The quantity cannot be negative.")
QUANTITY_TOO_LARGE = _(
    "The quantity %(quantity)s is implausibly large (the limit is %(limit)s); "
    "check the unit and the decimal separator."
)
QUANTITY_TOO_PRECISE = _("The quantity can have at most 10 decimal places.")
UNIT_UNKNOWN = _("“%(unit)s” is not a known unit.")
UNIT_NOT_ALLOWED = _(
    "The unit %(unit)s cannot be used for %(activity)s; use one of: %(allowed)s."
)
BUSINESS_UNIT_OTHER_ORG = _("That business unit does not belong to this organisation.")
BUSINESS_UNIT_INACTIVE = _(
    "The business unit %(unit)s did not belong to the organisation in %(year)s."
)
ACTIVITY_OTHER_ORG = _("That activity type is not available to this organisation.")
ACTIVITY_INACTIVE = _("The activity type %(activity)s is no longer in use.")
PERIOD_ORDER = _("The period must end on or after the day it starts.")
PERIOD_OUTSIDE_YEAR = _("The period must lie inside the year %(year)s.")
DATA_QUALITY_UNKNOWN = _("“%(value)s” is not a data quality level.")
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


def membership_for_write(
    *,
    organisation: Organisation,
    actor: User,
    capability: str = Capability.EDIT,
) -> Membership | None:
    """Return the actor's membership, or raise if the actor may not write.

    Superusers acting outside the pages (admin, commands) have no membership and
    are let through; their writes still obey the locked-year rule.
    """
    membership = (
        Membership.objects.filter(organisation=organisation, user=actor)
        .prefetch_related("business_units")
        .first()
    )
    if membership is None or not membership.is_current():
        if getattr(actor, "is_superuser", False):
            return None
        raise ValidationError(NOT_A_MEMBER, code="not_a_member")
    if not membership.can(capability):
        raise ValidationError(NO_CAPABILITY, code="no_capability")
    return membership


def ensure_unit_allowed(
    membership: Membership | None, business_unit: BusinessUnit
) -> None:
    """Raise if the membership is limited to other business units."""
    from accounts.tenancy import may_read_unit

    if not may_read_unit(membership, business_unit.pk):
        raise ValidationError(
            UNIT_NOT_YOURS,
            code="unit_not_yours",
            params={"unit": business_unit.code},
        )


# A quantity passed as text: ASCII digits and a decimal point (pages pass the
# number as the NumberField read it; the API its JSON string).
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def quantity_limit() -> Decimal:
    """Return the largest quantity a line may have, from the settings."""
    return Decimal(str(settings.ENTRY_QUANTITY_MAX))


def parse_quantity(value: Any, *, limit: Decimal | None = None) -> Decimal:
    """Return the quantity as a validated Decimal (finite, ≥ 0, below the ceiling).

    `limit` is settings.ENTRY_QUANTITY_MAX as a Decimal; callers checking many
    lines pass it once read.
    """
    if isinstance(value, float):
        # Floats carry binary noise; callers pass Decimal or the typed text.
        value = str(value)
    if isinstance(value, str):
        value = value.strip().replace("\u00a0", "").replace(" ", "")
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(QUANTITY_NOT_NUMBER, code="quantity_not_number") from None
    if not quantity.is_finite():
        raise ValidationError(QUANTITY_NOT_FINITE, code="quantity_not_finite")
    if isinstance(value, str) and not _PLAIN_NUMBER.fullmatch(value):
        # Decimal() also reads "1_000", "1e3" and other scripts' digits.
        raise ValidationError(QUANTITY_NOT_NUMBER, code="quantity_not_number")
    if quantity < 0 or quantity.is_signed():  # -0 too
        raise ValidationError(QUANTITY_NEGATIVE, code="quantity_negative")
    if limit is None:
        limit = quantity_limit()
    if quantity >= limit:
        raise ValidationError(
            QUANTITY_TOO_LARGE,
            code="quantity_too_large",
            params={"quantity": quantity, "limit": f"{limit:,.0f}"},
        )
    if quantity.as_tuple().exponent < -10 and quantity != quantity.quantize(
        Decimal("1e-10")
    ):
        raise ValidationError(QUANTITY_TOO_PRECISE, code="quantity_too_precise")
    return quantity


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
    """Check everything but the quantity; return the writable reporting year."""
    if business_unit.organisation_id != organisation.pk:
        raise ValidationError(BUSINESS_UNIT_OTHER_ORG, code="unit_other_organisation")
    if activity_type.organisation_id not in (None, organisation.pk):
        raise ValidationError(ACTIVITY_OTHER_ORG, code="activity_other_organisation")
    ensure_unit_allowed(membership, business_unit)
    reporting_year = reporting_year_for(organisation=organisation, year=year)
    ensure_year_writable(reporting_year)
    if not business_unit.active_in(year):
        raise ValidationError(
            BUSINESS_UNIT_INACTIVE,
            code="unit_inactive",
            params={"unit": business_unit.code, "year": year},
        )
    if not activity_type.is_active:
        raise ValidationError(
            ACTIVITY_INACTIVE,
            code="activity_inactive",
            params={"activity": activity_type.name},
        )
    if unit not in UNITS:
        raise ValidationError(UNIT_UNKNOWN, code="unit_unknown", params={"unit": unit})
    if unit not in activity_type.allowed_units:
        raise ValidationError(
            UNIT_NOT_ALLOWED,
            code="unit_not_allowed",
            params={
                "unit": unit,
                "activity": activity_type.name,
                "allowed": ", ".join(activity_type.allowed_units),
            },
        )
    if data_quality not in DataQuality.values:
        raise ValidationError(
            DATA_QUALITY_UNKNOWN,
            code="data_quality_unknown",
            params={"value": data_quality},
        )
    if period_start and period_end and period_end < period_start:
        raise ValidationError(PERIOD_ORDER, code="period_order")
    for day in (period_start, period_end):
        if day is not None and day.year != year:
            raise ValidationError(
                PERIOD_OUTSIDE_YEAR, code="period_outside_year", params={"year": year}
            )
    return reporting_year


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
