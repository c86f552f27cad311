from decimal import Decimal

from django import template

from carbonledger.lib.formatting import active_language, number

register = template.Library()


@register.filter
def signed_tonnes(value: Decimal | None, places: int = 1) -> str:
    """Format a change in tonnes with its sign: +1.2, -3.4, 0.0."""
    text = number(value, int(places), active_language())
    if value is not None and text.lstrip("-").strip("0.,\u00a0") and value > 0:
        return "+" + text
    return text


@register.filter
def form_field(form, name: str):
    """Return a form's bound field by a name the template holds in a variable."""
    return form[name]
