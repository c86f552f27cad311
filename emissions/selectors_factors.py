"""Reads of the factor library, always as one organisation sees it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from accounts.models import Organisation
from carbonledger.lib.formatting import country_name
from emissions.factor_files.grid import GRID_KIND_NAMES
from emissions.models import (
    UNCHECKED,
    ActivityEntry,
    EmissionFactor,
    FactorSet,
    MethodologyChange,
    ReportingYear,
    ResidualMix,
    ResidualMixChoice,
    YearStatus,
    default_residual_mix,
)

HUNDRED = Decimal(100)


def factor_sets_visible(*, organisation: Organisation) -> QuerySet[FactorSet]:
    """Return the global sets and the organisation's own, with their row counts."""
    return (
        FactorSet.objects.filter(
            Q(organisation__isnull=True) | Q(organisation=organisation)
        )
        .annotate(factor_count=Count("factors"))
        .order_by("kind", "-edition_year", "organisation_id", "name")
    )


def factor_set_get(*, organisation: Organisation, pk: int) -> FactorSet:
    """Return a visible set or raise FactorSet.DoesNotExist."""
    return FactorSet.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    ).get(pk=pk)


def factors_search(
    *, organisation: Organisation, factor_set: FactorSet, q: str = ""
) -> QuerySet[EmissionFactor]:
    """Return a set's factors whose path, column text, unit or key match q."""
    factors = EmissionFactor.objects.filter(
        Q(factor_set__organisation__isnull=True)
        | Q(factor_set__organisation=organisation),
        factor_set=factor_set,
    )
    for word in q.split():
        factors = factors.filter(
            Q(level1__icontains=word)
            | Q(level2__icontains=word)
            | Q(level3__icontains=word)
            | Q(level4__icontains=word)
            | Q(column_text__icontains=word)
            | Q(unit__icontains=word)
            | Q(unit_label__icontains=word)
            | Q(key__icontains=word)
        )
    return factors.order_by("level1", "level2", "level3", "level4", "column_text", "pk")


def factor_get(*, organisation: Organisation, pk: int) -> EmissionFactor:
    """Return a factor of a visible set or raise EmissionFactor.DoesNotExist."""
    return (
        EmissionFactor.objects.select_related("factor_set")
        .filter(
            Q(factor_set__organisation__isnull=True)
            | Q(factor_set__organisation=organisation)
        )
        .get(pk=pk)
    )


def factor_entries(
    *, organisation: Organisation, factor: EmissionFactor
) -> QuerySet[ActivityEntry]:
    """Return this organisation's entries calculated with a factor."""
    return (
        ActivityEntry.objects.filter(organisation=organisation, factor=factor)
        .select_related("business_unit", "reporting_year", "activity_type")
        .order_by("-reporting_year__year", "business_unit__code", "pk")
    )


def comparable_sets(
    *, organisation: Organisation, factor_set: FactorSet
) -> QuerySet[FactorSet]:
    """Return the other visible sets of the same publisher kind."""
    return (
        factor_sets_visible(organisation=organisation)
        .filter(kind=factor_set.kind)
        .exclude(pk=factor_set.pk)
    )


@dataclass(frozen=True)
class ComparisonRow:
    key: str
    label: str
    unit: str
    old_value: Decimal | None
    new_value: Decimal | None
    old_pk: int | None
    new_pk: int | None

    @property
    def status(self) -> str:
        if self.old_pk is None:
            return "added"
        if self.new_pk is None:
            return "removed"
        if self.old_value == self.new_value:
            return "unchanged"
        return "changed"

    @property
    def change(self) -> Decimal | None:
        if self.old_value is None or self.new_value is None:
            return None
        return self.new_value - self.old_value

    @property
    def change_pct(self) -> Decimal | None:
        change = self.change
        if change is None or not self.old_value:
            return None
        return change / self.old_value * HUNDRED


def _label(row: dict) -> str:
    parts = [row[f"level{n}"] for n in (1, 2, 3, 4)] + [row["column_text"]]
    return " › ".join(p for p in parts if p)


_COMPARE_FIELDS = (
    "pk",
    "key",
    "co2e",
    "unit_label",
    "level1",
    "level2",
    "level3",
    "level4",
    "column_text",
)


def factor_set_comparison(
    *,
    organisation: Organisation,
    old_set: FactorSet,
    new_set: FactorSet,
    q: str = "",
    status: str = "",
) -> list[ComparisonRow]:
    """Compare two sets per factor key, one query per set; filter by text or status."""
    visible = Q(factor_set__organisation__isnull=True) | Q(
        factor_set__organisation=organisation
    )
    old_rows = {
        r["key"]: r
        for r in EmissionFactor.objects.filter(visible, factor_set=old_set).values(
            *_COMPARE_FIELDS
        )
    }
    new_rows = {
        r["key"]: r
        for r in EmissionFactor.objects.filter(visible, factor_set=new_set).values(
            *_COMPARE_FIELDS
        )
    }
    words = [w.lower() for w in q.split()]
    rows: list[ComparisonRow] = []
    for key in sorted(old_rows.keys() | new_rows.keys()):
        old, new = old_rows.get(key), new_rows.get(key)
        either = new or old
        label = _label(either)
        if words and not all(w in f"{label} {key}".lower() for w in words):
            continue
        row = ComparisonRow(
            key=key,
            label=label,
            unit=either["unit_label"] or key.rpartition("|")[2],
            old_value=old["co2e"] if old else None,
            new_value=new["co2e"] if new else None,
            old_pk=old["pk"] if old else None,
            new_pk=new["pk"] if new else None,
        )
        if status and row.status != status:
            continue
        rows.append(row)
    return rows


