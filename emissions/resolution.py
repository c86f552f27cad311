"""Find the emission factor of an activity line and compute its snapshot.

How a factor is found, in order:

1. An override: the organisation's own factor for the activity type (for one
   business unit or all, from a year on or always). It always wins.
2. By the activity type's factor source:
   * published: the type's key in the organisation's chosen publisher's sets
     (DESNZ by default, see FactorPreference): the entry's year, else the nearest
     earlier edition, and the factor note says which edition was used. The
     organisation's own sets of that publisher come before the global ones of
     the same edition; a full edition comes before the shipped excerpt.
     Per-gas mass factors (EPA) are weighted with the organisation's GWP set.
   * grid_location: the curated location-based factor of the business unit's
     country (``grid_location|NO``) for the year or the nearest earlier year;
     kg_co2e is location-based, energy_kwh the consumption, and
     kg_co2e_market the consumption at the country's residual mix in the
     publication the organisation reports with (``residual_mix|SE|aib``, see
     ResidualMixChoice; the default is DEFAULT_RESIDUAL_MIX). Contractual
     instruments are applied later, per unit and year, by the inventory.
     Grid-factor files come first: the organisation's own, then those loaded
     for the installation, then the shipped curated factors of the same year.
     Withdrawn factors are never found.
   * district_heating: the curated ``district_heating|NO`` factor (a type may
     have its own curated key, e.g. ``district_cooling|SE``, which is tried
     first).
   * gwp (refrigerant leakage): kg of gas x GWP of the type's gas in the
     organisation's GWP set.
   * computed: ``server_energy`` takes the IT load in kWh, multiplies it by
     the PUE (written in the type's description as ``PUE 1.4``; 1.5 when not
     given, and the note says so) and applies the grid factor as for
     electricity. ``server_embodied`` needs the organisation's own factor in
     kg CO2e per server-year (an override).
   * own/custom: only an override gives a factor.

Well-to-tank and transmission-and-distribution losses (scope 3 category 3) are
not added to other lines: when an organisation includes them, its users enter
them as separate lines of the WTT and T&D activity types, which resolve as
published factors like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, Organisation
from emissions import rules
from emissions.calculations import CalculationError, FactorValue, calculate_emissions
from emissions.gwp import UnknownGasError, gwp
from emissions.models import (
    ActivityType,
    EmissionFactor,
    FactorCheck,
    FactorOverride,
    FactorPreference,
    FactorSet,
    FactorSetKind,
    FactorSource,
    ResidualMix,
    ResidualMixChoice,
    default_residual_mix,
)
from emissions.units import UNITS, UnitConversionError, convert, dimension_of

__all__ = [
    "DEFAULT_PUE",
    "EXCERPT_VERSION",
    "EntryCalculation",
    "ResolutionCache",
    "calculate_entry",
    "entry_plan",
    "residual_mix_factor",
]

DEFAULT_PUE = Decimal("1.5")
EXCERPT_VERSION = "excerpt"
_PUE = re.compile(r"\bPUE\s*[=:]?\s*(\d+(?:\.\d+)?)", re.IGNORECASE)
_KG = Decimal("0.0000000001")
_FACTOR = Decimal("0.000000000000001")

NO_PUBLISHED_FACTOR = _(
    "No %(publisher)s factor for '%(activity)s' in %(year)s or earlier editions."
)
NO_KEY = _(
    "'%(activity)s' has no factor key for %(publisher)s sets; choose another "
    "publisher or add your own factor for it."
)
NO_GRID_FACTOR = _(
    "No %(what)s factor for country %(country)s in %(year)s or earlier years."
)
NO_OWN_FACTOR = _(
    "'%(activity)s' needs a factor from your own factor set: import one and "
    "assign it to this activity type."
)
BAD_CONVERSION = _("Cannot use this quantity: %(detail)s")
NO_GWP = _("No GWP for %(gas)s in %(gwp_set)s: %(detail)s")
NO_GAS = _("The activity type '%(activity)s' names no refrigerant gas.")

# How the factor note names each residual-mix publication (notes are stored
# in English, like the rest of the note).
MIX_NOTES = {
    ResidualMix.AIB: "AIB European Residual Mixes",
    ResidualMix.NORDIC: "Nordic residual mix, Ei",
    ResidualMix.NATIONAL: "national authority's residual mix",
}

PUBLISHER_LABELS = {"desnz": "DESNZ", "epa": "EPA", "generic": "own", "curated": ""}


@dataclass(frozen=True)
class EntryCalculation:
    """The calculation snapshot of one activity line, as ActivityEntry stores it."""

    scope: int
    scope3_category: int | None
    iso_category: int
    factor: EmissionFactor | None
    factor_set: FactorSet | None
    factor_key: str
    factor_value: Decimal | None
    factor_unit: str
    factor_note: str
    converted_quantity: Decimal
    gwp_set: str
    calculation_method: str
    kg_co2e: Decimal
    kg_by_gas: dict[str, str] = field(default_factory=dict)
    energy_kwh: Decimal | None = None
    residual_mix_factor: Decimal | None = None
    kg_co2e_market: Decimal | None = None

    def as_model_fields(self) -> dict:
        """Return the fields for ``ActivityEntry(**fields)``."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values["kg_by_gas"] = dict(self.kg_by_gas)
        return values

    def as_dict(self) -> dict:
        return asdict(self)


