from decimal import Decimal

from django import template

from emissions.importing.values import cell_text
from reports.formatting import active_language, number, percent, plain_number
from reports.formatting import gas_name as _gas_name
from reports.formatting import unit_name as _unit_name

register = template.Library()


@register.filter
def tonnes(value: Decimal | None, places: int = 1) -> str:
    """Format tonnes CO2e with one decimal (or the given places)."""
    return number(value, int(places), active_language())


@register.filter
def num(value: Decimal | None, places: int = 0) -> str:
    return number(value, int(places), active_language())


@register.filter
def plain(value: Decimal | None) -> str:
    """Format a stored number in full, grouped, without padding zeros."""
    return plain_number(value, active_language())


@register.filter
def shown(value):
    """Show a stored value: numbers in full and grouped, anything else as it is."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return plain_number(value, active_language())
    return value


@register.filter
def unit_name(code: str | None) -> str:
    """Name a stored unit of measure in the reader's language."""
    return _unit_name(code)


@register.filter
def gas_name(code: str | None) -> str:
    """Name a Kyoto gas or group in the reader's language."""
    return _gas_name(code)


@register.filter
def factor_set_name(factor_set) -> str:
    """Name a factor set in the reader's language (global sets) or as stored."""
    from reports.summary import global_set_names

    if factor_set is None:
        return ""
    names = None
    if factor_set.organisation_id is None:
        names = global_set_names(factor_set.kind, factor_set.edition_year)
    return names[1] if names else str(factor_set)


@register.filter
def factor_set_publisher(factor_set) -> str:
    """Name a factor set's publisher in the reader's language (global sets)."""
    from reports.summary import global_set_names

    if factor_set is None:
        return ""
    names = None
    if factor_set.organisation_id is None:
        names = global_set_names(factor_set.kind, factor_set.edition_year)
    return names[0] if names else factor_set.publisher


@register.filter
def pct(value: Decimal | None) -> str:
    return percent(value, active_language())


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.filter
def cell(value) -> str:
    """Show a spreadsheet cell as the user typed it: 2025, not 2025.0."""
    return cell_text(value)
