"""Parse the cells of an activity file: years, dates as text or serials, text.

Numbers are read by `emissions.numbers.parse_number`, as on the pages.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from emissions.numbers import parse_number

EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_year(value: object) -> int:
    try:
        number = parse_number(value)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a year.") % {"value": value}
        ) from None
    if number != number.to_integral_value() or not 1900 <= number <= 2200:
        raise ValidationError(_("“%(value)s” is not a year.") % {"value": value})
    return int(number)


def parse_date(value: object) -> datetime.date | None:
    """Return a date from a date cell, an Excel serial, ISO or dd.mm.yyyy text."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and 1 <= value < 2958466:
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date; use YYYY-MM-DD or DD.MM.YYYY.") % {"value": value}
    )


def parse_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_text(value: object) -> str:
    """Return a cell as the user typed it: 2025, not 2025.0; dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
