"""Reading the numbers people write: cells, typed quantities, API strings.

`parse_number` reads a number in the notations pages, templates and
spreadsheet programs write ("1 234,5", "1.234,5", "1,234.5") and refuses text
that reads two ways ("1,250"). `parse_quantity` is the rule every quantity of
an activity line obeys, whoever enters it: finite, not negative, below the
ceiling, at most ten decimal places.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_SPACES = re.compile(r"[\s\u00a0\u202f']")
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


QUANTITY_NOT_NUMBER = gettext_lazy(
    "The quantity must be a number, for example 1250 or 12.5."
)
QUANTITY_NOT_FINITE = gettext_lazy("The quantity must be a finite number.")
QUANTITY_NEGATIVE = gettext_lazy("The quantity cannot be negative.")
QUANTITY_TOO_LARGE = gettext_lazy(
    "The quantity %(quantity)s is implausibly large (the limit is %(limit)s); "
    "check the unit and the decimal separator."
)
QUANTITY_TOO_PRECISE = gettext_lazy("The quantity can have at most 10 decimal places.")

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
