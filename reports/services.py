"""Writes of the reports area: asking for a report and building it."""

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, Organisation, User
from accounts.roles import Capability
from carbonledger.lib.files import STORAGE_NOT_WRITABLE
from reports.kinds import REPORT_KINDS
from reports.models import (
    GeneratedReport,
    ReportNarrative,
    ReportStatus,
    Scope3Exclusion,
)

logger = logging.getLogger(__name__)

UNKNOWN_LANGUAGE = _("Reports are available in English, Norwegian Bokmål and Swedish.")
NO_DATA = _("There are no emissions recorded for %(year)s.")
UNIT_NOT_OURS = _("That business unit does not belong to the organisation.")
EVERY_YEAR_INVENTORY_ONLY = _(
    "Every year together is available for the full inventory for auditors only; "
    "choose a year."
)
NO_ENTRIES = _("There are no emissions recorded.")
REPORT_FILE_MISSING = _(
    "The file of this report is missing from the file storage; ask for the "
    "report again to build it anew."
)
LANGUAGES = ("en", "nb", "sv")


def build_report_bytes(
    *,
    organisation: Organisation,
    kind: str,
    year: int | None,
    language: str,
    business_unit: BusinessUnit | None = None,
) -> bytes:
    """Return the finished file of a report (of every year when `year` is None)."""
    spec = REPORT_KINDS.get(kind)
    if spec is None:
        raise ValidationError(_("Unknown report kind."))
    if year is None and not spec.every_year:
        raise ValidationError({"year": EVERY_YEAR_INVENTORY_ONLY})
    return spec.build(
        organisation=organisation,
        year=year,
        language=language,
        business_unit=business_unit,
    )


def _check_reader(
    *, organisation: Organisation, actor: User, business_unit: BusinessUnit | None
) -> None:
    """Refuse a report the actor could not read (accounts.tenancy's rule)."""
    from accounts.models import Membership
    from accounts.tenancy import UNIT_NOT_YOURS, WHOLE_ORGANISATION, may_read_unit

    membership = Membership.objects.filter(
        organisation=organisation, user=actor
    ).first()
    unit_id = business_unit.pk if business_unit is not None else None
    if not may_read_unit(membership, unit_id):
        message = UNIT_NOT_YOURS if unit_id else WHOLE_ORGANISATION
        raise ValidationError({"business_unit": message}, code="unit_not_yours")


def report_build(*, report: GeneratedReport) -> GeneratedReport:
    """Build a requested report, store it with its checksum, and mark it done."""
    GeneratedReport.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    try:
        payload = build_report_bytes(
            organisation=report.organisation,
            kind=report.kind,
            year=report.year,
            language=report.language,
            business_unit=report.business_unit,
        )
    except Exception as exc:  # recorded for the user; the task must not die silently
        GeneratedReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED,
            error=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        report.refresh_from_db()
        return report
    extension = REPORT_KINDS[report.kind].extension
    unit = f"-{report.business_unit.code}" if report.business_unit else ""
    year = report.file_year
    name = (
        f"reports/{report.organisation_id}/{year}/"
        f"{report.kind}-{year}{unit}-{report.language}-{report.pk}.{extension}"
    )
    # Through the file storage of the report's field: the record names the
    # file only once the storage holds it whole.
    try:
        stored = GeneratedReport.file.field.storage.save(name, ContentFile(payload))
    except OSError:
        logger.exception("The report %s could not be stored", report.pk)
        GeneratedReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED,
            error=str(STORAGE_NOT_WRITABLE),
            finished_at=timezone.now(),
        )
        report.refresh_from_db()
        return report
    GeneratedReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.DONE,
        file=stored,
        sha256=hashlib.sha256(payload).hexdigest(),
        size=len(payload),
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return report


@transaction.atomic
def report_request(
    *,
    organisation: Organisation,
    actor: User,
    kind: str,
    year: int | None,
    language: str = "en",
    business_unit: BusinessUnit | None = None,
) -> GeneratedReport:
    """Record a request for a report and hand it to the task queue.

    No year means every year, which only the full inventory for auditors has.
    """
    from emissions.models import ReportingYear
    from emissions.year_settings import settings_by_year

    if language not in LANGUAGES:
        raise ValidationError({"language": UNKNOWN_LANGUAGE})
    if kind not in REPORT_KINDS:
        raise ValidationError({"kind": _("Unknown report kind.")})
    if business_unit is not None and business_unit.organisation_id != organisation.pk:
        raise ValidationError({"business_unit": UNIT_NOT_OURS})
    _check_reader(organisation=organisation, actor=actor, business_unit=business_unit)
    if year is None:
        if not REPORT_KINDS[kind].every_year:
            raise ValidationError({"year": EVERY_YEAR_INVENTORY_ONLY})
        if not organisation.entries.exists():
            raise ValidationError({"year": NO_ENTRIES})
    elif not organisation.entries.filter(reporting_year__year=year).exists():
        raise ValidationError({"year": NO_DATA % {"year": year}})
    years = ReportingYear.objects.filter(organisation=organisation)
    if year is not None:
        reporting_year = years.filter(year=year).first()
        year_status = reporting_year.status if reporting_year else "open"
    else:
        # Every year is final only when each of them is approved.
        statuses = set(years.values_list("status", flat=True))
        year_status = "approved" if statuses == {"approved"} else "open"
    settings = settings_by_year(organisation=organisation)
    year_settings = settings.for_year(year) if year is not None else settings.live
    report = GeneratedReport.objects.create(
        organisation=organisation,
        kind=kind,
        year=year,
        language=language,
        business_unit=business_unit,
        requested_by=actor,
        year_status=year_status,
        parameters={
            "kind": kind,
            "year": year,
            "language": language,
            "business_unit": business_unit.code if business_unit else None,
            # The settings the report's figures use: a closed year's own.
            "gwp_set": year_settings.gwp_set,
            "scope2_headline": year_settings.scope2_headline,
            "consolidation_approach": year_settings.consolidation_approach,
        },
    )
    from reports.tasks import build_report_task

    transaction.on_commit(lambda: build_report_task.enqueue(report.pk))
    return report