def methodology_changes(*, organisation: Organisation) -> QuerySet[MethodologyChange]:
    return MethodologyChange.objects.filter(organisation=organisation).select_related(
        "actor"
    )


def open_years(*, organisation: Organisation) -> QuerySet[ReportingYear]:
    return ReportingYear.objects.filter(
        organisation=organisation, status=YearStatus.OPEN
    ).order_by("-year")


def unverified_factors_for_year(
    *, organisation: Organisation, year: int
) -> list[EmissionFactor]:
    """Return the unverified or withdrawn factors a year's figures rely on.

    The factors of its entries, and the residual mixes its grid lines are
    calculated with (resolved as the organisation reports them today).
    """
    from emissions.resolution import ResolutionCache, residual_mix_factor

    entries = ActivityEntry.objects.filter(
        organisation=organisation, reporting_year__year=year
    )
    found = {
        factor.pk: factor
        for factor in EmissionFactor.objects.filter(
            pk__in=entries.values("factor_id"), verification__in=UNCHECKED
        ).select_related("factor_set")
    }
    countries = (
        entries.filter(residual_mix_factor__isnull=False)
        .values_list("business_unit__country", flat=True)
        .distinct()
        .order_by()
    )
    cache = ResolutionCache()
    for country in sorted(set(countries)):
        factor = residual_mix_factor(
            organisation=organisation, country=country, year=year, cache=cache
        )
        if factor is not None and factor.is_unverified:
            found[factor.pk] = factor
    return sorted(
        found.values(),
        key=lambda f: (f.level1, f.level2, f.factor_set.edition_year, f.pk),
    )


def unverified_residual_mix(
    *, organisation: Organisation, country: str, year: int
) -> EmissionFactor | None:
    """Return the residual mix a country's grid lines use, if it is unverified."""
    from emissions.resolution import residual_mix_factor

    factor = residual_mix_factor(organisation=organisation, country=country, year=year)
    return factor if factor is not None and factor.is_unverified else None


def factor_label(factor: EmissionFactor) -> str:
    """Name a factor in a sentence: what, where, which year and publication."""
    what = " ".join(p for p in (factor.level1, factor.level2) if p) or factor.key
    publication = factor.publication or factor.factor_set.name
    return f"{what} {factor.factor_set.edition_year} ({publication})"


# Factor sources whose key is curated per country rather than a catalogue key.
_GRID_SOURCES = {
    "grid_location": "grid_location",
    "residual_mix": "grid_location",
    "district_heating": "district_heating",
}


@dataclass(frozen=True)
class FactorDescription:
    """How a factor page names a factor: never by its machine key."""

    title: str
    category: str  # the publisher's own category path
    activities: list[str]  # the activity types it is used for


def factor_description(
    *, organisation: Organisation, factor: EmissionFactor, language: str
) -> FactorDescription:
    """Name a factor for its page: the activities it serves, or its category.

    A grid, residual-mix or district-heating factor is named by its kind and
    country; a catalogue factor by the activity types that use it (the
    organisation's own types and overrides included), else by the publisher's
    category path.
    """
    from emissions.factor_files.grid import GRID_KIND_NAMES
    from emissions.models import ActivityType, FactorOverride

    types = ActivityType.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation), is_active=True
    ).order_by("scope", "sort_order", "code")
    prefix = factor.key.split("|", 1)[0]
    category = _label(
        {f"level{n}": getattr(factor, f"level{n}") for n in (1, 2, 3, 4)}
        | {"column_text": factor.column_text}
    )
    # The organisation's own choices and lines that use it count too.
    chosen = set(
        FactorOverride.objects.filter(
            organisation=organisation, factor=factor
        ).values_list("activity_type_id", flat=True)
    ) | set(
        ActivityEntry.objects.filter(organisation=organisation, factor=factor)
        .values_list("activity_type_id", flat=True)
        .distinct()
        .order_by()
    )
    if factor.factor_set.kind in ("curated", "grid") and prefix in _GRID_SOURCES:
        used = [
            t
            for t in types
            if t.factor_source == _GRID_SOURCES[prefix] or t.pk in chosen
        ]
        kind = str(GRID_KIND_NAMES.get(factor.level1, factor.level1))
        title = f"{kind} – {country_name(factor.level2, language)}"
        category = f"{kind} › {factor.level2}"
    else:
        used = [
            t
            for t in types
            if factor.key in (t.factor_keys or {}).values() or t.pk in chosen
        ]
        title = ""
    activities = [t.localised_name(language) for t in used]
    if not title:
        title = ", ".join(activities) if activities else category
    return FactorDescription(title=title, category=category, activities=activities)


