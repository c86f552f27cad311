"""What the entries behind a dashboard figure add up to."""

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import BusinessUnit, Organisation
from emissions.totals import (
    ZERO,
    add_exactly,
    entries_for,
    market_kg_by_year,
    reporting_years,
    tonnes,
    unit_scope_rows,
    weighted_sum,
)
from reports.selectors.inventory import inventory_for_year


@dataclass(frozen=True)
class FigureTotals:
    """What the entries behind a figure add up to (t CO2e)."""

    lines_t: Decimal  # scope 2 location-based, as the lines carry it
    headline_t: Decimal | None  # scope 2 by the headline method, where it differs


def figure_totals(
    *,
    organisation: Organisation,
    year: int,
    units: list[int] | None,
    scope: int | None,
    scope3_category: int | None = None,
    activity: str | None = None,
    business_unit: BusinessUnit | None = None,
) -> FigureTotals:
    """Add up the entries behind a figure as the dashboard adds them.

    A category or an activity adds up its own lines; a year, a unit or a scope
    also says its total with scope 2 by the headline method, where it differs.
    """
    if scope3_category is not None or activity:
        lines = entries_for(organisation=organisation).filter(reporting_year__year=year)
        if units is not None:
            lines = lines.filter(business_unit_id__in=units)
        if scope is not None:
            lines = lines.filter(scope=scope)
        if scope3_category is not None:
            lines = lines.filter(scope=3, scope3_category=scope3_category)
        if activity:
            lines = lines.filter(activity_type__code=activity)
        kg = lines.aggregate(kg=weighted_sum(organisation, "kg_co2e"))["kg"]
        headline = None
        if (
            activity
            # A set of units that is not one unit's subtree (a limited
            # member's) has no inventory of its own to share instruments by.
            and (units is None or business_unit is not None)
            and organisation.scope2_headline == "market"
            and lines.filter(scope=2).exists()
        ):
            # An activity's market-based figure is the inventory's share of its
            # units' instruments (by grid kWh), as the dashboard shows it.
            inventory = inventory_for_year(
                organisation=organisation, year=year, business_unit=business_unit
            )
            headline = add_exactly(
                line.t_co2e for line in inventory.sources if line.code == activity
            )
        return FigureTotals(lines_t=tonnes(kg), headline_t=headline)
    rows = [
        row
        for row in unit_scope_rows(
            organisation=organisation,
            unit_ids=None,
            year_of=reporting_years(organisation=organisation),
        )
        if row["year"] == year
        and (units is None or row["business_unit_id"] in units)
        and (scope is None or row["scope"] == scope)
    ]
    lines_t = tonnes(add_exactly(row["kg"] for row in rows))
    headline = None
    if organisation.scope2_headline == "market" and any(
        row["scope"] == 2 for row in rows
    ):
        market = market_kg_by_year(
            organisation=organisation, unit_ids=None, rows=rows
        ).get(year, {})
        headline = tonnes(
            add_exactly(row["kg"] for row in rows if row["scope"] != 2)
            + sum(market.values(), ZERO)
        )
    return FigureTotals(lines_t=lines_t, headline_t=headline)
