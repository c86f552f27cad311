from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def factor_number(value: Decimal | None) -> str:
    """Show a stored factor as published (no padding zeros), in the locale."""
    if value is None:
        return "–"
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    normal = value.normalize()
    if normal.as_tuple().exponent > 0:
        normal = normal.quantize(Decimal(1))
    places = max(0, -normal.as_tuple().exponent)
    return number_format(normal, decimal_pos=places)
