from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from carbonledger.lib.formatting import active_language, number, percent
from disclosures import datapoints as dp

register = template.Library()

MILLION = Decimal(1000000)


@register.filter
def datapoint_value(point) -> str:
    """Show a datapoint's value in the reader's language (blank: a dash)."""
    if point.is_blank:
        return "–"
    language = active_language()
    value = point.value
    if point.unit in (dp.T_CO2E, "tCO2", dp.MWH):
        return number(value, 3, language)
    if point.unit == dp.PERCENT:
        if point.key.endswith("change_vs_base_pct"):
            return percent(value, language)
        return f"{number(value, 1, language)}\u00a0%"
    if point.unit == dp.MONEY:
        return number(value, 0, language)
    if point.unit == dp.INTENSITY:
        # Shown per million of the currency; exported per unit.
        return number(value * MILLION, 4, language)
    return str(value)


@register.simple_tag
def entries_url(organisation, link: dict) -> str:
    """The entry list behind a figure (empty when it has none)."""
    if not link:
        return ""
    return reverse("entry_list", args=[organisation.slug]) + "?" + urlencode(link)


@register.inclusion_tag("disclosures/_energy_card.html", takes_context=True)
def energy_card(context, organisation, year, unit=None):
    """The year's energy in MWh on the dashboard (of a unit and its subtree)."""
    from accounts.tenancy import is_limited
    from disclosures.selectors import energy_for_year

    request = context.get("request")
    membership = getattr(request, "membership", None)
    if year is None or (unit is None and is_limited(membership)):
        return {"energy": None}
    energy = energy_for_year(organisation=organisation, year=year, business_unit=unit)
    return {
        "energy": energy if energy.has_lines else None,
        "organisation": organisation,
        "year": year,
        "unit": unit,
        "whole": unit is None,
    }
