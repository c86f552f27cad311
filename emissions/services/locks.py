"""The locked-year rule that every write path (pages, imports, API, admin) applies."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from emissions.models import ReportingYear, YearStatus

YEAR_LOCKED = _(
    "The year %(year)s is approved and locked; an administrator must unlock it "
    "with a reason before anything can change."
)
YEAR_SUBMITTED = _(
    "The year %(year)s is submitted for approval; it must be returned to open "
    "before anything can change."
)
YEAR_OUT_OF_RANGE = _(
    "The year %(year)s is outside the organisation's range (%(first)s to %(last)s)."
)


def year_range(organisation: Organisation) -> tuple[int, int]:
    """Return the first and last year data may be entered for."""
    from django.utils import timezone

    return organisation.base_year - 10, timezone.localdate().year


def ensure_year_writable(reporting_year: ReportingYear) -> None:
    """Raise ValidationError unless the year is open for changes."""
    if reporting_year.status == YearStatus.APPROVED:
        raise ValidationError(
            YEAR_LOCKED, code="year_locked", params={"year": reporting_year.year}
        )
    if reporting_year.status == YearStatus.SUBMITTED:
        raise ValidationError(
            YEAR_SUBMITTED, code="year_submitted", params={"year": reporting_year.year}
        )


def reporting_year_for(*, organisation: Organisation, year: int) -> ReportingYear:
    """Return the organisation's reporting year, created open on first use."""
    first, last = year_range(organisation)
    if not first <= year <= last:
        raise ValidationError(
            YEAR_OUT_OF_RANGE,
            code="year_out_of_range",
            params={"year": year, "first": first, "last": last},
        )
    reporting_year, _created = ReportingYear.objects.get_or_create(
        organisation=organisation, year=year
    )
    return reporting_year