# --- The organisation's own texts and the scope 3 boundary ---------------------

YEAR_OUT_OF_RANGE = _("Choose a year between %(first)s and %(last)s.")
CATEGORY_OUT_OF_RANGE = _("A scope 3 category is a number from 1 to 15.")
JUSTIFICATION_REQUIRED = _("Say why the category is left out.")
CATEGORY_HAS_EMISSIONS = _(
    "Category %(category)s has emissions recorded for %(year)s; a category that "
    "is reported cannot be excluded."
)
TEXT_TOO_LONG = _("Keep each text under %(limit)s characters.")
TEXT_LIMIT = 4000


def _check_year(organisation: Organisation, year: int) -> int:
    from emissions.services.locks import year_range

    first, last = year_range(organisation)
    if not first <= int(year) <= last:
        raise ValidationError(
            {
                "year": ValidationError(
                    YEAR_OUT_OF_RANGE, params={"first": first, "last": last}
                )
            }
        )
    return int(year)


def _writable_year(organisation: Organisation, year: int) -> None:
    """Raise unless the year's inventory may change (not submitted or approved)."""
    from emissions.models import ReportingYear
    from emissions.services.locks import ensure_year_writable

    reporting_year = ReportingYear.objects.filter(
        organisation=organisation, year=year
    ).first()
    if reporting_year is not None:
        ensure_year_writable(reporting_year)


@transaction.atomic
def report_narrative_set(
    *,
    organisation: Organisation,
    actor: User,
    year: int,
    language: str,
    key_messages: str = "",
    highlights: str = "",
    actions: str = "",
) -> ReportNarrative:
    """Write the key messages, highlights and actions of a year in one language."""
    from accounts.tenancy import membership_for_write

    membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.MANAGE
    )
    year = _check_year(organisation, year)
    if language not in LANGUAGES:
        raise ValidationError({"language": ValidationError(UNKNOWN_LANGUAGE)})
    texts = {
        "key_messages": key_messages.strip(),
        "highlights": highlights.strip(),
        "actions": actions.strip(),
    }
    for name, text in texts.items():
        if len(text) > TEXT_LIMIT:
            raise ValidationError(
                {name: ValidationError(TEXT_TOO_LONG, params={"limit": TEXT_LIMIT})}
            )
    narrative = (
        ReportNarrative.objects.select_for_update()
        .filter(organisation=organisation, year=year, language=language)
        .first()
    )
    if narrative is None:
        narrative = ReportNarrative(
            organisation=organisation, year=year, language=language
        )
    elif all(getattr(narrative, name) == text for name, text in texts.items()):
        return narrative  # nothing changed: no history row
    for name, text in texts.items():
        setattr(narrative, name, text)
    narrative.updated_by = actor
    narrative._history_user = actor
    narrative.save()
    return narrative


@transaction.atomic
def scope3_exclusion_set(
    *,
    organisation: Organisation,
    actor: User,
    year: int,
    category: int,
    justification: str,
) -> Scope3Exclusion:
    """Record (or reword) why a scope 3 category is left out of a year."""
    from accounts.tenancy import membership_for_write
    from emissions.models import ActivityEntry

    membership_for_write(organisation=organisation, actor=actor)
    year = _check_year(organisation, year)
    if not 1 <= int(category) <= 15:
        raise ValidationError({"category": ValidationError(CATEGORY_OUT_OF_RANGE)})
    category = int(category)
    justification = justification.strip()
    if not justification:
        raise ValidationError(
            {"justification": ValidationError(JUSTIFICATION_REQUIRED)}
        )
    if len(justification) > TEXT_LIMIT:
        raise ValidationError(
            {
                "justification": ValidationError(
                    TEXT_TOO_LONG, params={"limit": TEXT_LIMIT}
                )
            }
        )
    _writable_year(organisation, year)
    if ActivityEntry.objects.filter(
        organisation=organisation,
        reporting_year__year=year,
        scope=3,
        scope3_category=category,
    ).exists():
        raise ValidationError(
            {
                "category": ValidationError(
                    CATEGORY_HAS_EMISSIONS,
                    params={"category": category, "year": year},
                )
            }
        )
    exclusion = (
        Scope3Exclusion.objects.select_for_update()
        .filter(organisation=organisation, year=year, category=category)
        .first()
    )
    if exclusion is None:
        exclusion = Scope3Exclusion(
            organisation=organisation, year=year, category=category
        )
    elif exclusion.justification == justification:
        return exclusion
    exclusion.justification = justification
    exclusion.updated_by = actor
    exclusion._history_user = actor
    exclusion.save()
    return exclusion


@transaction.atomic
def scope3_exclusion_delete(
    *, organisation: Organisation, actor: User, exclusion: Scope3Exclusion
) -> None:
    """Remove an exclusion (the category is reported or screened again)."""
    from accounts.tenancy import membership_for_write

    membership_for_write(organisation=organisation, actor=actor)
    _writable_year(organisation, exclusion.year)
    exclusion._history_user = actor
    exclusion.delete()
