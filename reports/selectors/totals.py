"""A year's scope totals and each business unit's total.

The scope totals per year come from `emissions.totals`; here they are read
for a year's inventory, and each unit's total is scope 1 + 3 as entered and
scope 2 by the headline method.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from emissions.totals import (
    ZERO,
    ScopeTotals,
    add_exactly,
    scope_totals_from_rows,
    tonnes,
)
from reports.selectors.rows import YearRows


def entered_totals(rows: YearRows) -> dict[int, ScopeTotals]:
    """Return every year's scope totals as entered (no recalculations)."""
    return scope_totals_from_rows(
        organisation=rows.organisation,
        rows=rows.unit_rows,
        market=rows.market,
        settings=rows.all_settings,
    )


@dataclass(frozen=True)
class UnitTotals:
    """Each unit's total (t) in the year and in the base year."""

    by_year: dict[int, dict[int, Decimal]] = field(default_factory=dict)

    def of(self, year: int) -> dict[int, Decimal]:
        return self.by_year.get(year, {})


def unit_totals(rows: YearRows) -> UnitTotals:
    """Return each unit's total in the year and the base year.

    Scope 1 + 3 as entered, scope 2 by the headline method.
    """
    kg: dict[int, dict[int, dict[int, list[Decimal]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for row in rows.unit_rows:
        if row["year"] in (rows.year, rows.base):
            kg[row["year"]][row["business_unit_id"]][row["scope"]].append(row["kg"])
    result: dict[int, dict[int, Decimal]] = {}
    for year, units in kg.items():
        result[year] = {}
        for unit_id, scopes in units.items():
            other = add_exactly([*scopes[1], *scopes[3]])
            scope2 = (
                rows.market.get(year, {}).get(unit_id, ZERO)
                if rows.headline_market
                else add_exactly(scopes[2])
            )
            result[year][unit_id] = tonnes(other + scope2)
    return UnitTotals(result)


def by_business_unit(
    rows: YearRows, units: UnitTotals
) -> tuple[dict[str, Decimal], dict[str, str]]:
    """Return the year's total per unit code, and the units' names, in code order."""
    totals, names = {}, {}
    for unit_id, unit in rows.units.items():
        if unit_id in units.of(rows.year):
            totals[unit.code] = units.of(rows.year)[unit_id]
            names[unit.code] = unit.name
    return totals, names
