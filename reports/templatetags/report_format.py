from decimal import Decimal

from django import template
from django.utils.translation import get_language

from emissions.importing.values import cell_text
from reports.formatting import number, percent

register = template.Library()


def _lang() -> str:
    return (get_language() or "en")[:2]


@register.filter
def tonnes(value: Decimal | None, places: int = 1) -> str:
    """Format tonnes CO2e with one decimal (or the given places)."""
    return number(value, int(places), _lang())


@register.filter
def num(value: Decimal | None, places: int = 0) -> str:
    return number(value, int(places), _lang())


@register.filter
def pct(value: Decimal | None) -> str:
    return percent(value, _lang())


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.filter
def cell(value) -> str:
    """Show a spreadsheet cell as the user typed it: 2025, not 2025.0."""
    return cell_text(value)
