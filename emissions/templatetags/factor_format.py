"""Template filters that name factor sets in the reader's language."""

from django import template

from emissions.selectors_factors import global_set_names

register = template.Library()


def _names(factor_set) -> tuple[str, str] | None:
    if factor_set is None or factor_set.organisation_id is not None:
        return None
    return global_set_names(factor_set.kind, factor_set.edition_year)


@register.filter
def factor_set_name(factor_set) -> str:
    """Name a factor set in the reader's language (global sets) or as stored."""
    if factor_set is None:
        return ""
    names = _names(factor_set)
    return names[1] if names else str(factor_set)


@register.filter
def factor_set_publisher(factor_set) -> str:
    """Name a factor set's publisher in the reader's language (global sets)."""
    if factor_set is None:
        return ""
    names = _names(factor_set)
    return names[0] if names else factor_set.publisher
