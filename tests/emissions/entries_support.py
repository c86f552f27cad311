"""Helpers shared by the entry, year, evidence and history tests."""

from decimal import Decimal

from emissions.catalogue import load_activity_types, load_curated_factors
from emissions.models import ActivityType


def load_reference() -> dict[str, ActivityType]:
    """Load the shipped activity catalogue and curated grid factors."""
    load_activity_types()
    load_curated_factors()
    return {t.code: t for t in ActivityType.objects.filter(organisation=None)}


def make_entry(*, org, actor, unit, catalogue, quantity="10000", year=2024, **extra):
    from emissions.services.entries import entry_create

    return entry_create(
        organisation=org,
        actor=actor,
        business_unit=unit,
        year=year,
        activity_type=catalogue["electricity"],
        quantity=Decimal(quantity),
        unit=extra.pop("unit_code", "kWh"),
        **extra,
    )
