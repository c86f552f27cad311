"""Pure emission arithmetic on Decimal: no ORM, no settings, no floats.

Quantities are in the unit named next to them; emissions are in kg CO2e unless a
name says tonnes. Formulas follow the GHG Protocol Corporate Accounting and
Reporting Standard (revised edition, 2004), its Scope 2 Guidance (2015) and the
Corporate Value Chain (Scope 3) Standard (2011).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from emissions.gwp import gwp
from emissions.units import convert

__all__ = [
    "CalculationError",
    "EffectSplit",
    "EmissionResult",
    "FactorValue",
    "InstrumentCover",
    "Scope2MarketResult",
    "calculate_emissions",
    "change",
    "cumulative_reduction",
    "embodied_annual_kg",
    "equity_share",
    "factor_effect_split",
    "scope2_location_based",
    "scope2_market_based",
    "server_energy_kwh",
    "transmission_and_distribution_losses",
    "well_to_tank",
]

ZERO = Decimal(0)
GAS_BASES = ("co2e", "mass")


class CalculationError(ValueError):
    """Raised when inputs cannot give a meaningful emission figure."""


@dataclass(frozen=True)
class FactorValue:
    """An emission factor per one `unit` of activity.

    `gas_basis` "co2e": per-gas figures are already kg CO2e (as DESNZ publishes);
    "mass": they are kg of the gas itself (as EPA publishes) and need a GWP.
    """

    co2e: Decimal | None
    unit: str
    gases: Mapping[str, Decimal] = field(default_factory=dict)
    gas_basis: str = "co2e"


@dataclass(frozen=True)
class EmissionResult:
    """The calculation snapshot of one activity line."""

    quantity: Decimal
    unit: str
    converted_quantity: Decimal
    factor_unit: str
    kg_co2e: Decimal
    kg_by_gas: dict[str, Decimal]  # kg CO2e per gas
    gwp_set: str | None
    method: str  # "published_co2e" or "gas_weighted"

    @property
    def t_co2e(self) -> Decimal:
        """Return the result in tonnes CO2e."""
        return self.kg_co2e / 1000


def _require_decimal(name: str, value: object) -> None:
    if not isinstance(value, Decimal):
        raise CalculationError(f"{name} must be a Decimal, not {type(value).__name__}.")
    if not value.is_finite():
        raise CalculationError(f"{name} must be a finite number.")


def _require_non_negative(name: str, value: Decimal) -> None:
    _require_decimal(name, value)
    if value < 0:
        raise CalculationError(f"{name} must not be negative (got {value}).")


def calculate_emissions(
    *,
    quantity: Decimal,
    unit: str,
    factor: FactorValue,
    gwp_set: str = "AR5",
    prefer_gases: bool = False,
) -> EmissionResult:
    """Return kg CO2e for a quantity of activity and one emission factor.

    The quantity is first converted into the factor's unit. The published CO2e
    figure is used whenever it exists, even if the gases do not add up to it
    exactly (DESNZ guidance); per-gas mass factors are weighted with the GWP
    set when no CO2e is published, or when `prefer_gases` asks for the
    organisation's own GWP set (GHG Protocol Corporate Standard, chapter 6).
    """
    _require_non_negative("quantity", quantity)
    if factor.gas_basis not in GAS_BASES:
        raise CalculationError(
            f"Unknown gas basis {factor.gas_basis!r}; expected 'co2e' or 'mass'."
        )
    if factor.co2e is None and not factor.gases:
        raise CalculationError(
            "The factor has neither a CO2e value nor per-gas values; "
            "it cannot be used for a calculation."
        )
    if factor.co2e is not None:
        _require_decimal("factor CO2e", factor.co2e)
    for gas, value in factor.gases.items():
        _require_decimal(f"factor value for {gas}", value)

    converted = convert(quantity, unit, factor.unit)
    by_mass = factor.gas_basis == "mass"
    if by_mass:
        kg_by_gas = {
            gas: converted * value * gwp(gas, gwp_set)
            for gas, value in factor.gases.items()
        }
    else:
        kg_by_gas = {gas: converted * value for gas, value in factor.gases.items()}

    use_gases = factor.co2e is None or (prefer_gases and by_mass)
    if use_gases:
        kg_co2e = sum(kg_by_gas.values(), ZERO)
        method = "gas_weighted"
    else:
        kg_co2e = converted * factor.co2e  # type: ignore[operator]
        method = "published_co2e"
    return EmissionResult(
        quantity=quantity,
        unit=unit,
        converted_quantity=converted,
        factor_unit=factor.unit,
        kg_co2e=kg_co2e,
        kg_by_gas=kg_by_gas,
        gwp_set=gwp_set if by_mass and factor.gases else None,
        method=method,
    )


@dataclass(frozen=True)
class InstrumentCover:
    """A contractual instrument (GO, REC, PPA, green tariff) for scope 2."""

    mwh: Decimal
    kg_co2e_per_kwh: Decimal


@dataclass(frozen=True)
class Scope2MarketResult:
    """Market-based scope 2 split into covered and residual-mix parts (kWh, kg)."""

    covered_kwh: Decimal
    uncovered_kwh: Decimal
    kg_co2e: Decimal
    over_covered_kwh: Decimal
    # The kWh each instrument covers, in the order given; they add up to
    # covered_kwh.
    covered_kwh_by_instrument: tuple[Decimal, ...] = ()


def scope2_market_based(
    *,
    consumption_kwh: Decimal,
    instruments: Sequence[InstrumentCover],
    residual_mix_kg_per_kwh: Decimal,
) -> Scope2MarketResult:
    """Return market-based scope 2 kg CO2e (GHG Protocol Scope 2 Guidance 2015, 6).

    Instruments cover consumption in the order given, each at its own factor,
    until consumption is used up; certificates beyond consumption are reported
    as over-cover and never reduce emissions below zero. The uncovered rest
    gets the residual-mix factor (Scope 2 Guidance, Table 6.3 hierarchy).
    """
    _require_non_negative("consumption_kwh", consumption_kwh)
    _require_non_negative("residual_mix_kg_per_kwh", residual_mix_kg_per_kwh)
    remaining = consumption_kwh
    covered = ZERO
    offered = ZERO
    kg = ZERO
    by_instrument = []
    for instrument in instruments:
        _require_non_negative("instrument MWh", instrument.mwh)
        _require_non_negative("instrument factor", instrument.kg_co2e_per_kwh)
        kwh = instrument.mwh * 1000
        offered += kwh
        used = min(kwh, remaining)
        by_instrument.append(used)
        covered += used
        remaining -= used
        kg += used * instrument.kg_co2e_per_kwh
    kg += remaining * residual_mix_kg_per_kwh
    return Scope2MarketResult(
        covered_kwh=covered,
        uncovered_kwh=remaining,
        kg_co2e=kg,
        over_covered_kwh=offered - covered,
        covered_kwh_by_instrument=tuple(by_instrument),
    )


def scope2_location_based(
    *, consumption_kwh: Decimal, grid_kg_per_kwh: Decimal
) -> Decimal:
    """Return location-based scope 2 kg CO2e: kWh x grid average kg CO2e/kWh.

    Source: GHG Protocol Scope 2 Guidance (2015), chapter 6.
    """
    _require_non_negative("consumption_kwh", consumption_kwh)
    _require_decimal("grid_kg_per_kwh", grid_kg_per_kwh)
    return consumption_kwh * grid_kg_per_kwh


def transmission_and_distribution_losses(
    *, consumption_kwh: Decimal, td_factor_kg_per_kwh: Decimal
) -> Decimal:
    """Return kg CO2e of grid losses for the electricity consumed.

    Scope 3 category 3, activity (c) of the GHG Protocol Scope 3 Standard;
    the factor is per kWh consumed, as DESNZ publishes it ("T&D- UK electricity").
    """
    _require_non_negative("consumption_kwh", consumption_kwh)
    _require_decimal("td_factor_kg_per_kwh", td_factor_kg_per_kwh)
    return consumption_kwh * td_factor_kg_per_kwh


def well_to_tank(*, quantity: Decimal, wtt_factor_kg_per_unit: Decimal) -> Decimal:
    """Return upstream (well-to-tank) kg CO2e of a fuel or of energy bought.

    Scope 3 category 3, activities (a) and (b) of the GHG Protocol Scope 3
    Standard; quantity and factor share a unit (DESNZ "WTT-" tables).
    """
    _require_non_negative("quantity", quantity)
    _require_decimal("wtt_factor_kg_per_unit", wtt_factor_kg_per_unit)
    return quantity * wtt_factor_kg_per_unit


def server_energy_kwh(
    *, servers: Decimal, avg_power_watts: Decimal, hours: Decimal, pue: Decimal
) -> Decimal:
    """Return data-centre energy in kWh: servers x W x h x PUE / 1000.

    PUE (power usage effectiveness, ISO/IEC 30134-2) scales IT load up to the
    facility's total draw, so cooling and power losses are counted.
    """
    for name, value in (
        ("servers", servers),
        ("avg_power_watts", avg_power_watts),
        ("hours", hours),
    ):
        _require_non_negative(name, value)
    _require_decimal("pue", pue)
    if pue < 1:
        raise CalculationError(f"PUE cannot be below 1 (got {pue}).")
    return servers * avg_power_watts * hours * pue / 1000


def embodied_annual_kg(
    *, embodied_kg_per_unit: Decimal, lifetime_years: Decimal, units: Decimal
) -> Decimal:
    """Return one year's share of hardware's embodied kg CO2e (straight line).

    Spreading embodied emissions evenly over the service life follows the
    GHG Protocol ICT Sector Guidance (2017), chapter on capital goods.
    """
    _require_non_negative("embodied_kg_per_unit", embodied_kg_per_unit)
    _require_non_negative("units", units)
    _require_decimal("lifetime_years", lifetime_years)
    if lifetime_years <= 0:
        raise CalculationError("lifetime_years must be greater than zero.")
    return embodied_kg_per_unit * units / lifetime_years


def change(base: Decimal, current: Decimal) -> tuple[Decimal, Decimal | None]:
    """Return (current - base, percent change against base); percent is None at 0."""
    _require_decimal("base", base)
    _require_decimal("current", current)
    absolute = current - base
    if base == 0:
        return absolute, None
    return absolute, absolute / base * 100


def cumulative_reduction(base: Decimal, years: Sequence[Decimal]) -> Decimal:
    """Return the sum over years of (base - year): emissions avoided since base."""
    _require_decimal("base", base)
    total = ZERO
    for value in years:
        _require_decimal("year value", value)
        total += base - value
    return total


def equity_share(value: Decimal, percent: Decimal) -> Decimal:
    """Return the equity share of emissions (Corporate Standard, chapter 3)."""
    _require_decimal("value", value)
    _require_decimal("percent", percent)
    if not 0 <= percent <= 100:
        raise CalculationError(f"An equity share must be 0 to 100 % (got {percent}).")
    return value * percent / 100


class EffectSplit(NamedTuple):
    """A change in emissions split into activity and factor effects."""

    activity_effect: Decimal
    factor_effect: Decimal
    total_change: Decimal


def factor_effect_split(
    q0: Decimal, f0: Decimal, q1: Decimal, f1: Decimal
) -> EffectSplit:
    """Split q1*f1 - q0*f0 into an activity effect and an emission-factor effect.

    Uses the symmetric two-factor (Shapley, or Sun 1998 "complete") decomposition:
    activity = (q1 - q0) x (f0 + f1) / 2, factor = (f1 - f0) x (q0 + q1) / 2.
    Each effect is measured at the average of the other variable, so neither
    year is privileged and the two parts add up exactly to the total change with
    no residual term.
    """
    for name, value in (("q0", q0), ("f0", f0), ("q1", q1), ("f1", f1)):
        _require_decimal(name, value)
    activity = (q1 - q0) * (f0 + f1) / 2
    factor = (f1 - f0) * (q0 + q1) / 2
    return EffectSplit(activity, factor, q1 * f1 - q0 * f0)
