"""Planner of server energy: the IT load x the data centre's PUE, at the grid factor.

The PUE (power usage effectiveness, ISO/IEC 30134-2) is the activity type's
``pue``; where the type gives none, DEFAULT_PUE applies and the note says so.
The energy is then electricity of the business unit's country, location- and
market-based as for grid electricity.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from emissions.models import ActivityType
from emissions.resolution.base import (
    EntryCalculation,
    Line,
    Plan,
    convert_quantity,
)
from emissions.resolution.curated import energy_plan

DEFAULT_PUE = Decimal("1.5")


def pue_of(activity_type: ActivityType) -> tuple[Decimal, str]:
    """Return the PUE a type's lines use and how the note names it."""
    if activity_type.pue is not None:
        # Stored with four decimals; the note shows it as written ("1.4").
        pue = activity_type.pue.normalize()
        return pue, f"PUE {pue:f} from the activity type"
    return DEFAULT_PUE, f"PUE {DEFAULT_PUE} (default: none given for the activity type)"


def plan_server_energy(line: Line) -> Plan:
    """Scale the IT load by the PUE and apply the country's grid factor."""
    pue, pue_note = pue_of(line.activity_type)
    servers = energy_plan(
        line,
        keys=[f"grid_location|{line.country}"],
        what=str(_("grid electricity")),
        market_from_residual=True,
        method="server_energy",
        extra_note=f"IT load x {pue_note}; ",
    )
    unit = line.unit

    def server_energy(quantity: Decimal) -> EntryCalculation:
        it_kwh = convert_quantity(quantity, unit, "kWh")
        return servers(it_kwh * pue, it_kwh)

    return server_energy