def global_set_names(kind: str, year: int) -> tuple[str, str] | None:
    """Return publisher and set name of a global set, translated."""
    names = {
        "desnz": (
            gettext("UK Department for Energy Security and Net Zero (DESNZ)"),
            gettext("UK DESNZ greenhouse gas conversion factors %(year)s"),
        ),
        "epa": (
            gettext("US Environmental Protection Agency (EPA)"),
            gettext("US EPA GHG Emission Factors Hub %(year)s"),
        ),
        "curated": (
            gettext("CarbonLedger curated (each factor names its source)"),
            gettext("Grid and district-heating factors %(year)s"),
        ),
    }
    if kind not in names:
        return None
    publisher, name = names[kind]
    return publisher, name % {"year": year}


def residual_mixes(*, organisation: Organisation) -> list[tuple[str, str, bool]]:
    """Return (country, residual mix used, chosen or default) per country.

    The countries of the organisation's business units and of its choices.
    """
    chosen = dict(
        ResidualMixChoice.objects.filter(organisation=organisation).values_list(
            "country", "mix"
        )
    )
    countries = set(chosen) | {
        c.upper() for c in organisation.business_units.values_list("country", flat=True)
    }
    return [
        (
            country,
            str(ResidualMix(chosen.get(country, default_residual_mix(country))).label),
            country in chosen,
        )
        for country in sorted(countries)
    ]


@dataclass(frozen=True)
class GridFactorUsed:
    """A grid, residual-mix or district-heating factor a year's figures use."""

    factor: EmissionFactor
    country: str
    what: str
    kg_per_kwh: Decimal
    publication: str
    edition: str
    table_or_page: str
    gases: str
    check: str
    unverified: bool
    residual_mix: str  # the publication chosen for the country, for residual mixes


GRID_METHODS = ("grid_location", "server_energy", "district_heating")


def _grid_entries(
    *, organisation: Organisation, year: int, unit_ids: Collection[int] | None
):
    entries = ActivityEntry.objects.filter(
        organisation=organisation,
        reporting_year__year=year,
        calculation_method__in=GRID_METHODS,
    )
    if unit_ids is not None:
        entries = entries.filter(business_unit_id__in=unit_ids)
    return entries


def residual_mix_gaps(
    *, organisation: Organisation, year: int, unit_ids: Collection[int] | None = None
) -> list[str]:
    """Return the countries whose grid lines of the year have no residual mix.

    Their market-based scope 2 uses the grid factor (the GHG Protocol's last
    resort) until the organisation loads the publisher's figure.
    """
    from emissions.resolution import ResolutionCache, residual_mix_factor

    entries = _grid_entries(organisation=organisation, year=year, unit_ids=unit_ids)
    countries = {
        c.upper()
        for c in entries.filter(calculation_method="grid_location")
        .values_list("business_unit__country", flat=True)
        .distinct()
        .order_by()
    }
    cache = ResolutionCache()
    return sorted(
        country
        for country in countries
        if residual_mix_factor(
            organisation=organisation, country=country, year=year, cache=cache
        )
        is None
    )


def grid_factors_used(
    *, organisation: Organisation, year: int, unit_ids: Collection[int] | None = None
) -> list[GridFactorUsed]:
    """Return the grid-type factors of a year, with their provenance.

    The location-based and district-heating factors of the year's entries,
    and the residual mix of each country with grid lines, in the publication
    the organisation reports with; what the report's methodology names.
    """
    from emissions.resolution import ResolutionCache, residual_mix_factor

    entries = _grid_entries(organisation=organisation, year=year, unit_ids=unit_ids)
    used: list[tuple[EmissionFactor, str]] = [
        (factor, "")
        for factor in EmissionFactor.objects.filter(
            pk__in=entries.values("factor_id")
        ).select_related("factor_set")
    ]
    countries = sorted(
        {
            c.upper()
            for c in entries.filter(residual_mix_factor__isnull=False)
            .values_list("business_unit__country", flat=True)
            .distinct()
            .order_by()
        }
    )
    chosen = {
        c: label for c, label, _chosen in residual_mixes(organisation=organisation)
    }
    cache = ResolutionCache()
    for country in countries:
        factor = residual_mix_factor(
            organisation=organisation, country=country, year=year, cache=cache
        )
        if factor is not None:
            used.append((factor, chosen.get(country, "")))
    return sorted(
        (
            GridFactorUsed(
                factor=factor,
                country=factor.level2,
                what=str(GRID_KIND_NAMES.get(factor.level1, factor.level1)),
                kg_per_kwh=factor.co2e or Decimal(0),
                publication=factor.publication or factor.source_note,
                edition=factor.edition,
                table_or_page=factor.table_or_page,
                gases=str(factor.get_gases_covered_display()),
                check=str(factor.get_verification_display()),
                unverified=factor.is_unverified,
                residual_mix=mix,
            )
            for factor, mix in used
        ),
        key=lambda row: (row.country, row.what, row.factor.pk),
    )
