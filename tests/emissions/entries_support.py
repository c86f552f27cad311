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


# No district-heating figure of the Nordic countries could be checked against
# a publication, so none is shipped: tests that need one load these as the
# organisation's own grid-factor file, as a user loads a supplier's figures.
HEATING_FILE = (
    "country,year,kind,value,unit,gas_basis,publication,edition,table_or_page,url\n"
    "NO,2024,district_heating,15,g/kWh,CO2e,Test heating supplier,2024,p. 1,\n"
    "SE,2024,district_heating,47,g/kWh,CO2e,Test heating supplier,2024,p. 1,\n"
)


def load_heating_figures(organisation):
    """Import NO 0.015 and SE 0.047 kg/kWh of district heating for 2024."""
    import tempfile
    from pathlib import Path

    from emissions.models import FactorSetKind
    from emissions.services.factors import factor_set_import, parse_factor_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "heating-2024.csv"
        path.write_text(HEATING_FILE, encoding="utf-8")
        parsed = parse_factor_file(path, publisher=FactorSetKind.GRID, name="Heat")
    return factor_set_import(
        parsed=parsed, kind=FactorSetKind.GRID, organisation=organisation
    )[0]
