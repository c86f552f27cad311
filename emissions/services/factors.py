"""Writes of the factor library: importing sets, overrides, methodology changes."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, GwpSet, Organisation, User
from carbonledger.lib.bulk import insert_rows
from emissions.factor_files import FactorFileError, ParsedFactorFile
from emissions.models import (
    ActivityEntry,
    ActivityType,
    EmissionFactor,
    FactorOverride,
    FactorPreference,
    FactorSet,
    FactorSetKind,
    MethodologyChange,
    MethodologyChangeKind,
    ReportingYear,
    ResidualMix,
    ResidualMixChoice,
    YearStatus,
)
from emissions.services.locks import ensure_year_writable

ZERO = Decimal(0)

EMPTY_FILE = _("The file holds no factor rows; nothing was imported.")
PRIVATE_KIND_REQUIRED = _(
    "An organisation's own set must be of the generic kind or a published layout."
)
UNKNOWN_GWP_SET = _("Unknown GWP set %(gwp_set)s.")
SAME_GWP_SET = _("The organisation already uses %(gwp_set)s.")
REASON_REQUIRED = _("Give a reason: a methodology change is recorded with it.")
OVERRIDE_FACTOR_NOT_OWN = _(
    "An override must use a factor from one of the organisation's own factor sets."
)
OVERRIDE_UNIT_NOT_OWN = _("The business unit does not belong to this organisation.")
YEAR_NOT_OPEN = _(
    "The year %(year)s is not open; factors can only be re-applied to an open year."
)
NO_SUCH_YEAR = _("The organisation has no reporting year %(year)s.")
UNKNOWN_PUBLISHER = _("Unknown publisher %(kind)s.")
UNKNOWN_RESIDUAL_MIX = _("Unknown residual mix %(mix)s.")
BAD_COUNTRY = _("%(country)s is not a two-letter country code.")
INSTALLATION_ADMIN_ONLY = _(
    "Only an administrator of the installation may load factors for every organisation."
)


def _field_text(value: str, limit: int) -> str:
    return (value or "")[:limit]


_FACTOR_COLUMNS = (
    "factor_set",
    "key",
    "scope_label",
    "level1",
    "level2",
    "level3",
    "level4",
    "column_text",
    "unit",
    "unit_label",
    "co2e",
    "gases",
    "gas_basis",
    "source_note",
    "publication",
    "edition",
    "table_or_page",
    "source_url",
    "gases_covered",
    "verification",
    "verification_note",
)


def _insert_factors(factor_set: FactorSet, rows) -> None:
    """Insert a set's rows straight into the table.

    A published edition has thousands of rows; building model instances and
    letting the ORM compile each value costs several times more than reading
    the spreadsheet. The rows have no signals or history of their own: the
    set's history record covers the import.
    """
    meta = EmissionFactor._meta
    connection = connections[router.db_for_write(EmissionFactor)]
    # What JSONField.get_db_prep_save does for a plain dict, without its checks
    # for expressions on every row.
    adapt_json = connection.ops.adapt_json_value
    json_encoder = meta.get_field("gases").encoder
    factor_set_id = factor_set.pk
    values = []
    for row in rows:
        levels = [*row.path[:4], "", "", "", ""][:4]
        gases = {gas: str(value) for gas, value in row.gases.items()}
        values.append(
            (
                factor_set_id,
                row.key[:400],
                row.scope_label[:60],
                levels[0][:200],
                levels[1][:200],
                levels[2][:200],
                levels[3][:200],
                row.column_text[:200],
                row.unit,
                row.unit_label[:60],
                row.co2e,
                adapt_json(gases, json_encoder),
                row.gas_basis,
                row.source_note,
                row.publication[:300],
                row.edition[:200],
                row.table_or_page[:300],
                row.source_url[:500],
                row.gases_covered,
                row.verification,
                row.verification_note,
            )
        )
    columns = [meta.get_field(name).column for name in _FACTOR_COLUMNS]
    insert_rows(connection, meta.db_table, columns, values)


@transaction.atomic
def factor_set_import(
    *,
    parsed: ParsedFactorFile,
    kind: str,
    organisation: Organisation | None = None,
    actor: User | None = None,
    file_name: str = "",
) -> tuple[FactorSet, bool]:
    """Store a parsed factor file as one set, all or nothing; idempotent per file.

    The same checksum for the same owner returns the existing set and False.
    """
    if kind not in FactorSetKind.values:
        raise ValidationError(UNKNOWN_PUBLISHER, params={"kind": kind})
    if organisation is None and actor is not None and not actor.is_superuser:
        raise ValidationError(INSTALLATION_ADMIN_ONLY, code="installation_admin")
    if not parsed.rows:
        raise ValidationError(EMPTY_FILE, code="empty")
    if parsed.checksum_sha256:
        existing = FactorSet.objects.filter(
            organisation=organisation,
            kind=kind,
            checksum_sha256=parsed.checksum_sha256,
        ).first()
        if existing is not None:
            return existing, False
    gwp_basis = parsed.gwp_basis if parsed.gwp_basis in GwpSet.values else GwpSet.AR5
    factor_set = FactorSet.objects.create(
        organisation=organisation,
        kind=kind,
        publisher=_field_text(parsed.publisher, 200),
        name=_field_text(parsed.name, 200),
        edition_year=parsed.edition_year,
        version=_field_text(parsed.version, 40),
        region=_field_text(parsed.region, 60),
        source_url=_field_text(parsed.source_url, 500),
        licence=_field_text(parsed.licence, 200),
        gwp_basis=gwp_basis,
        checksum_sha256=parsed.checksum_sha256,
        file_name=_field_text(file_name, 255),
        imported_by=actor,
        notes="\n".join(parsed.warnings),
    )
    _insert_factors(factor_set, parsed.rows)
    return factor_set, True


def parse_factor_file(path, *, publisher: str, year: int | None = None, name: str = ""):
    """Parse a file in one of the three layouts; raise FactorFileError if unreadable."""
    from python_calamine import CalamineError

    from emissions.factor_files import (
        parse_desnz_flat_file,
        parse_epa_hub,
        parse_generic_factor_file,
    )
    from emissions.factor_files.grid import parse_grid_factor_file

    try:
        if publisher == FactorSetKind.DESNZ:
            parsed = parse_desnz_flat_file(path)
        elif publisher == FactorSetKind.EPA:
            parsed = parse_epa_hub(path)
        elif publisher == FactorSetKind.GRID:
            parsed = parse_grid_factor_file(path, name=name)
        elif publisher == FactorSetKind.GENERIC:
            parsed = parse_generic_factor_file(
                path,
                publisher=name or "Own factors",
                name=name or "Own factors",
                edition_year=year,
            )
        else:
            raise FactorFileError(f"Unknown publisher {publisher!r}.")
    except CalamineError as exc:
        # A sheet is read after the workbook opened; its XML can still be bad.
        raise FactorFileError(f"A sheet cannot be read: {str(exc)[:200]}") from exc
    generic = publisher == FactorSetKind.GENERIC
    if year is not None and not generic and parsed.edition_year != year:
        raise FactorFileError(
            f"The file is the {parsed.edition_year} edition, not {year}."
        )
    return parsed


@transaction.atomic
def factor_preference_set(
    *, organisation: Organisation, actor: User, kind: str
) -> FactorPreference:
    """Choose the publisher whose global sets give the organisation's factors."""
    if kind not in (FactorSetKind.DESNZ, FactorSetKind.EPA):
        raise ValidationError(UNKNOWN_PUBLISHER, params={"kind": kind})
    preference, _created = FactorPreference.objects.update_or_create(
        organisation=organisation, defaults={"kind": kind}
    )
    return preference