# How a quantity becomes a calculation, once the factor is resolved.
Plan = Callable[[Decimal], EntryCalculation]


@dataclass
class _SetRef:
    pk: int
    edition_year: int
    kind: str
    private: bool
    excerpt: bool


class ResolutionCache:
    """Memoise look-ups so that many lines cost a handful of queries."""

    def __init__(self) -> None:
        self._preference: dict[int, str] = {}
        self._residual_mix: dict[int, dict[str, str]] = {}
        self._sets: dict[tuple[str, int], list[_SetRef]] = {}
        self._set_objects: dict[int, FactorSet] = {}
        self._factors: dict[tuple[int, str], EmissionFactor | None] = {}
        self._overrides: dict[tuple[int, int], list[FactorOverride]] = {}
        self._plans: dict[tuple, Plan | ValidationError] = {}

    def preference(self, organisation: Organisation) -> str:
        if organisation.pk not in self._preference:
            kind = (
                FactorPreference.objects.filter(organisation=organisation)
                .values_list("kind", flat=True)
                .first()
            )
            self._preference[organisation.pk] = kind or FactorSetKind.DESNZ
        return self._preference[organisation.pk]

    def residual_mix(self, organisation: Organisation, country: str) -> str:
        """Return the residual-mix publication the organisation uses for a country."""
        if organisation.pk not in self._residual_mix:
            self._residual_mix[organisation.pk] = dict(
                ResidualMixChoice.objects.filter(organisation=organisation).values_list(
                    "country", "mix"
                )
            )
        country = country.upper()
        return self._residual_mix[organisation.pk].get(
            country, default_residual_mix(country)
        )

    def grid_sets(self, organisation: Organisation) -> list[_SetRef]:
        """Return grid-factor files and curated sets, newest first, own first."""
        refs = [
            *self.sets(FactorSetKind.GRID, organisation),
            *self.sets(FactorSetKind.CURATED, organisation),
        ]
        return sorted(
            refs,
            key=lambda r: (
                -r.edition_year,
                not r.private,
                r.kind != FactorSetKind.GRID,
                -r.pk,
            ),
        )

    def sets(self, kind: str, organisation: Organisation) -> list[_SetRef]:
        """Return the usable sets of a kind, newest first, own before global."""
        cache_key = (kind, organisation.pk)
        if cache_key not in self._sets:
            rows = FactorSet.objects.filter(
                Q(organisation__isnull=True) | Q(organisation=organisation), kind=kind
            ).values_list("pk", "edition_year", "organisation_id", "version")
            refs = [
                _SetRef(pk, year, kind, owner is not None, version == EXCERPT_VERSION)
                for pk, year, owner, version in rows
            ]
            refs.sort(key=lambda r: (-r.edition_year, not r.private, r.excerpt, -r.pk))
            self._sets[cache_key] = refs
        return self._sets[cache_key]

    def factor(self, set_pk: int, key: str) -> EmissionFactor | None:
        cache_key = (set_pk, key)
        if cache_key not in self._factors:
            factor = (
                EmissionFactor.objects.filter(factor_set_id=set_pk, key=key)
                .exclude(verification=FactorCheck.WITHDRAWN)
                .first()
            )
            if factor is not None:
                factor.factor_set = self.set_object(set_pk)
            self._factors[cache_key] = factor
        return self._factors[cache_key]

    def plan(self, key: tuple, build: Callable[[], Plan]) -> Plan | ValidationError:
        """Return the plan of a kind of line, or the error resolving it gave."""
        if key not in self._plans:
            try:
                self._plans[key] = build()
            except ValidationError as exc:
                self._plans[key] = exc
        return self._plans[key]

    def set_object(self, set_pk: int) -> FactorSet:
        if set_pk not in self._set_objects:
            self._set_objects[set_pk] = FactorSet.objects.get(pk=set_pk)
        return self._set_objects[set_pk]

    def overrides(
        self, organisation: Organisation, activity_type: ActivityType
    ) -> list[FactorOverride]:
        cache_key = (organisation.pk, activity_type.pk)
        if cache_key not in self._overrides:
            self._overrides[cache_key] = list(
                FactorOverride.objects.filter(
                    organisation=organisation,
                    activity_type=activity_type,
                    factor__factor_set__organisation=organisation,
                ).select_related("factor", "factor__factor_set")
            )
        return self._overrides[cache_key]


