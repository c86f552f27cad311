"""The reads of the reports area: small selectors composed into an inventory.

    rows.py         the grouped reads a year is added up from (`YearRows`)
    totals.py       scope totals per year (from emissions.totals) and per unit
    base_year.py    the base year as entered, recalculated, and per unit
    breakdowns.py   categories, data quality, sources
    gases.py        the seven Kyoto gases, and what is counted as CO2
    trends.py       against the base year and last year, the series, effects
    targets.py      the target's level and path
    intensity.py    per employee, floor area, revenue
    inventory.py    `inventory_for_year`: the above, composed (`YearInventory`)
    annual.py       what the annual report reads beyond the inventory
    bridges.py      the waterfall from one year to another
    texts.py        key messages and scope 3 exclusions
    methodology.py  factor publications, approximate or unverified factors
    drilldown.py    what the entries behind a dashboard figure add up to

Callers import from this package; the modules import each other directly.
"""

from emissions.totals import ScopeTotals, scope_totals_by_year
from reports.selectors.annual import AnnualReportData, annual_report_data
from reports.selectors.breakdowns import ActivityLine, eco_lighthouse_lines
from reports.selectors.bridges import Bridge, BridgeStep, bridge_between
from reports.selectors.drilldown import FigureTotals, figure_totals
from reports.selectors.gases import KYOTO_GASES, kyoto_gas_table
from reports.selectors.inventory import YearInventory, inventory_for_year
from reports.selectors.methodology import (
    factor_publications_for,
    unconfirmed_factors_for,
)
from reports.selectors.texts import report_narrative_for, scope3_exclusions_for
from reports.selectors.trends import effects_between, inventory_series

__all__ = [
    "KYOTO_GASES",
    "ActivityLine",
    "AnnualReportData",
    "Bridge",
    "BridgeStep",
    "FigureTotals",
    "ScopeTotals",
    "YearInventory",
    "annual_report_data",
    "bridge_between",
    "eco_lighthouse_lines",
    "effects_between",
    "factor_publications_for",
    "figure_totals",
    "inventory_for_year",
    "inventory_series",
    "kyoto_gas_table",
    "report_narrative_for",
    "scope3_exclusions_for",
    "scope_totals_by_year",
    "unconfirmed_factors_for",
]
