"""Form fields shared by the pages of the emissions area."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from emissions.numbers import AMBIGUOUS_NUMBER, parse_number


class NumberField(forms.CharField):
    """A number typed on a page, passed on as plain text for a service to check.

    The services parse it into a Decimal and explain what is wrong with it;
    this field only reads the notation.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value):
        """Show a stored number in full, with the page language's decimal sign.

        What is shown is read back unchanged: 1.234 shows as "1,234" on a
        Norwegian page, which reads it with a decimal comma, and 1250 as "1250"
        (never "1.25E+3").
        """
        if isinstance(value, Decimal | int):
            text = format(Decimal(value).normalize(), "f")
            return text.replace(".", get_format("DECIMAL_SEPARATOR"))
        return value

    def to_python(self, value):
        """Return the number as plain text ("12500.5"), in the page's notation.

        "12 500,5", "12.500,5" and "12,500.5" are all read; "1,250" and
        "1.250" are read with the decimal sign of the page's language and
        refused when that sign is the other one (they could be a thousand
        times apart). Text that is no number is passed on for the service to
        explain, with a decimal comma made a point.
        """
        value = super().to_python(value)
        if not value:
            return value
        try:
            number = parse_number(value, get_format("DECIMAL_SEPARATOR"))
            return format(number, "f")  # never "1E-7", which the service refuses
        except ValidationError as exc:
            if exc.code == AMBIGUOUS_NUMBER:
                raise ValidationError(
                    _(
                        "“%(value)s” could mean %(decimal)s or %(thousands)s: "
                        "write %(thousands)s (or %(spaced)s), or %(decimal)s."
                    ),
                    code=AMBIGUOUS_NUMBER,
                    params=exc.params,
                ) from None
            return value.replace(",", ".")