def _override_for(
    overrides: list[FactorOverride], business_unit: BusinessUnit, year: int
) -> FactorOverride | None:
    usable = [
        o
        for o in overrides
        if (o.business_unit_id in (None, business_unit.pk))
        and (o.from_year is None or o.from_year <= year)
    ]
    if not usable:
        return None
    # The most specific wins: the unit's own, then the latest starting year.
    usable.sort(key=lambda o: (o.business_unit_id is None, -(o.from_year or 0), -o.pk))
    return usable[0]


def _convert(quantity: Decimal, unit: str, to_unit: str) -> Decimal:
    try:
        return convert(quantity, unit, to_unit)
    except UnitConversionError as exc:
        raise ValidationError(
            BAD_CONVERSION, code="conversion", params={"detail": str(exc)}
        ) from None


def _q(value: Decimal | None, exp: Decimal = _KG) -> Decimal | None:
    return None if value is None else value.quantize(exp)


def _gases_text(values: dict[str, Decimal]) -> dict[str, str]:
    return {gas: str(_q(value)) for gas, value in values.items()}


def _factor_value(factor: EmissionFactor) -> FactorValue:
    return FactorValue(
        co2e=factor.co2e,
        unit=factor.unit,
        gases={gas: Decimal(value) for gas, value in (factor.gases or {}).items()},
        gas_basis=factor.gas_basis,
    )


def _published_label(factor_set: FactorSet) -> str:
    return PUBLISHER_LABELS.get(factor_set.kind) or factor_set.get_kind_display()


