"""Planner of district heating and cooling: the network factor of the unit's country.

The curated ``district_heating|NO`` factor; a type may have its own curated
key (``district_cooling|SE``), which is tried first. Heat has no residual mix:
market-based equals location-based.
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


def plan_district_heating(line: Line) -> Plan:
    """Apply the country's network factor to kWh of heat (or cooling) bought."""
    keys = [f"district_heating|{line.country}"]
    code = line.activity_type.code
    if code != "district_heating":
        keys.insert(0, f"{code}|{line.country}")
    network = energy_plan(
        line,
        keys=keys,
        what=str(_("district heating")),
        market_from_residual=False,
        method="district_heating",
    )
    unit = line.unit

    def heating(quantity: Decimal) -> EntryCalculation:
        kwh = convert_quantity(quantity, unit, "kWh")
        return network(kwh, kwh)

    return heating
