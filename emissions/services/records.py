"""Writes of instruments, carbon credits, metrics, targets and base-year recalculations.

Each checks the actor's role and business-unit limitation, the locked-year rule of
the year concerned, and uses the row's version number to refuse a silent overwrite.
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, Membership, Organisation, User
from accounts.roles import Capability
from accounts.tenancy import may_read_unit, membership_for_write
from emissions.certificates import (
    CertificateRange,
    CertificateRangeError,
    certificate_range,
)
from emissions.claims import claims_overlapping, padded
from emissions.models import (
    BaseYearRecalculation,
    CarbonCredit,
    ContractualInstrument,
    InstrumentKind,
    Metric,
    MetricKind,
    RecalculationReason,
    Target,
)
from emissions.rules import ensure_unit_allowed
from emissions.services.locks import ensure_year_writable, reporting_year_for

MWH_CEILING = Decimal("100000000")
TONNES_CEILING = Decimal("100000000")
CREDIT_STANDARDS = [
    "Gold Standard",
    "Verra VCS",
    "Plan Vivo",
    "CDM",
    "Puro.earth",
    "Other",
]

STALE = _(
    "Someone else changed this record since you opened it (version %(stored)s, "
    "yours %(attempted)s). Reload it and apply your change again."
)
UNIT_NOT_OURS = _("The business unit %(unit)s does not belong to this organisation.")
NOT_POSITIVE = _("%(field)s must be a number greater than zero.")
NEGATIVE = _("%(field)s cannot be negative.")
TOO_LARGE = _("%(field)s is larger than any plausible value (%(limit)s).")
NOT_A_NUMBER = _("%(field)s must be a number.")
UNKNOWN_KIND = _("Unknown kind %(kind)s.")
UNKNOWN_STANDARD = _("Choose a standard from the list (%(standards)s).")
VINTAGE_AFTER_CLAIM = _(
    "The vintage %(vintage)s is after the year %(year)s the credits are claimed for."
)
RETIREMENT_REQUIRED = _("Credits count only once retired: give the retirement date.")
TARGET_YEARS = _("The target year must come after the target's base year.")
TARGET_PCT = _("The reduction must be between 0 and 100 %.")
TARGET_SCOPES = _("Scopes must be 1, 1+2 or 1+2+3.")
NET_ZERO_YEAR = _("The net-zero year cannot come before the base year.")
DESCRIPTION_REQUIRED = _("Describe the recalculation: what changed and why.")
FOUR_EYES = _("A recalculation must be approved by another administrator.")
ALREADY_APPROVED = _("This recalculation is already approved.")
CUSTOM_NAME = _("A custom metric needs a name.")
BAD_CERTIFICATE_RANGE = _(
    "The certificate ids do not make a range: %(detail)s. Give the first and "
    "last id of the cancelled range, or one id."
)
ALREADY_CLAIMED = _(
    "Certificates %(first)s to %(last)s were already claimed for %(unit)s "
    "%(unit_name)s in %(year)s: %(kind)s no. %(instrument)s, %(mwh)s MWh, "
    "%(scheme)s, recorded %(date)s. A guarantee of origin is claimed once."
)
ALREADY_CLAIMED_OTHER_UNIT = _(
    "Certificates %(first)s to %(last)s were already claimed for another "
    "business unit of this organisation (%(scheme)s, recorded %(date)s); a "
    "guarantee of origin is claimed once."
)
ALREADY_CLAIMED_ELSEWHERE = _(
    "Certificates %(first)s to %(last)s were already claimed by another "
    "organisation on this installation (%(scheme)s, recorded %(date)s); a "
    "guarantee of origin is claimed once."
)
PRODUCTION_PERIOD = _("The production period ends before it starts.")
BAD_PRODUCTION_COUNTRY = _("The production country is a two-letter code.")
REGISTER_FIELDS = (
    "scheme",
    "certificate_first",
    "certificate_last",
    "production_device",
    "production_country",
    "technology",
    "production_start",
    "production_end",
    "cancellation_date",
    "beneficiary",
)
REGISTER_DATES = ("production_start", "production_end", "cancellation_date")


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(NOT_A_NUMBER, params={"field": field}) from None
    if not number.is_finite():
        raise ValidationError(NOT_A_NUMBER, params={"field": field})
    return number


def _positive(value: Any, field: str, ceiling: Decimal) -> Decimal:
    number = _decimal(value, field)
    if number <= 0:
        raise ValidationError(NOT_POSITIVE, params={"field": field})
    if number > ceiling:
        raise ValidationError(TOO_LARGE, params={"field": field, "limit": ceiling})
    return number


def _non_negative(value: Any, field: str, ceiling: Decimal) -> Decimal:
    number = _decimal(value, field)
    if number < 0:
        raise ValidationError(NEGATIVE, params={"field": field})
    if number > ceiling:
        raise ValidationError(TOO_LARGE, params={"field": field, "limit": ceiling})
    return number


def _unit(organisation: Organisation, business_unit: BusinessUnit) -> BusinessUnit:
    if business_unit.organisation_id != organisation.pk:
        raise ValidationError(UNIT_NOT_OURS, params={"unit": business_unit.code})
    return business_unit


def _check_version(obj, version: int | None) -> None:
    if version is not None and int(version) != obj.version:
        raise ValidationError(
            STALE, code="stale", params={"stored": obj.version, "attempted": version}
        )


def _writable_year(organisation: Organisation, year: int):
    reporting_year = reporting_year_for(organisation=organisation, year=year)
    ensure_year_writable(reporting_year)
    return reporting_year


@transaction.atomic
def instrument_create(
    *,
    organisation: Organisation,
    actor: User,
    business_unit: BusinessUnit,
    year: int,
    kind: str,
    mwh: Any,
    kg_co2e_per_kwh: Any = 0,
    energy_source: str = "",
    supplier: str = "",
    certificate_ids: str = "",
    comment: str = "",
    **register: Any,
) -> ContractualInstrument:
    """Record a scope 2 instrument (guarantee of origin, REC, PPA, green tariff).

    ``register`` holds the guarantee-of-origin register fields (REGISTER_FIELDS);
    a certificate or range already claimed on the installation is refused.
    """
    membership = membership_for_write(organisation=organisation, actor=actor)
    return ContractualInstrument.objects.create(
        organisation=organisation,
        **_instrument_values(
            organisation,
            membership,
            instrument_pk=None,
            business_unit=business_unit,
            year=year,
            kind=kind,
            mwh=mwh,
            kg_co2e_per_kwh=kg_co2e_per_kwh,
            energy_source=energy_source,
            supplier=supplier,
            certificate_ids=certificate_ids,
            comment=comment,
            register=register,
        ),
        created_by=actor,
        updated_by=actor,
    )


@transaction.atomic
def instrument_update(
    *,
    organisation: Organisation,
    actor: User,
    instrument: ContractualInstrument,
    version: int | None,
    business_unit: BusinessUnit,
    year: int,
    kind: str,
    mwh: Any,
    kg_co2e_per_kwh: Any = 0,
    energy_source: str = "",
    supplier: str = "",
    certificate_ids: str = "",
    comment: str = "",
    **register: Any,
) -> ContractualInstrument:
    """Correct an instrument while its year (and the year it moves to) is open."""
    membership = membership_for_write(organisation=organisation, actor=actor)
    stored = ContractualInstrument.objects.select_for_update().get(
        pk=instrument.pk, organisation=organisation
    )
    _check_version(stored, version)
    ensure_unit_allowed(membership, stored.business_unit)
    ensure_year_writable(stored.reporting_year)
    values = _instrument_values(
        organisation,
        membership,
        instrument_pk=stored.pk,
        business_unit=business_unit,
        year=year,
        kind=kind,
        mwh=mwh,
        kg_co2e_per_kwh=kg_co2e_per_kwh,
        energy_source=energy_source,
        supplier=supplier,
        certificate_ids=certificate_ids,
        comment=comment,
        register=register,
    )
    for name, value in values.items():
        setattr(stored, name, value)
    stored.version += 1
    stored.updated_by = actor
    stored._change_reason = "corrected"
    stored.save()
    return stored


def _instrument_values(
    organisation: Organisation,
    membership: Membership | None,
    *,
    instrument_pk: int | None,
    business_unit: BusinessUnit,
    year: int,
    kind: str,
    mwh: Any,
    kg_co2e_per_kwh: Any,
    register: dict[str, Any],
    **text: str,
) -> dict[str, Any]:
    """Return an instrument's checked field values, for a new one or a correction.

    The unit must be the member's and the year open; a certificate claimed
    before (other than by ``instrument_pk`` itself) is refused, last, as that
    check waits for the other claims being recorded.
    """
    ensure_unit_allowed(membership, _unit(organisation, business_unit))
    if kind not in InstrumentKind.values:
        raise ValidationError(UNKNOWN_KIND, params={"kind": kind})
    values: dict[str, Any] = {
        **text,
        "business_unit": business_unit,
        "reporting_year": _writable_year(organisation, year),
        "kind": kind,
        "mwh": _positive(mwh, _("MWh covered"), MWH_CEILING),
        "kg_co2e_per_kwh": _non_negative(kg_co2e_per_kwh, _("The factor"), Decimal(5)),
    }
    values.update(
        _register_values(
            organisation, membership, register, instrument_pk=instrument_pk
        )
    )
    return values


def _register_values(
    organisation: Organisation,
    membership: Membership | None,
    register: dict[str, Any],
    *,
    instrument_pk: int | None,
) -> dict[str, Any]:
    """Check the register fields; refuse a certificate claimed before."""
    unknown = set(register) - set(REGISTER_FIELDS)
    if unknown:
        raise TypeError(f"unknown instrument fields: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {name: register.get(name) for name in REGISTER_FIELDS}
    for name in REGISTER_FIELDS:
        if name not in REGISTER_DATES:
            values[name] = str(values[name] or "").strip()
    values["production_country"] = values["production_country"].upper()
    country = values["production_country"]
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationError(BAD_PRODUCTION_COUNTRY, code="production_country")
    start, end = values["production_start"], values["production_end"]
    if start and end and end < start:
        raise ValidationError(PRODUCTION_PERIOD, code="production_period")
    try:
        claimed = certificate_range(
            values["certificate_first"], values["certificate_last"]
        )
    except CertificateRangeError as exc:
        raise ValidationError(
            BAD_CERTIFICATE_RANGE, code="certificate_range", params={"detail": exc}
        ) from None
    values["certificate_prefix"] = claimed.prefix if claimed else ""
    values["certificate_from"] = padded(claimed.first) if claimed else ""
    values["certificate_to"] = padded(claimed.last) if claimed else ""
    if claimed is not None:
        _refuse_double_claim(
            organisation, membership, claimed, instrument_pk=instrument_pk
        )
    return values


def _refuse_double_claim(
    organisation: Organisation,
    membership: Membership | None,
    claimed: CertificateRange,
    *,
    instrument_pk: int | None,
) -> None:
    """Refuse a range that overlaps one claimed anywhere on the installation.

    The earlier claim is named as precisely as the member may read it: the
    unit, year and instrument when it is the organisation's and in a unit the
    member reads; otherwise only that it exists, so that neither another
    organisation's nor another unit's records show through.
    """
    connection = connections[router.db_for_write(ContractualInstrument)]
    if connection.vendor == "postgresql":
        # Claims are checked one at a time, so two at once cannot both pass.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('go-claims'))")
    earlier = (
        claims_overlapping(claimed, exclude_pk=instrument_pk)
        .select_related("business_unit", "reporting_year")
        .order_by("pk")
        .first()
    )
    if earlier is None:
        return
    params = {
        "first": earlier.certificate_first,
        "last": earlier.certificate_last or earlier.certificate_first,
        "scheme": earlier.scheme or "-",
        "date": f"{timezone.localtime(earlier.created_at):%Y-%m-%d}",
    }
    if earlier.organisation_id != organisation.pk:
        raise ValidationError(
            ALREADY_CLAIMED_ELSEWHERE, code="already_claimed", params=params
        )
    if not may_read_unit(membership, earlier.business_unit_id):
        raise ValidationError(
            ALREADY_CLAIMED_OTHER_UNIT, code="already_claimed", params=params
        )
    raise ValidationError(
        ALREADY_CLAIMED,
        code="already_claimed",
        params={
            **params,
            "unit": earlier.business_unit.code,
            "unit_name": earlier.business_unit.name,
            "year": earlier.reporting_year.year,
            "kind": earlier.get_kind_display(),
            "mwh": f"{earlier.mwh.normalize():f}",
            "instrument": earlier.pk,
        },
    )


@transaction.atomic
def instrument_delete(
    *, organisation: Organisation, actor: User, instrument: ContractualInstrument
) -> None:
    membership = membership_for_write(organisation=organisation, actor=actor)
    ensure_unit_allowed(membership, instrument.business_unit)
    ensure_year_writable(instrument.reporting_year)
    instrument._change_reason = "deleted"
    instrument.delete()


def _whole_organisation(membership) -> None:
    """Refuse a member limited to some units: credits belong to the whole."""
    from accounts.tenancy import WHOLE_ORGANISATION, is_limited

    if is_limited(membership):
        raise ValidationError(WHOLE_ORGANISATION, code="unit_not_yours")


@transaction.atomic
def credit_create(
    *,
    organisation: Organisation,
    actor: User,
    year: int,
    tonnes: Any,
    standard: str,
    project: str,
    vintage: int,
    retirement_date: datetime.date | None,
    serial_numbers: str = "",
    registry: str = "",
    comment: str = "",
) -> CarbonCredit:
    """Record retired credits claimed for a year (never part of the inventory)."""
    _whole_organisation(membership_for_write(organisation=organisation, actor=actor))
    return CarbonCredit.objects.create(
        organisation=organisation,
        **_credit_values(
            organisation,
            year=year,
            tonnes=tonnes,
            standard=standard,
            project=project,
            vintage=vintage,
            retirement_date=retirement_date,
            serial_numbers=serial_numbers,
            registry=registry,
            comment=comment,
        ),
        created_by=actor,
        updated_by=actor,
    )


def _credit_values(
    organisation: Organisation,
    *,
    year: int,
    tonnes: Any,
    standard: str,
    project: str,
    vintage: int,
    retirement_date: datetime.date | None,
    **values: Any,
) -> dict:
    """Return a credit record's checked field values (its year must be open)."""
    if standard not in CREDIT_STANDARDS:
        raise ValidationError(
            UNKNOWN_STANDARD, params={"standards": ", ".join(CREDIT_STANDARDS)}
        )
    if int(vintage) > int(year):
        raise ValidationError(
            VINTAGE_AFTER_CLAIM, params={"vintage": vintage, "year": year}
        )
    if retirement_date is None:
        raise ValidationError(RETIREMENT_REQUIRED)
    return {
        **values,
        "claimed_year": _writable_year(organisation, year),
        "tonnes": _positive(tonnes, _("Tonnes"), TONNES_CEILING),
        "standard": standard,
        "project": project.strip(),
        "vintage": int(vintage),
        "retirement_date": retirement_date,
    }


