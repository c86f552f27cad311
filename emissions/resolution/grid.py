"""Planner of grid electricity: location-based by country, market-based by mix.

kg_co2e is the consumption at the curated location-based factor of the
business unit's country (``grid_location|NO``), energy_kwh the consumption and
kg_co2e_market the consumption at the country's residual mix in the
publication the organisation reports with (``residual_mix|SE|aib``, see
ResidualMixChoice). Contractual instruments are applied later, per unit and
year, by the inventory.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from emissions.resolution.base import (
    EntryCalculation,
    Line,
    Plan,
    convert_quantity,
)
from emissions.resolution.curated import energy_plan


def plan_grid_electricity(line: Line) -> Plan:
    """Apply the country's grid factor, and its residual mix, to kWh bought."""
    grid = energy_plan(
        line,
        keys=[f"grid_location|{line.country}"],
        what=str(_("grid electricity")),
        market_from_residual=True,
        method="grid_location",
    )
    unit = line.unit

    def electricity(quantity: Decimal) -> EntryCalculation:
        kwh = convert_quantity(quantity, unit, "kWh")
        return grid(kwh, kwh)

    return electricity
