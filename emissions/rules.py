"""The rules of an activity line, written once for the grid, the import and the API.

Each rule looks at one thing (the business unit, the year, the activity, the
unit of measure, the data quality, the period) and returns a `Problem`, the
field it concerns, a code and a translated message, or None. The quantity's
rule is `emissions.numbers.parse_quantity`, which raises with a code.

Each caller presents the problems its own way:

- the entry services (grid, entry page, API, Django admin) raise the first
  problem of a line as a ValidationError with its code (`Line.open_year`);
- the import reports every problem of a row against its column
  (`emissions.imports.rows`);
- the API answers with the status its code calls for (`api.exceptions`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, Membership, Organisation
from accounts.tenancy import may_read_unit
from emissions.models import ActivityType, DataQuality, ReportingYear
from emissions.services.locks import ensure_year_writable, reporting_year_for
from emissions.units import UNITS

BUSINESS_UNIT_UNKNOWN = _("Unknown business unit “%(code)s”.")
BUSINESS_UNIT_OTHER_ORG = _("That business unit does not belong to this organisation.")
UNIT_NOT_YOURS = _(
    "You may only enter data for the business units you are assigned to; "
    "%(unit)s is not one of them."
)
BUSINESS_UNIT_INACTIVE = _(
    "The business unit %(unit)s did not belong to the organisation in %(year)s."
)
ACTIVITY_UNKNOWN = _("Unknown activity “%(code)s”.")
ACTIVITY_OTHER_ORG = _("That activity type is not available to this organisation.")
ACTIVITY_INACTIVE = _("The activity type %(activity)s is no longer in use.")
UNIT_UNKNOWN = _("“%(unit)s” is not a known unit.")
UNIT_NOT_ALLOWED = _(
    "The unit %(unit)s cannot be used for %(activity)s; use one of: %(allowed)s."
)
DATA_QUALITY_UNKNOWN = _("“%(value)s” is not one of %(allowed)s.")
PERIOD_ORDER = _("The period must end on or after the day it starts.")
PERIOD_OUTSIDE_YEAR = _("The date is outside the year %(year)s.")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a line."""

    field: str  # the column of the import template; "" for the whole line
    code: str
    template: Any  # the message, translated when it is read
    params: Mapping[str, Any] | None = None

    @property
    def message(self) -> str:
        """Return the message in the active language."""
        text = str(self.template)
        return text % self.params if self.params else text

    def error(self) -> ValidationError:
        return ValidationError(self.template, code=self.code, params=self.params)


def _problem(field_name: str, code: str, template: Any, /, **params: Any) -> Problem:
    return Problem(field_name, code, template, params or None)


def business_unit_known(
    code: str, business_unit: BusinessUnit | None
) -> Problem | None:
    """A business unit given by its code must exist in the organisation."""
    if business_unit is None:
        return _problem(
            "business_unit", "business_unit_unknown", BUSINESS_UNIT_UNKNOWN, code=code
        )
    return None


def business_unit_of(
    organisation: Organisation, business_unit: BusinessUnit
) -> Problem | None:
    if business_unit.organisation_id != organisation.pk:
        return _problem(
            "business_unit", "unit_other_organisation", BUSINESS_UNIT_OTHER_ORG
        )
    return None


def unit_writable(
    membership: Membership | None, business_unit: BusinessUnit
) -> Problem | None:
    """A membership limited to some business units writes only theirs."""
    if not may_read_unit(membership, business_unit.pk):
        return _problem(
            "business_unit", "unit_not_yours", UNIT_NOT_YOURS, unit=business_unit.code
        )
    return None


def ensure_unit_allowed(
    membership: Membership | None, business_unit: BusinessUnit
) -> None:
    """Raise if the membership is limited to other business units."""
    if problem := unit_writable(membership, business_unit):
        raise problem.error()


def business_unit_active(business_unit: BusinessUnit, year: int) -> Problem | None:
    """A unit has lines only for the years it belonged to the organisation."""
    if not business_unit.active_in(year):
        return _problem(
            "business_unit",
            "unit_inactive",
            BUSINESS_UNIT_INACTIVE,
            unit=business_unit.code,
            year=year,
        )
    return None


