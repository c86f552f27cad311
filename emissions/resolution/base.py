"""What every planner shares: the line it plans, the snapshot it returns, rounding.

A planner is a function ``plan(line) -> Plan``: it resolves everything about a
kind of line that does not depend on the quantity (the factor, its notes) and
returns the function that turns a quantity into an ``EntryCalculation``. It
raises ``ValidationError`` when no factor can be found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessUnit, Organisation
from emissions.calculations import CalculationError, FactorValue, calculate_emissions
from emissions.gwp import UnknownGasError
from emissions.models import ActivityType, EmissionFactor, FactorSet
from emissions.units import UnitConversionError, convert

if TYPE_CHECKING:
    from emissions.resolution.cache import ResolutionCache

KG = Decimal("0.0000000001")
FACTOR = Decimal("0.000000000000001")

BAD_CONVERSION = _("Cannot use this quantity: %(detail)s")


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


@dataclass(frozen=True)
class Line:
    """A kind of line to plan: who, where, when, what and in which unit."""

    organisation: Organisation
    business_unit: BusinessUnit
    year: int
    activity_type: ActivityType
    unit: str
    cache: ResolutionCache

    @property
    def country(self) -> str:
        return self.business_unit.country.upper()

    @property
    def base(self) -> dict:
        """The snapshot fields the activity type gives every line."""
        return {
            "scope": self.activity_type.scope,
            "scope3_category": self.activity_type.scope3_category,
            "iso_category": self.activity_type.iso_category,
        }


# A planner: how lines of one factor source find their factor.
Planner = Callable[[Line], Plan]


def convert_quantity(quantity: Decimal, unit: str, to_unit: str) -> Decimal:
    """Convert a line's quantity, or raise the ValidationError a user reads."""
    try:
        return convert(quantity, unit, to_unit)
    except UnitConversionError as exc:
        raise ValidationError(
            BAD_CONVERSION, code="conversion", params={"detail": str(exc)}
        ) from None


def quantize(value: Decimal | None, exp: Decimal = KG) -> Decimal | None:
    """Round a stored figure (kg by default, FACTOR for factor values)."""
    return None if value is None else value.quantize(exp)


def _gases_text(values: dict[str, Decimal]) -> dict[str, str]:
    return {gas: str(quantize(value)) for gas, value in values.items()}


def _factor_value(factor: EmissionFactor) -> FactorValue:
    return FactorValue(
        co2e=factor.co2e,
        unit=factor.unit,
        gases={gas: Decimal(value) for gas, value in (factor.gases or {}).items()},
        gas_basis=factor.gas_basis,
    )


def factor_row_plan(
    *,
    base: dict,
    factor: EmissionFactor,
    unit: str,
    gwp_set: str,
    note: str,
) -> Plan:
    """Return the plan that applies one factor row to a quantity in `unit`.

    Per-gas mass factors (EPA) are weighted with `gwp_set`; a factor in CO2e
    is applied as published, and the snapshot names the set's own GWP basis.
    """
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
            factor_value=quantize(factor_value, FACTOR),
            factor_unit=factor.unit,
            factor_note=note,
            converted_quantity=quantize(result.converted_quantity),
            gwp_set=gwp_set if weighted else factor_set.gwp_basis,
            calculation_method=result.method,
            kg_co2e=quantize(result.kg_co2e),
            kg_by_gas=_gases_text(result.kg_by_gas),
        )

    return apply
