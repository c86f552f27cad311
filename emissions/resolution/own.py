"""The organisation's own factors: an override of any type, and own-source types.

An override (FactorOverride: the organisation's own factor for an activity
type, for one business unit or all, from a year on or always) comes before
every planner of the registry. The most specific wins: the unit's own, then
the latest starting year. A scope 2 line in energy units keeps its kWh, and
its market-based figure is the own factor's.

Types whose source is ``own`` (spend-based purchases, the catalogue's
``custom``) or ``computed`` without a planner of their own (embodied server
emissions, in kg CO2e per server-year) find a factor only through an override.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit
from emissions.models import FactorOverride
from emissions.resolution.base import (
    EntryCalculation,
    Line,
    Plan,
    convert_quantity,
    factor_row_plan,
    quantize,
)
from emissions.units import dimension_of

NO_OWN_FACTOR = _(
    "'%(activity)s' needs a factor from your own factor set: import one and "
    "assign it to this activity type."
)


def override_for(
    overrides: list[FactorOverride], business_unit: BusinessUnit, year: int
) -> FactorOverride | None:
    """Return the override that applies to a unit's line of a year, if any."""
    usable = [
        o
        for o in overrides
        if (o.business_unit_id in (None, business_unit.pk))
        and (o.from_year is None or o.from_year <= year)
    ]
    if not usable:
        return None
    usable.sort(key=lambda o: (o.business_unit_id is None, -(o.from_year or 0), -o.pk))
    return usable[0]


def plan_override(line: Line) -> Plan | None:
    """Return the plan of the organisation's own factor, or None without one."""
    override = override_for(
        line.cache.overrides(line.organisation, line.activity_type),
        line.business_unit,
        line.year,
    )
    if override is None:
        return None
    unit = line.unit
    own = factor_row_plan(
        base=line.base,
        factor=override.factor,
        unit=unit,
        gwp_set=line.organisation.gwp_set,
        note=(
            "The organisation's own factor "
            f"({override.factor.factor_set.name}) overrides the published one."
        ),
    )
    if line.activity_type.scope == 2 and dimension_of(unit) == "energy":

        def own_energy(quantity: Decimal) -> EntryCalculation:
            calculation = own(quantity)
            kwh = quantize(convert_quantity(quantity, unit, "kWh"))
            return EntryCalculation(
                **{
                    **calculation.as_model_fields(),
                    "energy_kwh": kwh,
                    "kg_co2e_market": calculation.kg_co2e,
                }
            )

        return own_energy
    return own


def plan_needs_own_factor(line: Line) -> Plan:
    """Refuse the line: only the organisation's own factor (an override) fits."""
    raise ValidationError(
        NO_OWN_FACTOR, code="no_factor", params={"activity": line.activity_type.name}
    )
