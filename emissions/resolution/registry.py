"""The table of planners: which planner finds the factor of each factor source.

Keyed by the activity type's ``factor_source`` and, for a source whose types
are computed each their own way, the type's code (``""``: every other type of
the source). To add a source: add its FactorSource choice, write its planner
in a module of this package (a function ``plan_<source>(line) -> Plan``) and
name it here.
"""

from __future__ import annotations

from emissions.models import ActivityType, FactorSource
from emissions.resolution.base import Planner
from emissions.resolution.district_heating import plan_district_heating
from emissions.resolution.grid import plan_grid_electricity
from emissions.resolution.own import plan_needs_own_factor
from emissions.resolution.published import plan_published
from emissions.resolution.refrigerants import plan_refrigerant
from emissions.resolution.server_energy import plan_server_energy

EVERY_TYPE = ""

PLANNERS: dict[tuple[str, str], Planner] = {
    (FactorSource.PUBLISHED, EVERY_TYPE): plan_published,
    (FactorSource.GRID_LOCATION, EVERY_TYPE): plan_grid_electricity,
    (FactorSource.DISTRICT_HEATING, EVERY_TYPE): plan_district_heating,
    (FactorSource.GWP, EVERY_TYPE): plan_refrigerant,
    (FactorSource.COMPUTED, "server_energy"): plan_server_energy,
    (FactorSource.COMPUTED, EVERY_TYPE): plan_needs_own_factor,
    (FactorSource.OWN, EVERY_TYPE): plan_needs_own_factor,
}


def planner_for(activity_type: ActivityType) -> Planner:
    """Return the planner of an activity type's factor source."""
    source = activity_type.factor_source
    return (
        PLANNERS.get((source, activity_type.code))
        or PLANNERS.get((source, EVERY_TYPE))
        # A source outside the choices (written around the model's checks)
        # has always been looked up as a published key.
        or plan_published
    )