@transaction.atomic
def credit_update(
    *,
    organisation: Organisation,
    actor: User,
    credit: CarbonCredit,
    version: int | None,
    year: int,
    tonnes: Any,
    standard: str,
    project: str,
    vintage: int,
    retirement_date: datetime.date | None,
    serial_numbers: str = "",
    registry: str = "",
    comment: str = "",
) -> CarbonCredit:
    """Correct a record of retired credits while its claimed year is open."""
    _whole_organisation(membership_for_write(organisation=organisation, actor=actor))
    stored = CarbonCredit.objects.select_for_update().get(
        pk=credit.pk, organisation=organisation
    )
    _check_version(stored, version)
    ensure_year_writable(stored.claimed_year)
    values = _credit_values(
        organisation,
        year=year,
        tonnes=tonnes,
        standard=standard,
        project=project,
        vintage=vintage,
        retirement_date=retirement_date,
        serial_numbers=serial_numbers,
        registry=registry,
        comment=comment,
    )
    for name, value in values.items():
        setattr(stored, name, value)
    stored.version += 1
    stored.updated_by = actor
    stored._change_reason = "corrected"
    stored.save()
    return stored


@transaction.atomic
def credit_delete(
    *, organisation: Organisation, actor: User, credit: CarbonCredit
) -> None:
    _whole_organisation(membership_for_write(organisation=organisation, actor=actor))
    ensure_year_writable(credit.claimed_year)
    credit.delete()


