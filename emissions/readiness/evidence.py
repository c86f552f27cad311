"""Evidence coverage: a year's lines and tonnes without a document, by unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from accounts.models import Organisation
from emissions.models import ActivityEntry

ZERO = Decimal(0)
KG_PER_T = Decimal(1000)


def without_evidence(entries: QuerySet[ActivityEntry]) -> QuerySet[ActivityEntry]:
    """Return the entries that have no document attached (removed ones do not count)."""
    documents = ActivityEntry.evidence.through.objects.filter(
        activityentry_id=OuterRef("pk"), evidencedocument__removed_at__isnull=True
    )
    return entries.filter(~Exists(documents))


@dataclass(frozen=True)
class UnitEvidence:
    """One unit's lines of the year (t CO2e as entered, scope 2 location-based)."""

    unit_code: str
    unit_name: str
    entries: int
    entries_without: int
    t: Decimal
    t_without: Decimal

    @property
    def share_without_pct(self) -> Decimal | None:
        return self.t_without / self.t * 100 if self.t else None


@dataclass
class EvidenceCoverage:
    units: list[UnitEvidence] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return sum(unit.entries for unit in self.units)

    @property
    def entries_without(self) -> int:
        return sum(unit.entries_without for unit in self.units)

    @property
    def t(self) -> Decimal:
        return sum((unit.t for unit in self.units), ZERO)

    @property
    def t_without(self) -> Decimal:
        return sum((unit.t_without for unit in self.units), ZERO)

    @property
    def share_without_pct(self) -> Decimal | None:
        return self.t_without / self.t * 100 if self.t else None

    @property
    def lacking(self) -> list[UnitEvidence]:
        return [unit for unit in self.units if unit.entries_without]


def year_evidence_coverage(
    *, organisation: Organisation, year: int
) -> EvidenceCoverage:
    """Return per unit the year's lines, and those without evidence, in two queries."""
    entries = ActivityEntry.objects.filter(
        organisation=organisation, reporting_year__year=year
    )
    fields = ("business_unit__code", "business_unit__name")

    def grouped(queryset: QuerySet) -> dict[str, dict]:
        return {
            row["business_unit__code"]: row
            for row in queryset.values(*fields)
            .annotate(n=Count("pk"), kg=Sum("kg_co2e"))
            .order_by()
        }

    every = grouped(entries)
    lacking = grouped(without_evidence(entries))
    units = [
        UnitEvidence(
            unit_code=code,
            unit_name=row["business_unit__name"],
            entries=row["n"],
            entries_without=lacking.get(code, {}).get("n", 0),
            t=(row["kg"] or ZERO) / KG_PER_T,
            t_without=(lacking.get(code, {}).get("kg") or ZERO) / KG_PER_T,
        )
        for code, row in sorted(every.items())
    ]
    return EvidenceCoverage(units=units)
