"""Country factors per kWh: grid electricity, residual mixes, district heating.

Shared by the planners of energy bought from a network (grid electricity,
district heating, server energy). The factor of the business unit's country
for the year, or the nearest earlier year: the organisation's grid-factor
files first, then those loaded for the installation, then the shipped curated
factors of the same year. Withdrawn factors are never found.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from emissions.models import EmissionFactor, FactorSetKind, ResidualMix
from emissions.resolution.base import FACTOR, EntryCalculation, Line, quantize
from emissions.resolution.cache import ResolutionCache

NO_GRID_FACTOR = _(
    "No %(what)s factor for country %(country)s in %(year)s or earlier years."
)

# How the factor note names each residual-mix publication (notes are stored
# in English, like the rest of the note).
MIX_NOTES = {
    ResidualMix.AIB: "AIB European Residual Mixes",
    ResidualMix.NORDIC: "Nordic residual mix, Ei",
    ResidualMix.NATIONAL: "national authority's residual mix",
}

# A function of (energy in kWh, converted quantity) giving the snapshot.
EnergyPlan = Callable[[Decimal, Decimal], EntryCalculation]


def find_curated(
    *,
    organisation: Organisation,
    keys: list[str],
    year: int,
    cache: ResolutionCache,
) -> tuple[EmissionFactor, str] | None:
    """Return the first of `keys` found for the year or earlier, with its note."""
    for ref in cache.grid_sets(organisation):
        if ref.edition_year > year:
            continue
        for key in keys:
            factor = cache.factor(ref.pk, key)
            if factor is not None:
                note = f"{key} {ref.edition_year}"
                if ref.kind == FactorSetKind.GRID:
                    note += (
                        " (the organisation's grid-factor file)"
                        if ref.private
                        else " (a grid-factor file loaded for the installation)"
                    )
                if ref.edition_year != year:
                    note += f" used for {year}: no {year} factor loaded"
                return factor, note
    return None


def _residual_mix_keys(country: str, mix: str) -> list[str]:
    return [f"residual_mix|{country}|{mix}", f"residual_mix|{country}"]


def energy_plan(
    line: Line,
    *,
    keys: list[str],
    what: str,
    market_from_residual: bool,
    method: str,
    extra_note: str = "",
) -> EnergyPlan:
    """Return the snapshot of energy in kWh at the first curated key found.

    With `market_from_residual`, the market-based figure is the energy at the
    residual mix the organisation reports with for the country; where none is
    published, the grid factor stands in (the GHG Protocol's last resort) and
    the line stays grid consumption, so instruments still cover it.
    """
    organisation, year, cache = line.organisation, line.year, line.cache
    country = line.country
    found = find_curated(organisation=organisation, keys=keys, year=year, cache=cache)
    if found is None:
        raise ValidationError(
            NO_GRID_FACTOR,
            code="no_factor",
            params={"what": what, "country": country, "year": year},
        )
    factor, note = found
    value = factor.co2e or Decimal(0)
    residual = None
    if market_from_residual:
        mix = cache.residual_mix(organisation, country)
        residual_found = find_curated(
            organisation=organisation,
            keys=_residual_mix_keys(country, mix),
            year=year,
            cache=cache,
        )
        mix_label = MIX_NOTES.get(mix, mix)
        if residual_found is not None:
            residual_factor = residual_found[0]
            residual = residual_factor.co2e
            note += f"; residual mix {residual_found[1]} ({mix_label})"
            if residual_factor.is_unverified:
                note += ", unverified"
        else:
            residual = value
            note += (
                f"; no residual mix ({mix_label}) for the country: "
                "market-based uses the grid factor"
            )
    source = f" Source: {factor.source_note}" if factor.source_note else ""
    if factor.is_unverified:
        source += " Unverified: not checked against the publication."
    fixed = {
        **line.base,
        "factor": factor,
        "factor_set": factor.factor_set,
        "factor_key": factor.key,
        "factor_value": quantize(value, FACTOR),
        "factor_unit": "kWh",
        "factor_note": f"{extra_note}{note}.{source}",
        "gwp_set": factor.factor_set.gwp_basis,
        "calculation_method": method,
        "residual_mix_factor": quantize(residual, FACTOR),
    }

    def apply(energy_kwh: Decimal, converted_quantity: Decimal) -> EntryCalculation:
        kg = energy_kwh * value
        market = kg if residual is None else energy_kwh * residual
        return EntryCalculation(
            **fixed,
            converted_quantity=quantize(converted_quantity),
            kg_co2e=quantize(kg),
            kg_by_gas={},
            energy_kwh=quantize(energy_kwh),
            kg_co2e_market=quantize(market),
        )

    return apply


def residual_mix_factor(
    *,
    organisation: Organisation,
    country: str,
    year: int,
    cache: ResolutionCache | None = None,
) -> EmissionFactor | None:
    """Return the residual-mix factor a country's grid lines use in a year."""
    cache = cache or ResolutionCache()
    country = country.upper()
    mix = cache.residual_mix(organisation, country)
    found = find_curated(
        organisation=organisation,
        keys=_residual_mix_keys(country, mix),
        year=year,
        cache=cache,
    )
    return None if found is None else found[0]