@transaction.atomic
def metric_set(
    *,
    organisation: Organisation,
    actor: User,
    business_unit: BusinessUnit,
    year: int,
    kind: str,
    value: Any,
    unit: str = "",
    name: str = "",
    version: int | None = None,
) -> Metric:
    """Create or update an intensity denominator of a unit and year."""
    membership = membership_for_write(organisation=organisation, actor=actor)
    ensure_unit_allowed(membership, _unit(organisation, business_unit))
    if kind not in MetricKind.values:
        raise ValidationError(UNKNOWN_KIND, params={"kind": kind})
    if kind == MetricKind.CUSTOM and not name.strip():
        raise ValidationError(CUSTOM_NAME)
    reporting_year = _writable_year(organisation, year)
    number = _non_negative(value, _("The value"), Decimal("1e15"))
    metric = (
        Metric.objects.select_for_update()
        .filter(
            business_unit=business_unit,
            reporting_year=reporting_year,
            kind=kind,
            name=name.strip(),
        )
        .first()
    )
    if metric is None:
        return Metric.objects.create(
            organisation=organisation,
            business_unit=business_unit,
            reporting_year=reporting_year,
            kind=kind,
            name=name.strip(),
            unit=unit,
            value=number,
            created_by=actor,
            updated_by=actor,
        )
    _check_version(metric, version)
    metric.value = number
    metric.unit = unit
    metric.version += 1
    metric.updated_by = actor
    metric.save()
    return metric


