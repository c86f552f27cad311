"""A year's emissions by category, source and data quality.

Added up from the year's detail rows (`rows.YearRows.detail`) without another
query; scope 2 lines carry their market-based figure, so each breakdown can
give both methods.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Q

from accounts.models import Organisation
from emissions.models import ActivityType
from emissions.totals import ZERO, add_exactly, percent_of, tonnes
from reports.selectors.rows import YearRows


@dataclass(frozen=True)
class ActivityLine:
    code: str
    name: str
    scope: int
    scope3_category: int | None
    quantity: Decimal
    unit: str
    t_co2e: Decimal  # scope 2 by the organisation's headline method
    t_co2e_location: Decimal | None = None
    t_co2e_market: Decimal | None = None
    energy_kwh: Decimal | None = None
    refrigerant: bool = False


@dataclass(frozen=True)
class Breakdowns:
    scope3_by_category: dict[int, Decimal]
    iso_by_category: dict[int, Decimal]  # scope 2 location-based
    iso_by_category_market: dict[int, Decimal]
    data_quality_by_kg: dict[str, Decimal]  # % of the kg
    data_quality_by_count: dict[str, int]
    entry_count: int
    # Every source, largest first by the headline method.
    sources: list[ActivityLine]


def breakdowns_of(rows: YearRows) -> Breakdowns:
    """Return the year's categories, data quality and sources."""
    by_scope3: dict[int, list[Decimal]] = defaultdict(list)
    by_iso: dict[int, list[Decimal]] = defaultdict(list)
    by_iso_market: dict[int, list[Decimal]] = defaultdict(list)
    by_quality: dict[str, list[Decimal]] = defaultdict(list)
    count_by_quality: dict[str, int] = defaultdict(int)
    by_source: dict[tuple, tuple[list, list, list, list]] = defaultdict(
        lambda: ([], [], [], [])
    )
    for row in rows.detail:
        kg = row["kg"]
        if row["scope"] == 3 and row["scope3_category"] is not None:
            by_scope3[row["scope3_category"]].append(kg)
        by_iso[row["iso_category"]].append(kg)
        by_iso_market[row["iso_category"]].append(row["market_final"])
        by_quality[row["data_quality"]].append(kg)
        count_by_quality[row["data_quality"]] += row["n"]
        code, name = rows.types[row["activity_type_id"]]
        key = (code, name, row["scope"], row["scope3_category"], row["unit"])
        quantities, kgs, markets, kwhs = by_source[key]
        quantities.append(row["q"])
        kgs.append(kg)
        markets.append(row["market_final"])
        if row["kwh"] is not None:
            kwhs.append(row["kwh"])

    quality_kg = {
        quality: add_exactly(kgs) for quality, kgs in sorted(by_quality.items())
    }
    all_kg = sum(quality_kg.values(), ZERO)
    return Breakdowns(
        scope3_by_category={
            category: tonnes(add_exactly(kgs))
            for category, kgs in sorted(by_scope3.items())
        },
        iso_by_category={
            category: tonnes(add_exactly(kgs))
            for category, kgs in sorted(by_iso.items())
        },
        iso_by_category_market={
            category: tonnes(add_exactly(kgs))
            for category, kgs in sorted(by_iso_market.items())
        },
        data_quality_by_kg={
            quality: (percent_of(kg, all_kg) or ZERO)
            for quality, kg in quality_kg.items()
        },
        data_quality_by_count={
            quality: count_by_quality[quality] for quality in quality_kg
        },
        entry_count=sum(count_by_quality.values()),
        sources=_sources(rows, by_source),
    )


def _sources(rows: YearRows, by_source: dict) -> list[ActivityLine]:
    """Return the sources, largest first; equal ones in the order of codes."""
    code_rank: dict[str, int] = {}
    for code, _name in rows.types.values():
        code_rank.setdefault(code, len(code_rank))
    added = []
    for key, (quantities, kgs, markets, kwhs) in by_source.items():
        location, market = add_exactly(kgs), add_exactly(markets)
        headline = market if rows.headline_market else location
        added.append((headline, key, add_exactly(quantities), location, market, kwhs))
    added.sort(key=lambda source: (-source[0], code_rank[source[1][0]]))
    return [
        ActivityLine(
            code=code,
            name=name,
            scope=scope,
            scope3_category=scope3_category,
            quantity=quantity,
            unit=unit,
            t_co2e=tonnes(headline),
            t_co2e_location=tonnes(location),
            t_co2e_market=tonnes(market),
            energy_kwh=add_exactly(kwhs) if kwhs else None,
        )
        for headline, (
            code,
            name,
            scope,
            scope3_category,
            unit,
        ), quantity, location, market, kwhs in added
    ]


def eco_lighthouse_lines(
    *, organisation: Organisation, sources: list[ActivityLine]
) -> list[ActivityLine]:
    """Return every source of an inventory, refrigerant leakage marked."""
    codes = {line.code for line in sources}
    refrigerants = set(
        ActivityType.objects.filter(
            Q(organisation=organisation) | Q(organisation__isnull=True),
            code__in=codes,
        )
        .exclude(gas="")
        .values_list("code", flat=True)
    )
    return [replace(line, refrigerant=line.code in refrigerants) for line in sources]
