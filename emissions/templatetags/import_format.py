"""Template filters of the import pages."""

from django import template

from emissions.imports.values import cell_text

register = template.Library()


@register.filter
def cell(value) -> str:
    """Show a spreadsheet cell as the user typed it: 2025, not 2025.0."""
    return cell_text(value)