@transaction.atomic
def target_create(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    scopes: str,
    base_year: int,
    target_year: int,
    reduction_pct: Any,
    net_zero_year: int | None = None,
) -> Target:
    """Record a reduction target against a base year."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.MANAGE
    )
    if scopes not in ("1", "1+2", "1+2+3"):
        raise ValidationError(TARGET_SCOPES)
    if int(target_year) <= int(base_year):
        raise ValidationError(TARGET_YEARS)
    pct = _decimal(reduction_pct, _("The reduction"))
    if not Decimal(0) <= pct <= Decimal(100):
        raise ValidationError(TARGET_PCT)
    if net_zero_year is not None and int(net_zero_year) < int(base_year):
        raise ValidationError(NET_ZERO_YEAR)
    return Target.objects.create(
        organisation=organisation,
        name=name.strip(),
        scopes=scopes,
        base_year=int(base_year),
        target_year=int(target_year),
        reduction_pct=pct,
        net_zero_year=net_zero_year,
        created_by=actor,
        updated_by=actor,
    )


@transaction.atomic
def recalculation_create(
    *,
    organisation: Organisation,
    actor: User,
    reason: str,
    description: str,
    effective_date: datetime.date,
    scope1_t: Any = 0,
    scope2_location_t: Any = 0,
    scope2_market_t: Any = 0,
    scope3_t: Any = 0,
    business_unit: BusinessUnit | None = None,
) -> BaseYearRecalculation:
    """Record a base-year adjustment per scope; it counts once approved.

    It belongs to the business unit it concerns (the unit acquired or divested,
    or whose lines a correction changes); without one it is shown as not
    allocated to a unit.
    """
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.APPROVE
    )
    if business_unit is not None:
        _unit(organisation, business_unit)
    if reason not in RecalculationReason.values:
        raise ValidationError(UNKNOWN_KIND, params={"kind": reason})
    if not description.strip():
        raise ValidationError(DESCRIPTION_REQUIRED)
    return BaseYearRecalculation.objects.create(
        organisation=organisation,
        business_unit=business_unit,
        reason=reason,
        description=description.strip(),
        effective_date=effective_date,
        scope1_t=_decimal(scope1_t, _("Scope 1")),
        scope2_location_t=_decimal(scope2_location_t, _("Scope 2 location-based")),
        scope2_market_t=_decimal(scope2_market_t, _("Scope 2 market-based")),
        scope3_t=_decimal(scope3_t, _("Scope 3")),
        created_by=actor,
        updated_by=actor,
    )


@transaction.atomic
def recalculation_approve(
    *, organisation: Organisation, actor: User, recalculation: BaseYearRecalculation
) -> BaseYearRecalculation:
    """Approve a recalculation: another administrator than its author (four eyes)."""
    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.APPROVE
    )
    if recalculation.approved_at is not None:
        raise ValidationError(ALREADY_APPROVED)
    if recalculation.created_by_id == actor.pk:
        raise ValidationError(FOUR_EYES)
    recalculation.approved_by = actor
    recalculation.approved_at = timezone.now()
    recalculation.version += 1
    recalculation.updated_by = actor
    recalculation.save()
    return recalculation
