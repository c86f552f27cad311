"""Parse the cells of an activity file: Nordic numbers, dates as text or serials."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

_SPACES = re.compile(r"[\s\u00a0\u202f']")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# What a number written as text may hold once spaces are removed: ASCII
# digits, the decimal sign and thousands separators, and a leading minus.
_NOTATION = re.compile(r"-?[0-9.,]*[0-9][0-9.,]*")
# The code of the error of a number that reads two ways.
AMBIGUOUS_NUMBER = "ambiguous_number"
# One to three digits (not a lone zero), one separator, three digits: "1,234".
_AMBIGUOUS = re.compile(r"-?(?!0[.,])[0-9]{1,3}[.,][0-9]{3}")


def parse_number(value: object, decimal_sign: str | None = None) -> Decimal:
    """Return a Decimal from a cell: 1234.5, "1 234,5", "1.234,5", "1,234.5".

    With both separators, the last one is the decimal sign. A lone comma is a
    decimal comma (Nordic usage: "1234,5"); several commas or several points
    group thousands. Floats from workbooks are read through their shortest
    representation, so 0.1 stays 0.1.

    One separator followed by exactly three digits ("1,234", "12.500") reads
    both ways, a thousand times apart, and is refused, unless it is the file's
    known `decimal_sign` (a CSV file separated by semicolons uses the decimal
    comma, one separated by commas the decimal point).
    """
    if isinstance(value, bool):
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    text = _SPACES.sub("", str(value or ""))
    if not text:
        raise ValidationError(_("A number is required."))
    if text.startswith("−"):
        text = "-" + text[1:]
    if not _NOTATION.fullmatch(text):
        # Decimal() would also read "1_000", "1e3", "+5" and other scripts'
        # digits, none of which a page, a template or a spreadsheet writes.
        raise ValidationError(
            _("“%(value)s” is not a number.") % {"value": value}, code="not_a_number"
        )
    commas, points = text.count(","), text.count(".")
    if commas + points == 1 and _AMBIGUOUS.fullmatch(text):
        sign = "," if commas else "."
        if sign != decimal_sign:
            raise ValidationError(
                _(
                    "“%(value)s” could mean %(decimal)s or %(thousands)s. Write "
                    "thousands with a space or no separator (%(spaced)s), a decimal "
                    "number with a trailing zero (%(zero)s), or store the cell as "
                    "a number."
                ),
                code=AMBIGUOUS_NUMBER,
                params={
                    "value": value,
                    # The decimal reading with the reader's own decimal sign;
                    # the whole number needs none.
                    "decimal": number_format(
                        Decimal(text.replace(",", ".")).normalize()
                    ),
                    "thousands": text.replace(sign, ""),
                    "spaced": text.replace(sign, " "),
                    "zero": f"{text}0",
                },
            )
    if commas and points:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif commas == 1:
        text = text.replace(",", ".")
    elif commas > 1:
        text = text.replace(",", "")
    elif points > 1:
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("“%(value)s” is not a number.") % {"value": value}
        ) from None
    if not number.is_finite():
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    return number


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