def year_open(
    *, organisation: Organisation, year: int
) -> tuple[ReportingYear | None, Problem | None]:
    """Return the reporting year (created open on first use) if lines may change.

    Otherwise its problem: outside the organisation's range, submitted or
    approved (`emissions.services.locks`).
    """
    try:
        reporting_year = reporting_year_for(organisation=organisation, year=year)
        ensure_year_writable(reporting_year)
    except ValidationError as exc:
        error = exc.error_list[0]
        return None, Problem("year", error.code, error.message, error.params)
    return reporting_year, None


def activity_known(code: str, activity_type: ActivityType | None) -> Problem | None:
    """An activity given by its code must be in the organisation's catalogue."""
    if activity_type is None:
        return _problem("activity", "activity_unknown", ACTIVITY_UNKNOWN, code=code)
    return None


def activity_of(
    organisation: Organisation, activity_type: ActivityType
) -> Problem | None:
    if activity_type.organisation_id not in (None, organisation.pk):
        return _problem("activity", "activity_other_organisation", ACTIVITY_OTHER_ORG)
    return None


def activity_active(activity_type: ActivityType) -> Problem | None:
    if not activity_type.is_active:
        return _problem(
            "activity",
            "activity_inactive",
            ACTIVITY_INACTIVE,
            activity=activity_type.display_name,
        )
    return None


def unit_known(unit: str) -> Problem | None:
    if unit not in UNITS:
        return _problem("unit", "unit_unknown", UNIT_UNKNOWN, unit=unit)
    return None


def unit_allowed(activity_type: ActivityType, unit: str) -> Problem | None:
    """An activity is entered in the units its type allows."""
    if unit not in activity_type.allowed_units:
        return _problem(
            "unit",
            "unit_not_allowed",
            UNIT_NOT_ALLOWED,
            unit=unit,
            activity=activity_type.display_name,
            allowed=", ".join(activity_type.allowed_units),
        )
    return None


def unit_of_measure(activity_type: ActivityType | None, unit: str) -> Problem | None:
    """Return the problem of a line's unit: unknown, or not the activity's."""
    if problem := unit_known(unit):
        return problem
    return unit_allowed(activity_type, unit) if activity_type is not None else None


def data_quality_known(value: str) -> Problem | None:
    if value not in DataQuality.values:
        return _problem(
            "data_quality",
            "data_quality_unknown",
            DATA_QUALITY_UNKNOWN,
            value=value,
            allowed=", ".join(DataQuality.values),
        )
    return None


def period_order(
    start: datetime.date | None, end: datetime.date | None
) -> Problem | None:
    if start and end and end < start:
        return _problem("period_end", "period_order", PERIOD_ORDER)
    return None


def period_in_year(
    field_name: str, day: datetime.date | None, year: int | None
) -> Problem | None:
    """A period's start and end lie in the line's year."""
    if day is not None and year and day.year != year:
        return _problem(
            field_name, "period_outside_year", PERIOD_OUTSIDE_YEAR, year=year
        )
    return None


@dataclass
class Line:
    """One activity line as the entry services check it (the quantity aside)."""

    organisation: Organisation
    membership: Membership | None
    business_unit: BusinessUnit
    year: int
    activity_type: ActivityType
    unit: str
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    data_quality: str = DataQuality.MEASURED
    # Set by `problems` once the year is found open.
    reporting_year: ReportingYear | None = field(default=None, init=False)

    def problems(self) -> Iterator[Problem]:
        """Yield the line's problems one at a time, in the order they matter.

        The year (created on first use) is looked at only once the business
        unit and the activity are the organisation's and the member's.
        """
        for check in (
            lambda: business_unit_of(self.organisation, self.business_unit),
            lambda: activity_of(self.organisation, self.activity_type),
            lambda: unit_writable(self.membership, self.business_unit),
            self._year,
            lambda: business_unit_active(self.business_unit, self.year),
            lambda: activity_active(self.activity_type),
            lambda: (
                unit_known(self.unit) or unit_allowed(self.activity_type, self.unit)
            ),
            lambda: data_quality_known(self.data_quality),
            lambda: period_order(self.period_start, self.period_end),
            lambda: period_in_year("period_start", self.period_start, self.year),
            lambda: period_in_year("period_end", self.period_end, self.year),
        ):
            if problem := check():
                yield problem

    def _year(self) -> Problem | None:
        self.reporting_year, problem = year_open(
            organisation=self.organisation, year=self.year
        )
        return problem

    def open_year(self) -> ReportingYear:
        """Raise the line's first problem; return its open reporting year."""
        for problem in self.problems():
            raise problem.error()
        return self.reporting_year
