"""The grouped reads a year's inventory is added up from.

A year's inventory reads the entries in a few grouped queries: all years by
business unit and scope (the series, market-based scope 2, the units), this
year by business unit, activity type, data quality, unit of measure and
categories (the detail), the previous year by activity type (the effect
split) and the year's gases. `YearRows` holds the first three and what they
need; the small selectors of this package add them up.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from accounts.models import BusinessUnit, Organisation
from accounts.selectors import unit_subtree_ids
from emissions.models import BaseYearRecalculation, ReportingYear
from emissions.totals import (
    ZERO,
    Weighting,
    add_exactly,
    entries_for,
    grid_kwh_sum,
    market_kg_by_year,
    unit_scope_rows,
    weighted_sum,
    weighting_for,
)
from emissions.year_settings import SettingsByYear, YearSettings, settings_by_year
from reports.selectors.names import activity_types


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    equity_share: Decimal


@dataclass
class YearRows:
    """One year's grouped reads, for the organisation or a unit's subtree."""

    organisation: Organisation
    year: int
    business_unit: BusinessUnit | None
    unit_ids: list[int] | None
    year_of: dict[int, int]  # reporting year pk -> year
    year_status: str
    settings: YearSettings
    # kg per year, unit and scope (all years), with the market-based inputs.
    unit_rows: list[dict]
    # Approved recalculations: (unit id or None, scope 1, 2 loc., 2 market, 3).
    recalculations: list[tuple]
    units: dict[int, UnitInfo]
    # Market-based scope 2 kg per year and unit, and the instruments' own part.
    market: dict[int, dict[int, Decimal]]
    instrument_kg: dict[tuple[int, int], Decimal]
    # How lines are weighted by equity share, and every year's settings.
    weighting: Weighting | None = None
    all_settings: SettingsByYear | None = None
    # The year's detail, with each line's market-based figure (market_final).
    detail: list[dict] = field(default_factory=list)
    types: dict[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def base(self) -> int:
        return self.settings.base_year

    @property
    def headline_market(self) -> bool:
        return self.settings.headline_market

    def year_ids(self, year: int) -> list[int]:
        return [pk for pk, y in self.year_of.items() if y == year]


def _approved_recalculations(*, organisation: Organisation, unit_ids: list[int] | None):
    qs = BaseYearRecalculation.objects.filter(
        organisation=organisation, approved_at__isnull=False
    )
    if unit_ids is not None:
        qs = qs.filter(business_unit_id__in=unit_ids)
    return qs


def detail_rows(
    *,
    organisation: Organisation,
    unit_ids: list[int] | None,
    year_ids: list[int],
    weighting: Weighting | None = None,
) -> list[dict]:
    """Return kg CO2e, quantities and line counts of a year, in one pass.

    Grouped by business unit, activity type, data quality, unit of measure and
    categories: few rows, from which the year's detail is added up. Scope 2
    rows also carry the market-based kg before instruments and the grid kWh.
    """
    return list(
        entries_for(organisation=organisation, unit_ids=unit_ids)
        .filter(reporting_year_id__in=year_ids)
        .values(
            "reporting_year_id",
            "business_unit_id",
            "activity_type_id",
            "data_quality",
            "unit",
            "scope",
            "scope3_category",
            "iso_category",
        )
        .annotate(
            kg=weighted_sum(organisation, "kg_co2e", weighting=weighting),
            market=weighted_sum(organisation, "kg_co2e_market", weighting=weighting),
            kwh=Sum("energy_kwh"),
            grid_kwh=grid_kwh_sum(),
            q=Sum("quantity"),
            converted=Sum("converted_quantity"),
            n=Count("*"),
        )
        .order_by()
    )


def activity_type_rows(
    *,
    organisation: Organisation,
    unit_ids: list[int] | None,
    year_ids: list[int],
    weighting: Weighting | None = None,
) -> list[dict]:
    """Return kg CO2e and converted quantity per year and activity type."""
    return list(
        entries_for(organisation=organisation, unit_ids=unit_ids)
        .filter(reporting_year_id__in=year_ids)
        .values("reporting_year_id", "activity_type_id")
        .annotate(
            kg=weighted_sum(organisation, "kg_co2e", weighting=weighting),
            converted=Sum("converted_quantity"),
        )
        .order_by()
    )


def share_instruments_by_line(rows: YearRows) -> None:
    """Give each scope 2 line of the year its market-based figure (market_final).

    Each unit's instruments change its grid lines' figure, shared by their
    grid kWh (the last line takes the rest, so that the lines add up exactly
    to the unit's figure); other lines keep their own.
    """
    raw_market: dict[int, list[Decimal]] = defaultdict(list)
    grid_rows: dict[int, list[dict]] = defaultdict(list)
    for row in rows.detail:
        if row["scope"] == 2:
            raw_market[row["business_unit_id"]].append(row["market"])
            if row["grid_kwh"] > 0:
                grid_rows[row["business_unit_id"]].append(row)
    for row in rows.detail:
        row["market_final"] = row["market"] if row["scope"] == 2 else row["kg"]
    for unit_id, unit_rows in grid_rows.items():
        delta = rows.market.get(rows.year, {}).get(unit_id, ZERO) - add_exactly(
            raw_market[unit_id]
        )
        kwh = add_exactly(row["grid_kwh"] for row in unit_rows)
        left = delta
        for row in unit_rows[:-1]:
            part = delta * row["grid_kwh"] / kwh
            row["market_final"] = row["market"] + part
            left -= part
        unit_rows[-1]["market_final"] = unit_rows[-1]["market"] + left


def year_rows(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None
) -> YearRows:
    """Read the grouped rows of a year (of a unit and its subtree, if given)."""
    years = list(
        ReportingYear.objects.filter(organisation=organisation).values_list(
            "pk", "year", "status"
        )
    )
    year_of = {pk: y for pk, y, _status in years}
    unit_ids = unit_subtree_ids(organisation=organisation, business_unit=business_unit)
    all_settings = settings_by_year(organisation=organisation)
    weighting = weighting_for(organisation, settings=all_settings)
    unit_rows = unit_scope_rows(
        organisation=organisation,
        unit_ids=unit_ids,
        year_of=year_of,
        weighting=weighting,
    )
    recalculations = list(
        _approved_recalculations(organisation=organisation, unit_ids=unit_ids)
        .values_list(
            "business_unit_id",
            "scope1_t",
            "scope2_location_t",
            "scope2_market_t",
            "scope3_t",
        )
        .order_by("pk")
    )
    units = {
        pk: UnitInfo(code, name, share)
        for pk, code, name, share in BusinessUnit.objects.filter(
            pk__in={row["business_unit_id"] for row in unit_rows}
            | {unit_id for unit_id, *_ in recalculations if unit_id is not None}
        )
        .order_by("code", "pk")
        .values_list("pk", "code", "name", "equity_share")
    }
    instrument_kg: dict[tuple[int, int], Decimal] = {}
    market = market_kg_by_year(
        organisation=organisation,
        unit_ids=unit_ids,
        rows=unit_rows,
        shares={pk: unit.equity_share for pk, unit in units.items()},
        instrument_kg=instrument_kg,
        weighting=weighting,
    )
    return YearRows(
        organisation=organisation,
        year=year,
        business_unit=business_unit,
        unit_ids=unit_ids,
        year_of=year_of,
        year_status=next((s for _pk, y, s in years if y == year), "open"),
        settings=all_settings.for_year(year),
        unit_rows=unit_rows,
        recalculations=recalculations,
        units=units,
        market=market,
        instrument_kg=instrument_kg,
        weighting=weighting,
        all_settings=all_settings,
    )


def read_detail(rows: YearRows, *, with_previous: bool) -> list[dict]:
    """Read the year's detail into `rows`; return the previous year's by type.

    The previous year is read only when it is in the series.
    """
    rows.detail = detail_rows(
        organisation=rows.organisation,
        unit_ids=rows.unit_ids,
        year_ids=rows.year_ids(rows.year),
        weighting=rows.weighting,
    )
    previous = (
        activity_type_rows(
            organisation=rows.organisation,
            unit_ids=rows.unit_ids,
            year_ids=rows.year_ids(rows.year - 1),
            weighting=rows.weighting,
        )
        if with_previous
        else []
    )
    rows.types = activity_types([*rows.detail, *previous])
    share_instruments_by_line(rows)
    return previous
