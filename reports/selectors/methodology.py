"""What the report's methodology names: factor publications and unsure factors."""

from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import BusinessUnit, Organisation
from emissions.models.factors import UNCHECKED
from emissions.selectors_factors import global_set_names
from emissions.totals import entries_for
from reports.selectors.names import in_language

# Factors named in the methodology: marked unverified (or withdrawn) in the
# library, or approximate by their source note.
UNCONFIRMED_FACTORS = Q(factor__verification__in=UNCHECKED) | Q(
    factor__source_note__icontains="approximate"
)


@dataclass(frozen=True)
class UnconfirmedFactor:
    """A factor used in the year whose value its publisher has not confirmed."""

    factor_set: str
    note: str
    activities: list[str]
    entries: int


def unconfirmed_factors_for(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> list[UnconfirmedFactor]:
    """Return the approximate or unverified factors the year's lines use, named."""
    rows = (
        entries_for(organisation=organisation, business_unit=business_unit)
        .filter(reporting_year__year=year)
        .filter(UNCONFIRMED_FACTORS)
        .values(
            "factor_id",
            "factor__source_note",
            "factor_set__kind",
            "factor_set__organisation_id",
            "factor_set__name",
            "factor_set__edition_year",
            "activity_type__name",
            "activity_type__name_nb",
            "activity_type__name_sv",
        )
        .annotate(n=Count("pk"))
        .order_by("factor_set__edition_year", "factor__source_note", "factor_id")
    )
    grouped: dict[int, dict] = {}
    for row in rows:
        names = None
        if row["factor_set__organisation_id"] is None:
            names = global_set_names(
                row["factor_set__kind"], row["factor_set__edition_year"]
            )
        item = grouped.setdefault(
            row["factor_id"],
            {
                "factor_set": names[1] if names else row["factor_set__name"],
                "note": row["factor__source_note"] or "",
                "activities": [],
                "entries": 0,
            },
        )
        activity = in_language(
            row["activity_type__name"],
            row["activity_type__name_nb"],
            row["activity_type__name_sv"],
        )
        if activity not in item["activities"]:
            item["activities"].append(activity)
        item["entries"] += row["n"]
    return [UnconfirmedFactor(**item) for item in grouped.values()]


@dataclass(frozen=True)
class FactorPublication:
    """A factor set the year's lines use, named in the reader's language."""

    publisher: str
    name: str
    edition_year: int
    version: str
    source_url: str
    entries: int


def factor_publications_for(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> list[FactorPublication]:
    """Return the factor sets (publication and edition) the year's lines use."""
    rows = (
        entries_for(organisation=organisation, business_unit=business_unit)
        .filter(reporting_year__year=year, factor_set__isnull=False)
        .values(
            "factor_set__kind",
            "factor_set__organisation_id",
            "factor_set__publisher",
            "factor_set__name",
            "factor_set__edition_year",
            "factor_set__version",
            "factor_set__source_url",
        )
        .annotate(n=Count("pk"))
        .order_by("factor_set__publisher", "factor_set__edition_year")
    )
    publications = []
    for row in rows:
        names = None
        if row["factor_set__organisation_id"] is None:
            names = global_set_names(
                row["factor_set__kind"], row["factor_set__edition_year"]
            )
        publisher, name = names or (
            row["factor_set__publisher"],
            row["factor_set__name"],
        )
        publications.append(
            FactorPublication(
                publisher=publisher,
                name=name,
                edition_year=row["factor_set__edition_year"],
                version=row["factor_set__version"] or "",
                source_url=row["factor_set__source_url"] or "",
                entries=row["n"],
            )
        )
    return publications
