"""Find the emission factor of an activity line and compute its snapshot.

How a factor is found, in order:

1. An override: the organisation's own factor for the activity type (for one
   business unit or all, from a year on or always). It always wins (own.py).
2. The planner of the activity type's factor source, from the table in
   registry.py; each planner's module says how it finds its factor:

   ===================  ==========================  ============================
   factor source        module                      factor
   ===================  ==========================  ============================
   published            published.py                DESNZ/EPA row by the type's key
   grid_location        grid.py                     country grid + residual mix
   district_heating     district_heating.py         country heat network
   gwp                  refrigerants.py             kg of gas x GWP
   computed             server_energy.py            IT load x PUE x grid
                        (``server_energy`` only)
   computed, own        own.py                      only an override
   ===================  ==========================  ============================

   curated.py holds the country look-up the energy planners share; cache.py
   the memoised look-ups; base.py the line, the snapshot and the rounding.

Well-to-tank and transmission-and-distribution losses (scope 3 category 3) are
not added to other lines: when an organisation includes them, its users enter
them as separate lines of the WTT and T&D activity types, which resolve as
published factors like any other.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from accounts.models import BusinessUnit, Organisation
from emissions import rules
from emissions.models import ActivityType
from emissions.resolution.base import EntryCalculation, Line, Plan
from emissions.resolution.cache import EXCERPT_VERSION, ResolutionCache
from emissions.resolution.curated import residual_mix_factor
from emissions.resolution.own import plan_override
from emissions.resolution.registry import planner_for
from emissions.resolution.server_energy import DEFAULT_PUE

__all__ = [
    "DEFAULT_PUE",
    "EXCERPT_VERSION",
    "EntryCalculation",
    "Plan",
    "ResolutionCache",
    "calculate_entry",
    "entry_plan",
    "residual_mix_factor",
]


def calculate_entry(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit,
    year: int,
    activity_type: ActivityType,
    quantity: Decimal,
    unit: str,
    cache: ResolutionCache | None = None,
) -> EntryCalculation:
    """Return the calculation snapshot of one line or raise ValidationError."""
    if not isinstance(quantity, Decimal):
        quantity = Decimal(str(quantity))
    plan = entry_plan(
        organisation=organisation,
        business_unit=business_unit,
        year=year,
        activity_type=activity_type,
        unit=unit,
        cache=cache,
    )
    return plan(quantity)


def entry_plan(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit,
    year: int,
    activity_type: ActivityType,
    unit: str,
    cache: ResolutionCache | None = None,
) -> Plan:
    """Return how a quantity of a kind of line is calculated, or raise ValidationError.

    Everything that does not depend on the quantity (the factor, its notes, the
    checks of the unit) is resolved once per business unit, year, activity type
    and unit and kept in the cache as a plan; a line only applies its quantity.
    """
    cache = cache or ResolutionCache()
    key = (
        organisation.pk,
        organisation.gwp_set,
        business_unit.pk,
        business_unit.country,
        year,
        activity_type.pk,
        unit,
    )
    line = Line(
        organisation=organisation,
        business_unit=business_unit,
        year=year,
        activity_type=activity_type,
        unit=unit,
        cache=cache,
    )
    plan = cache.plan(key, lambda: _plan(line))
    if isinstance(plan, ValidationError):
        raise plan.with_traceback(None)
    return plan


def _check_unit(line: Line) -> None:
    if line.activity_type.allowed_units and (
        problem := rules.unit_allowed(line.activity_type, line.unit)
    ):
        raise problem.error()


def _plan(line: Line) -> Plan:
    """Resolve the factor of a kind of line; return how a quantity is computed."""
    _check_unit(line)
    return plan_override(line) or planner_for(line.activity_type)(line)
