"""Planner of refrigerant leakage: kg of gas x its GWP in the organisation's set."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from emissions.gwp import UnknownGasError, gwp
from emissions.models import ActivityType
from emissions.resolution.base import (
    FACTOR,
    EntryCalculation,
    Line,
    Plan,
    convert_quantity,
    quantize,
)

NO_GWP = _("No GWP for %(gas)s in %(gwp_set)s: %(detail)s")
NO_GAS = _("The activity type '%(activity)s' names no refrigerant gas.")


def refrigerant_gas(activity_type: ActivityType) -> str:
    """Return the type's gas, or the one its code names (``refrigerant_r32``)."""
    if activity_type.gas:
        return activity_type.gas
    code = activity_type.code
    return code.removeprefix("refrigerant_") if code.startswith("refrigerant_") else ""


def plan_refrigerant(line: Line) -> Plan:
    """Weigh the leaked kg by the gas's 100-year GWP (IPCC, the org's set)."""
    activity_type, gwp_set = line.activity_type, line.organisation.gwp_set
    gas = refrigerant_gas(activity_type)
    if not gas:
        raise ValidationError(NO_GAS, params={"activity": activity_type.name})
    try:
        value = gwp(gas, gwp_set)
    except UnknownGasError as exc:
        raise ValidationError(
            NO_GWP,
            code="no_gwp",
            params={"gas": gas, "gwp_set": gwp_set, "detail": exc},
        ) from None
    fixed = {
        **line.base,
        "factor": None,
        "factor_set": None,
        "factor_key": f"gwp|{gas}",
        "factor_value": quantize(value, FACTOR),
        "factor_unit": "kg",
        "factor_note": f"{gas} leakage: kg x GWP {value} ({gwp_set}, IPCC 100-year).",
        "gwp_set": gwp_set,
        "calculation_method": "gwp",
    }
    unit = line.unit

    def leakage(quantity: Decimal) -> EntryCalculation:
        kg = convert_quantity(quantity, unit, "kg")
        kg_co2e = quantize(kg * value)
        return EntryCalculation(
            **fixed,
            converted_quantity=quantize(kg),
            kg_co2e=kg_co2e,
            kg_by_gas={gas: str(kg_co2e)},
        )

    return leakage