@transaction.atomic
def residual_mix_choice_set(
    *, organisation: Organisation, actor: User, country: str, mix: str
) -> ResidualMixChoice:
    """Choose which publication of a country's residual mix the organisation uses.

    The choice is kept with its history; entries use it when they are saved
    or when their year's factors are re-applied.
    """
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationError(BAD_COUNTRY, code="country", params={"country": country})
    if mix not in ResidualMix.values:
        raise ValidationError(UNKNOWN_RESIDUAL_MIX, params={"mix": mix})
    choice = ResidualMixChoice.objects.filter(
        organisation=organisation, country=country
    ).first()
    if choice is None:
        choice = ResidualMixChoice(organisation=organisation, country=country)
    choice.mix = mix
    choice.updated_by = actor
    choice._history_user = actor
    choice.save()
    return choice


@transaction.atomic
def factor_override_create(
    *,
    organisation: Organisation,
    actor: User,
    activity_type: ActivityType,
    factor: EmissionFactor,
    business_unit: BusinessUnit | None = None,
    from_year: int | None = None,
) -> FactorOverride:
    """Make one of the organisation's own factors win for an activity type."""
    if factor.factor_set.organisation_id != organisation.pk:
        raise ValidationError(OVERRIDE_FACTOR_NOT_OWN, code="not_own")
    if business_unit is not None and business_unit.organisation_id != organisation.pk:
        raise ValidationError(OVERRIDE_UNIT_NOT_OWN, code="not_own")
    return FactorOverride.objects.create(
        organisation=organisation,
        activity_type=activity_type,
        factor=factor,
        business_unit=business_unit,
        from_year=from_year,
        created_by=actor,
    )


