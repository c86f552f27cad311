"""Emissions per employee, per floor area and per revenue, unit by unit."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Organisation
from emissions.models import Metric
from emissions.totals import ZERO, add_exactly


@dataclass(frozen=True)
class IntensityLine:
    """Emissions per unit of one metric, over the units that reported it."""

    key: str
    kind: str
    unit: str
    value: Decimal
    emissions_t: Decimal
    t_per_unit: Decimal | None
    business_units: tuple[str, ...]
    covers_all: bool


def intensity_lines(
    *,
    organisation: Organisation,
    year: int,
    unit_ids: list[int] | None,
    by_business_unit: dict[str, Decimal],
) -> list[IntensityLine]:
    """Return each metric's intensity over the units that reported it.

    Revenue is kept per currency, set against the emissions of the units that
    report in it, so that no currencies are mixed; a line that covers only
    some of the units says which.
    """
    metric_qs = Metric.objects.filter(
        organisation=organisation, reporting_year__year=year
    )
    if unit_ids is not None:
        metric_qs = metric_qs.filter(business_unit_id__in=unit_ids)
    values: dict[str, list[Decimal]] = defaultdict(list)
    covered: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, tuple[str, str]] = {}
    for kind, unit, code, value in metric_qs.values_list(
        "kind", "unit", "business_unit__code", "value"
    ).order_by("kind", "unit", "business_unit__code"):
        key = f"revenue_{unit or ''}" if kind == "revenue" else kind
        kinds[key] = (kind, unit if kind == "revenue" else "")
        values[key].append(value)
        covered[key].add(code)
    with_emissions = set(by_business_unit)
    lines = []
    for key in sorted(values):
        value = add_exactly(values[key])
        emissions = add_exactly(
            by_business_unit.get(code, ZERO) for code in sorted(covered[key])
        )
        lines.append(
            IntensityLine(
                key=key,
                kind=kinds[key][0],
                unit=kinds[key][1],
                value=value,
                emissions_t=emissions,
                t_per_unit=emissions / value if value else None,
                business_units=tuple(sorted(covered[key])),
                covers_all=with_emissions <= covered[key],
            )
        )
    return lines
