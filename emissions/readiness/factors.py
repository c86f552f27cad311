"""Factors a year uses that deserve a second look before it is approved."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from emissions.models import ActivityEntry, EmissionFactor
from emissions.selectors_factors import factor_label, unverified_factors_for_year

ZERO = Decimal(0)
KG_PER_T = Decimal(1000)

APPROXIMATE = "approximate"
UNVERIFIED = "unverified"
OLDER_EDITION = "older_edition"
OWN = "own"
# Each kind of warning, in the order they are shown, with its name.
KINDS = {
    UNVERIFIED: _("not checked against its publication"),
    APPROXIMATE: _("approximate"),
    OLDER_EDITION: _("edition older than the year"),
    OWN: _("own factor"),
}


@dataclass(frozen=True)
class FactorWarning:
    """A factor of the year's lines (or residual mixes) and what to check."""

    factor: EmissionFactor
    label: str
    kinds: tuple[str, ...]
    edition_year: int
    entries: int | None  # None: a residual mix of the market-based figures
    t: Decimal | None

    @property
    def kind_items(self) -> list[tuple[str, str]]:
        return [(kind, str(KINDS[kind])) for kind in self.kinds]


def factor_kinds(
    factor: EmissionFactor, *, organisation: Organisation, year: int
) -> tuple[str, ...]:
    """Return what a factor's provenance asks to check, in KINDS order."""
    found = set()
    if factor.is_unverified:
        found.add(UNVERIFIED)
    # The library's word for figures whose source is approximate (as the
    # report's methodology names them, reports.summary.UNCONFIRMED_FACTORS).
    if APPROXIMATE in (factor.source_note or "").lower():
        found.add(APPROXIMATE)
    if factor.factor_set.edition_year < year:
        found.add(OLDER_EDITION)
    if factor.factor_set.organisation_id == organisation.pk:
        found.add(OWN)
    return tuple(kind for kind in KINDS if kind in found)


def year_factor_warnings(
    *, organisation: Organisation, year: int
) -> list[FactorWarning]:
    """Return the year's approximate, unverified, older-edition and own factors."""
    used = {
        row["factor_id"]: row
        for row in ActivityEntry.objects.filter(
            organisation=organisation,
            reporting_year__year=year,
            factor__isnull=False,
        )
        .values("factor_id")
        .annotate(n=Count("pk"), kg=Sum("kg_co2e"))
        .order_by()
    }
    factors = EmissionFactor.objects.select_related("factor_set").in_bulk(used)
    warnings = []
    for pk, factor in factors.items():
        kinds = factor_kinds(factor, organisation=organisation, year=year)
        if kinds:
            warnings.append(
                FactorWarning(
                    factor=factor,
                    label=factor_label(factor),
                    kinds=kinds,
                    edition_year=factor.factor_set.edition_year,
                    entries=used[pk]["n"],
                    t=(used[pk]["kg"] or ZERO) / KG_PER_T,
                )
            )
    # Residual mixes price the market-based figures without being a line's factor.
    for factor in unverified_factors_for_year(organisation=organisation, year=year):
        if factor.pk not in used:
            warnings.append(
                FactorWarning(
                    factor=factor,
                    label=factor_label(factor),
                    kinds=factor_kinds(factor, organisation=organisation, year=year),
                    edition_year=factor.factor_set.edition_year,
                    entries=None,
                    t=None,
                )
            )
    return sorted(warnings, key=lambda w: (-(w.t or ZERO), w.label, w.factor.pk))