def _recalculate_entries(
    entries, *, organisation: Organisation, actor: User
) -> tuple[int, int]:
    """Recalculate entries in place; return (entries seen, entries changed)."""
    from emissions.resolution import ResolutionCache, calculate_entry

    cache = ResolutionCache()
    now = timezone.now()
    changed: list[ActivityEntry] = []
    seen = 0
    fields: list[str] = []
    for entry in entries.select_related(
        "business_unit", "activity_type", "reporting_year"
    ):
        seen += 1
        calculation = calculate_entry(
            organisation=organisation,
            business_unit=entry.business_unit,
            year=entry.reporting_year.year,
            activity_type=entry.activity_type,
            quantity=entry.quantity,
            unit=entry.unit,
            cache=cache,
        )
        values = calculation.as_model_fields()
        fields = list(values)
        differs = any(
            _normalised(getattr(entry, name)) != _normalised(value)
            for name, value in values.items()
        )
        if not differs:
            continue
        for name, value in values.items():
            setattr(entry, name, value)
        entry.calculated_at = now
        entry.updated_by = actor
        entry.version += 1
        changed.append(entry)
    if changed:
        # One history row per changed entry keeps the audit trail complete.
        for entry in changed:
            entry.save(
                update_fields=[
                    *fields,
                    "calculated_at",
                    "updated_by",
                    "version",
                    "updated_at",
                ]
            )
    return seen, len(changed)


def _normalised(value):
    if isinstance(value, Decimal):
        return value.normalize()
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, dict):
        return {k: str(Decimal(str(v)).normalize()) for k, v in value.items()}
    return value


def _kg_total(entries) -> Decimal:
    return entries.aggregate(total=Sum("kg_co2e"))["total"] or ZERO


@transaction.atomic
def organisation_change_gwp_set(
    *, organisation: Organisation, actor: User, gwp_set: str, reason: str
) -> MethodologyChange:
    """Change the GWP set as a recorded methodology change; recalculate open years.

    Approved and submitted years keep their figures: they change only after an
    unlock, and the record names the years left as they were.
    """
    if gwp_set not in GwpSet.values:
        raise ValidationError(UNKNOWN_GWP_SET, params={"gwp_set": gwp_set})
    if gwp_set == organisation.gwp_set:
        raise ValidationError(SAME_GWP_SET, params={"gwp_set": gwp_set})
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    old = organisation.gwp_set
    organisation.gwp_set = gwp_set
    organisation.save(update_fields=["gwp_set"])
    years = ReportingYear.objects.filter(organisation=organisation)
    open_years = sorted(
        years.filter(status=YearStatus.OPEN).values_list("year", flat=True)
    )
    skipped = sorted(
        years.exclude(status=YearStatus.OPEN).values_list("year", flat=True)
    )
    entries = ActivityEntry.objects.filter(
        organisation=organisation, reporting_year__status=YearStatus.OPEN
    )
    before = _kg_total(entries)
    seen, changed = _recalculate_entries(
        entries, organisation=organisation, actor=actor
    )
    after = _kg_total(entries)
    note = (
        f"GWP set changed from {old} to {gwp_set}. "
        f"Recalculated open years: {', '.join(map(str, open_years)) or 'none'}. "
        f"Submitted or locked years not recalculated: "
        f"{', '.join(map(str, skipped)) or 'none'}."
    )
    return MethodologyChange.objects.create(
        organisation=organisation,
        kind=MethodologyChangeKind.GWP_SET,
        old_value=old,
        new_value=gwp_set,
        reason=reason.strip(),
        years_recalculated=open_years,
        years_skipped=skipped,
        entries_recalculated=seen,
        entries_changed=changed,
        kg_before=before,
        kg_after=after,
        note=note,
        actor=actor,
    )


@transaction.atomic
def factor_reapply(
    *, organisation: Organisation, actor: User, reporting_year: int | ReportingYear
) -> MethodologyChange:
    """Recalculate an open year's entries with the factors resolved today."""
    if isinstance(reporting_year, ReportingYear):
        if reporting_year.organisation_id != organisation.pk:
            raise ValidationError(NO_SUCH_YEAR, params={"year": reporting_year.year})
        year_obj = reporting_year
    else:
        year_obj = ReportingYear.objects.filter(
            organisation=organisation, year=reporting_year
        ).first()
        if year_obj is None:
            raise ValidationError(NO_SUCH_YEAR, params={"year": reporting_year})
    year_obj = ReportingYear.objects.select_for_update().get(pk=year_obj.pk)
    ensure_year_writable(year_obj)
    entries = ActivityEntry.objects.filter(
        organisation=organisation, reporting_year=year_obj
    )
    before = _kg_total(entries)
    seen, changed = _recalculate_entries(
        entries, organisation=organisation, actor=actor
    )
    after = _kg_total(entries)
    return MethodologyChange.objects.create(
        organisation=organisation,
        kind=MethodologyChangeKind.FACTOR_REAPPLY,
        old_value=str(year_obj.year),
        new_value=str(year_obj.year),
        years_recalculated=[year_obj.year],
        entries_recalculated=seen,
        entries_changed=changed,
        kg_before=before,
        kg_after=after,
        note=(
            f"Factors re-applied to {year_obj.year}: {changed} of {seen} entries "
            f"changed; total {before} kg CO2e before, {after} kg CO2e after."
        ),
        actor=actor,
    )