def _with_factor(
    *,
    base: dict,
    factor: EmissionFactor,
    unit: str,
    gwp_set: str,
    note: str,
) -> Plan:
    """Return the plan that applies one factor to a quantity in `unit`."""
    value = _factor_value(factor)
    prefer_gases = factor.gas_basis == "mass"
    factor_set = factor.factor_set

    def apply(quantity: Decimal) -> EntryCalculation:
        try:
            result = calculate_emissions(
                quantity=quantity,
                unit=unit,
                factor=value,
                gwp_set=gwp_set,
                prefer_gases=prefer_gases,
            )
        except UnitConversionError as exc:
            raise ValidationError(
                BAD_CONVERSION, code="conversion", params={"detail": str(exc)}
            ) from None
        except (CalculationError, UnknownGasError) as exc:
            raise ValidationError(
                BAD_CONVERSION, code="calculation", params={"detail": str(exc)}
            ) from None
        weighted = result.method == "gas_weighted"
        factor_value = factor.co2e
        if factor_value is None or weighted:
            factor_value = (
                result.kg_co2e / result.converted_quantity
                if result.converted_quantity
                else None
            )
        return EntryCalculation(
            **base,
            factor=factor,
            factor_set=factor_set,
            factor_key=factor.key,
            factor_value=_q(factor_value, _FACTOR),
            factor_unit=factor.unit,
            factor_note=note,
            converted_quantity=_q(result.converted_quantity),
            gwp_set=gwp_set if weighted else factor_set.gwp_basis,
            calculation_method=result.method,
            kg_co2e=_q(result.kg_co2e),
            kg_by_gas=_gases_text(result.kg_by_gas),
        )

    return apply


def _key_candidates(key: str, unit: str, allowed: list[str] | None = None) -> list[str]:
    """Return the type's key for the entry's own unit first, then as catalogued.

    Between the two come the type's other units of the same dimension, so
    that a quantity in scf finds a factor published per m3, and one in
    therm_US a factor per mmBtu, before the catalogued key of another
    dimension is tried.
    """
    base, _sep, key_unit = key.rpartition("|")
    candidates = []
    if base and key_unit != unit:
        candidates.append(f"{base}|{unit}")
        dimension = UNITS[unit].dimension if unit in UNITS else None
        for other in allowed or []:
            if (
                other not in (unit, key_unit)
                and other in UNITS
                and UNITS[other].dimension == dimension
            ):
                candidates.append(f"{base}|{other}")
    candidates.append(key)
    return candidates


def _published(
    *,
    organisation: Organisation,
    activity_type: ActivityType,
    year: int,
    unit: str,
    cache: ResolutionCache,
    base: dict,
) -> Plan:
    kind = cache.preference(organisation)
    keys = activity_type.factor_keys or {}
    key = keys.get(kind)
    fallback_note = ""
    if not key and kind != FactorSetKind.DESNZ and keys.get(FactorSetKind.DESNZ):
        fallback_note = (
            f"No {PUBLISHER_LABELS[kind]} key for this activity type; "
            "DESNZ used instead. "
        )
        kind, key = FactorSetKind.DESNZ, keys[FactorSetKind.DESNZ]
    label = PUBLISHER_LABELS.get(kind, kind)
    if not key:
        raise ValidationError(
            NO_KEY,
            code="no_key",
            params={"activity": activity_type.name, "publisher": label},
        )
    candidates = _key_candidates(key, unit, list(activity_type.allowed_units or []))
    for ref in cache.sets(kind, organisation):
        if ref.edition_year > year:
            continue
        for candidate in candidates:
            factor = cache.factor(ref.pk, candidate)
            if factor is None:
                continue
            note = f"{label} {ref.edition_year}"
            if ref.edition_year != year:
                note += f" used for {year}: no {year} edition loaded"
            note += (
                f" ({factor.factor_set.name}"
                + (", the organisation's own set" if ref.private else "")
                + ")."
            )
            return _with_factor(
                base=base,
                factor=factor,
                unit=unit,
                gwp_set=organisation.gwp_set,
                note=fallback_note + note,
            )
    raise ValidationError(
        NO_PUBLISHED_FACTOR,
        code="no_factor",
        params={"publisher": label, "activity": activity_type.name, "year": year},
    )


def _curated(
    *,
    organisation: Organisation,
    keys: list[str],
    year: int,
    cache: ResolutionCache,
) -> tuple[EmissionFactor, str] | None:
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


