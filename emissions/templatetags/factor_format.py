from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def factor_number(value: Decimal | None) -> str:
    """Show a stored factor as published: no padding zeros, no exponent."""
    if value is None:
        return "–"
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    normal = value.normalize()
    if normal.as_tuple().exponent > 0:
        normal = normal.quantize(Decimal(1))
    return f"{normal:f}"
