"""The template filters of figures: the one formatter, bound for templates.

Registered in the settings as the library ``report_format`` (every page and
the PDF load it by that name), so pages of any app show figures the same way.
"""

from decimal import Decimal

from django import template

from carbonledger.lib.formatting import (
    active_language,
    number,
    percent,
    plain_number,
    rounded_number,
)
from carbonledger.lib.formatting import gas_name as _gas_name
from carbonledger.lib.formatting import unit_name as _unit_name

register = template.Library()


@register.filter
def tonnes(value: Decimal | None, places: int = 1) -> str:
    """Format tonnes CO2e with one decimal (or the given places)."""
    return number(value, int(places), active_language())


@register.filter
def num(value: Decimal | None, places: int = 0) -> str:
    """Format a figure with the given decimals (none by default)."""
    return number(value, int(places), active_language())


@register.filter
def plain(value: Decimal | None) -> str:
    """Format a stored number in full, grouped, without padding zeros."""
    return plain_number(value, active_language())


@register.filter
def upto(value: Decimal | None, max_places: int = 4) -> str:
    """Format a quantity with at most the given decimals, no padding zeros."""
    return rounded_number(value, int(max_places), active_language())


@register.filter
def shown(value):
    """Show a stored value: numbers in full and grouped, anything else as it is."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return plain_number(value, active_language())
    return value


@register.filter
def pct(value: Decimal | None) -> str:
    """Format a signed percentage."""
    return percent(value, active_language())


@register.filter
def unit_name(code: str | None) -> str:
    """Name a stored unit of measure in the reader's language."""
    return _unit_name(code)


@register.filter
def gas_name(code: str | None) -> str:
    """Name a Kyoto gas or group in the reader's language."""
    return _gas_name(code)


@register.filter
def get_item(mapping: dict, key):
    """Look a key up in a mapping (a figure by category, a name by code)."""
    return mapping.get(key) if mapping else None