def _energy(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit,
    year: int,
    keys: list[str],
    what: str,
    market_from_residual: bool,
    cache: ResolutionCache,
    base: dict,
    method: str,
    extra_note: str = "",
) -> Callable[[Decimal, Decimal], EntryCalculation]:
    """Return a function of (energy in kWh, converted quantity) for a curated key."""
    country = business_unit.country.upper()
    found = _curated(organisation=organisation, keys=keys, year=year, cache=cache)
    if found is None:
        raise ValidationError(
            NO_GRID_FACTOR,
            code="no_factor",
            params={"what": what, "country": country, "year": year},
        )
    factor, note = found
    value = factor.co2e or Decimal(0)
    residual = None
    residual_factor = None
    if market_from_residual:
        mix = cache.residual_mix(organisation, country)
        residual_found = _curated(
            organisation=organisation,
            keys=[f"residual_mix|{country}|{mix}", f"residual_mix|{country}"],
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
            # The GHG Protocol's last resort: the grid average. The line stays
            # grid consumption, so instruments still cover it.
            residual = value
            note += (
                f"; no residual mix ({mix_label}) for the country: "
                "market-based uses the grid factor"
            )
    source = f" Source: {factor.source_note}" if factor.source_note else ""
    if factor.is_unverified:
        source += " Unverified: not checked against the publication."
    fixed = {
        **base,
        "factor": factor,
        "factor_set": factor.factor_set,
        "factor_key": factor.key,
        "factor_value": _q(value, _FACTOR),
        "factor_unit": "kWh",
        "factor_note": f"{extra_note}{note}.{source}",
        "gwp_set": factor.factor_set.gwp_basis,
        "calculation_method": method,
        "residual_mix_factor": _q(residual, _FACTOR),
    }

    def apply(energy_kwh: Decimal, converted_quantity: Decimal) -> EntryCalculation:
        kg = energy_kwh * value
        market = kg if residual is None else energy_kwh * residual
        return EntryCalculation(
            **fixed,
            converted_quantity=_q(converted_quantity),
            kg_co2e=_q(kg),
            kg_by_gas={},
            energy_kwh=_q(energy_kwh),
            kg_co2e_market=_q(market),
        )

    return apply


def _pue(activity_type: ActivityType) -> tuple[Decimal, str]:
    match = _PUE.search(activity_type.description or "")
    if match:
        return Decimal(match.group(1)), f"PUE {match.group(1)} from the activity type"
    return DEFAULT_PUE, f"PUE {DEFAULT_PUE} (default: none given for the activity type)"


def _refrigerant_gas(activity_type: ActivityType) -> str:
    if activity_type.gas:
        return activity_type.gas
    code = activity_type.code
    return code.removeprefix("refrigerant_") if code.startswith("refrigerant_") else ""


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
    plan = cache.plan(
        key,
        lambda: _plan(
            organisation=organisation,
            business_unit=business_unit,
            year=year,
            activity_type=activity_type,
            unit=unit,
            cache=cache,
        ),
    )
    if isinstance(plan, ValidationError):
        raise plan.with_traceback(None)
    return plan


def _plan(
    *,
    organisation: Organisation,
    business_unit: BusinessUnit,
    year: int,
    activity_type: ActivityType,
    unit: str,
    cache: ResolutionCache,
) -> Plan:
    """Resolve the factor of a kind of line; return how a quantity is computed."""
    if activity_type.allowed_units and (
        problem := rules.unit_allowed(activity_type, unit)
    ):
        raise problem.error()
    base = {
        "scope": activity_type.scope,
        "scope3_category": activity_type.scope3_category,
        "iso_category": activity_type.iso_category,
    }
    country = business_unit.country.upper()

    override = _override_for(
        cache.overrides(organisation, activity_type), business_unit, year
    )
    if override is not None:
        own = _with_factor(
            base=base,
            factor=override.factor,
            unit=unit,
            gwp_set=organisation.gwp_set,
            note=(
                "The organisation's own factor "
                f"({override.factor.factor_set.name}) overrides the published one."
            ),
        )
        if activity_type.scope == 2 and dimension_of(unit) == "energy":

            def own_energy(quantity: Decimal) -> EntryCalculation:
                calculation = own(quantity)
                kwh = _q(_convert(quantity, unit, "kWh"))
                return EntryCalculation(
                    **{
                        **calculation.as_model_fields(),
                        "energy_kwh": kwh,
                        "kg_co2e_market": calculation.kg_co2e,
                    }
                )

            return own_energy
        return own

    source = activity_type.factor_source
    if source == FactorSource.GRID_LOCATION:
        grid = _energy(
            organisation=organisation,
            business_unit=business_unit,
            year=year,
            keys=[f"grid_location|{country}"],
            what=str(_("grid electricity")),
            market_from_residual=True,
            cache=cache,
            base=base,
            method="grid_location",
        )

        def electricity(quantity: Decimal) -> EntryCalculation:
            kwh = _convert(quantity, unit, "kWh")
            return grid(kwh, kwh)

        return electricity
    if source == FactorSource.DISTRICT_HEATING:
        keys = [f"district_heating|{country}"]
        if activity_type.code != "district_heating":
            keys.insert(0, f"{activity_type.code}|{country}")
        network = _energy(
            organisation=organisation,
            business_unit=business_unit,
            year=year,
            keys=keys,
            what=str(_("district heating")),
            market_from_residual=False,
            cache=cache,
            base=base,
            method="district_heating",
        )

        def heating(quantity: Decimal) -> EntryCalculation:
            kwh = _convert(quantity, unit, "kWh")
            return network(kwh, kwh)

        return heating
    if source == FactorSource.GWP:
        gas = _refrigerant_gas(activity_type)
        if not gas:
            raise ValidationError(NO_GAS, params={"activity": activity_type.name})
        try:
            value = gwp(gas, organisation.gwp_set)
        except UnknownGasError as exc:
            raise ValidationError(
                NO_GWP,
                code="no_gwp",
                params={"gas": gas, "gwp_set": organisation.gwp_set, "detail": exc},
            ) from None
        fixed = {
            **base,
            "factor": None,
            "factor_set": None,
            "factor_key": f"gwp|{gas}",
            "factor_value": _q(value, _FACTOR),
            "factor_unit": "kg",
            "factor_note": (
                f"{gas} leakage: kg x GWP {value} ({organisation.gwp_set}, "
                "IPCC 100-year)."
            ),
            "gwp_set": organisation.gwp_set,
            "calculation_method": "gwp",
        }

        def leakage(quantity: Decimal) -> EntryCalculation:
            kg = _convert(quantity, unit, "kg")
            kg_co2e = _q(kg * value)
            return EntryCalculation(
                **fixed,
                converted_quantity=_q(kg),
                kg_co2e=kg_co2e,
                kg_by_gas={gas: str(kg_co2e)},
            )

        return leakage
    if source == FactorSource.COMPUTED and activity_type.code == "server_energy":
        pue, pue_note = _pue(activity_type)
        servers = _energy(
            organisation=organisation,
            business_unit=business_unit,
            year=year,
            keys=[f"grid_location|{country}"],
            what=str(_("grid electricity")),
            market_from_residual=True,
            cache=cache,
            base=base,
            method="server_energy",
            extra_note=f"IT load x {pue_note}; ",
        )

        def server_energy(quantity: Decimal) -> EntryCalculation:
            it_kwh = _convert(quantity, unit, "kWh")
            return servers(it_kwh * pue, it_kwh)

        return server_energy
    if source in (FactorSource.COMPUTED, FactorSource.OWN):
        raise ValidationError(
            NO_OWN_FACTOR, code="no_factor", params={"activity": activity_type.name}
        )
    return _published(
        organisation=organisation,
        activity_type=activity_type,
        year=year,
        unit=unit,
        cache=cache,
        base=base,
    )


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
    found = _curated(
        organisation=organisation,
        keys=[f"residual_mix|{country}|{mix}", f"residual_mix|{country}"],
        year=year,
        cache=cache,
    )
    return None if found is None else found[0]
