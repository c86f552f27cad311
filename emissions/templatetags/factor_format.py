from decimal import Decimal

from django import template

from reports.formatting import active_language, plain_number

register = template.Library()


@register.filter
def factor_number(value: Decimal | None) -> str:
    """Show a stored factor as published (no padding zeros), in the locale."""
    return plain_number(value, active_language())
