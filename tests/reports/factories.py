"""Entries with a hand-made calculation snapshot, for exact inventory tests."""

from decimal import Decimal

from emissions.models import ActivityEntry, ActivityType, ReportingYear


def activity_type(code: str, scope: int, category: int | None = None) -> ActivityType:
    return ActivityType.objects.get_or_create(
        organisation=None,
        code=code,
        defaults={
            "name": code.replace("_", " ").capitalize(),
            "scope": scope,
            "scope3_category": category,
            "iso_category": {1: 1, 2: 2}.get(scope, 3 if category == 6 else 4),
            "allowed_units": ["kWh", "litre", "passenger_km"],
            "default_unit": "kWh",
            "factor_source": "published",
        },
    )[0]


def entry(
    *,
    organisation,
    unit,
    year: int,
    code: str,
    scope: int,
    kg: str,
    user,
    quantity: str = "1000",
    category: int | None = None,
    market: str | None = None,
    energy_kwh: str | None = None,
    residual: str | None = None,
    quality: str = "measured",
    gases: dict | None = None,
    factor=None,
) -> ActivityEntry:
    reporting_year, _ = ReportingYear.objects.get_or_create(
        organisation=organisation, year=year
    )
    return ActivityEntry.objects.create(
        organisation=organisation,
        business_unit=unit,
        reporting_year=reporting_year,
        activity_type=activity_type(code, scope, category),
        quantity=Decimal(quantity),
        unit="kWh",
        scope=scope,
        scope3_category=category,
        iso_category=1,
        converted_quantity=Decimal(quantity),
        kg_co2e=Decimal(kg),
        kg_co2e_market=Decimal(market) if market is not None else None,
        energy_kwh=Decimal(energy_kwh) if energy_kwh is not None else None,
        residual_mix_factor=Decimal(residual) if residual is not None else None,
        data_quality=quality,
        kg_by_gas=gases or {},
        factor=factor,
        created_by=user,
        updated_by=user,
    )
