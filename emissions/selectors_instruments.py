"""Reads about contractual instruments: quality criteria and coverage.

Scoped by organisation like every selector; ``unit_ids`` narrows to some
business units (a report of one unit's subtree, a member limited to some
units). The rules themselves are in ``emissions.quality_criteria`` (the four
Scope 2 Quality Criteria) and ``emissions.calculations.scope2_market_based``
(which consumption an instrument covers).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation
from emissions.calculations import InstrumentCover, scope2_market_based
from emissions.claims import with_overlapping_claims
from emissions.models import ActivityEntry, ContractualInstrument, InstrumentKind
from emissions.quality_criteria import (
    CriterionCheck,
    InstrumentFacts,
    OtherClaim,
    Outcome,
    check_instrument,
)

__all__ = [
    "CoverageByKind",
    "CoverageByUnit",
    "InstrumentCoverage",
    "InstrumentQuality",
    "instrument_coverage",
    "instrument_coverage_by_year",
    "instrument_label",
    "instrument_quality",
    "instrument_quality_for_year",
    "instruments_failing_quality_criteria",
    "instruments_with_claims",
]

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def instrument_label(instrument: ContractualInstrument) -> str:
    """Name an instrument in a sentence: its kind and number."""
    return _("%(kind)s no. %(number)s") % {
        "kind": instrument.get_kind_display(),
        "number": instrument.pk,
    }


def certificates_text(instrument: ContractualInstrument) -> str:
    """Return the instrument's certificate id or range as entered ("" if none)."""
    first, last = instrument.certificate_first, instrument.certificate_last
    if not first:
        return ""
    return first if not last or last == first else f"{first} – {last}"


@dataclass(frozen=True)
class InstrumentQuality:
    """An instrument with the outcome of each quality criterion."""

    instrument: ContractualInstrument
    checks: tuple[CriterionCheck, ...]
    # The kWh of grid electricity it covers in its year (None: not computed).
    covered_kwh: Decimal | None = None

    @property
    def label(self) -> str:
        return instrument_label(self.instrument)

    @property
    def failed(self) -> list[CriterionCheck]:
        return [check for check in self.checks if check.outcome == Outcome.NOT_MET]

    @property
    def unknown(self) -> list[CriterionCheck]:
        return [check for check in self.checks if check.outcome == Outcome.UNKNOWN]

    @property
    def all_met(self) -> bool:
        return all(check.outcome == Outcome.MET for check in self.checks)


def instruments_with_claims(
    *,
    organisation: Organisation,
    year: int | None = None,
    unit_ids: Collection[int] | None = None,
) -> QuerySet[ContractualInstrument]:
    """Return the organisation's instruments ready for ``instrument_quality``."""
    instruments = ContractualInstrument.objects.filter(organisation=organisation)
    if year is not None:
        instruments = instruments.filter(reporting_year__year=year)
    if unit_ids is not None:
        instruments = instruments.filter(business_unit_id__in=unit_ids)
    return with_overlapping_claims(
        instruments.select_related("organisation", "business_unit", "reporting_year")
    )


def instrument_quality(
    instruments: Iterable[ContractualInstrument],
    *,
    unit_ids: Collection[int] | None = None,
    today: datetime.date | None = None,
) -> list[InstrumentQuality]:
    """Check each instrument against the quality criteria.

    The instruments come from ``instruments_with_claims`` (or any queryset
    passed through ``emissions.claims.with_overlapping_claims`` with its
    organisation, unit and year); ``unit_ids`` are the units the reader may
    read, for naming another claim of the same certificates.
    """
    instruments = list(instruments)
    today = today or timezone.localdate()
    others = {
        other.pk: other
        for other in ContractualInstrument.objects.filter(
            pk__in={i.own_overlap_id for i in instruments if i.own_overlap_id}
        ).select_related("business_unit", "reporting_year")
    }
    return [
        InstrumentQuality(
            instrument=instrument,
            checks=check_instrument(
                _facts(instrument, others, unit_ids=unit_ids), today=today
            ),
        )
        for instrument in instruments
    ]


def _facts(
    instrument: ContractualInstrument,
    others: dict[int, ContractualInstrument],
    *,
    unit_ids: Collection[int] | None,
) -> InstrumentFacts:
    other_claim = None
    other = others.get(getattr(instrument, "own_overlap_id", None) or 0)
    if other is not None:
        other_claim = OtherClaim(
            same_organisation=True,
            readable=unit_ids is None or other.business_unit_id in unit_ids,
            unit=other.business_unit.code,
            year=other.reporting_year.year,
            instrument=instrument_label(other),
        )
    elif getattr(instrument, "foreign_overlap", False):
        other_claim = OtherClaim(same_organisation=False, readable=False)
    organisation = instrument.organisation
    unit = instrument.business_unit
    return InstrumentFacts(
        year=instrument.reporting_year.year,
        consumption_country=unit.country,
        production_country=instrument.production_country,
        production_start=instrument.production_start,
        production_end=instrument.production_end,
        cancellation_date=instrument.cancellation_date,
        beneficiary=instrument.beneficiary,
        organisation_name=organisation.name,
        organisation_number=organisation.org_number,
        unit_code=unit.code,
        unit_name=unit.name,
        certificates=certificates_text(instrument),
        other_claim=other_claim,
    )


def instrument_quality_for_year(
    *,
    organisation: Organisation,
    year: int,
    unit_ids: Collection[int] | None = None,
    today: datetime.date | None = None,
) -> list[InstrumentQuality]:
    """Return the year's instruments with their criteria and the kWh they cover."""
    coverage = instrument_coverage(
        organisation=organisation, year=year, unit_ids=unit_ids
    )
    checked = instrument_quality(
        instruments_with_claims(
            organisation=organisation, year=year, unit_ids=unit_ids
        ).order_by("business_unit__code", "pk"),
        unit_ids=unit_ids,
        today=today,
    )
    return [
        InstrumentQuality(
            instrument=quality.instrument,
            checks=quality.checks,
            covered_kwh=coverage.covered_kwh_by_instrument.get(
                quality.instrument.pk, ZERO
            ),
        )
        for quality in checked
    ]


def instruments_failing_quality_criteria(
    organisation: Organisation,
    year: int,
    *,
    unit_ids: Collection[int] | None = None,
    today: datetime.date | None = None,
) -> list[InstrumentQuality]:
    """Return the year's instruments that fail at least one quality criterion.

    Each carries its checks (``failed`` names the criteria not met, with the
    reasons) and the kWh of the year's market-based scope 2 it covers: the
    figures that rely on it. An instrument whose criteria are unknown (what
    they need was not entered) is not among them; ``unknown`` tells those.
    """
    return [
        quality
        for quality in instrument_quality_for_year(
            organisation=organisation, year=year, unit_ids=unit_ids, today=today
        )
        if quality.failed
    ]


# --- Coverage of grid electricity by instruments ------------------------------


@dataclass(frozen=True)
class CoverageByUnit:
    code: str
    name: str
    consumed_kwh: Decimal
    # The instruments' kWh, and the part of it that covers consumption.
    offered_kwh: Decimal
    covered_kwh: Decimal

    @property
    def share_pct(self) -> Decimal | None:
        return _pct(self.covered_kwh, self.consumed_kwh)

    @property
    def over_covered_kwh(self) -> Decimal:
        return self.offered_kwh - self.covered_kwh

    @property
    def consumed_mwh(self) -> Decimal:
        return self.consumed_kwh / 1000

    @property
    def offered_mwh(self) -> Decimal:
        return self.offered_kwh / 1000


@dataclass(frozen=True)
class CoverageByKind:
    kind: str
    label: str
    instruments: int
    covered_kwh: Decimal
    # Share of the whole grid consumption of the units in the table.
    share_pct: Decimal | None


@dataclass(frozen=True)
class InstrumentCoverage:
    """Grid electricity consumed and covered by instruments in a year."""

    year: int
    by_unit: list[CoverageByUnit]
    by_kind: list[CoverageByKind]
    covered_kwh_by_instrument: dict[int, Decimal] = field(default_factory=dict)

    @property
    def consumed_kwh(self) -> Decimal:
        return sum((line.consumed_kwh for line in self.by_unit), ZERO)

    @property
    def offered_kwh(self) -> Decimal:
        return sum((line.offered_kwh for line in self.by_unit), ZERO)

    @property
    def covered_kwh(self) -> Decimal:
        return sum((line.covered_kwh for line in self.by_unit), ZERO)

    @property
    def share_pct(self) -> Decimal | None:
        return _pct(self.covered_kwh, self.consumed_kwh)

    @property
    def instrument_count(self) -> int:
        return sum(line.instruments for line in self.by_kind)


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return part * HUNDRED / whole if whole else None


def instrument_coverage(
    *,
    organisation: Organisation,
    year: int,
    unit_ids: Collection[int] | None = None,
) -> InstrumentCoverage:
    """Return how much of the year's grid electricity instruments cover.

    Consumption is the grid electricity that market-based scope 2 prices at
    the residual mix (lines with a residual-mix factor), in kWh as recorded;
    each unit's instruments cover it in the order they were recorded, as in
    the market-based figure, and never more than it. Per unit and per kind
    of instrument; the units' and the kinds' covered kWh add up to the total.
    """
    entries = ActivityEntry.objects.filter(
        organisation=organisation,
        reporting_year__year=year,
        residual_mix_factor__isnull=False,
    )
    instruments = ContractualInstrument.objects.filter(
        organisation=organisation, reporting_year__year=year
    )
    if unit_ids is not None:
        entries = entries.filter(business_unit_id__in=unit_ids)
        instruments = instruments.filter(business_unit_id__in=unit_ids)
    consumed: dict[int, Decimal] = {
        row["business_unit_id"]: row["kwh"] or ZERO
        for row in entries.values("business_unit_id")
        .annotate(kwh=Sum("energy_kwh"))
        .order_by()
    }
    by_unit_instruments: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    for pk, unit_id, kind, mwh in instruments.order_by("pk").values_list(
        "pk", "business_unit_id", "kind", "mwh"
    ):
        by_unit_instruments[unit_id].append((pk, kind, mwh))
    units = {
        unit.pk: unit
        for unit in BusinessUnit.objects.filter(
            organisation=organisation, pk__in=set(consumed) | set(by_unit_instruments)
        ).only("pk", "code", "name")
    }
    covered_by_instrument: dict[int, Decimal] = {}
    by_kind: dict[str, list] = defaultdict(lambda: [0, ZERO])
    lines = []
    for unit_id, unit in units.items():
        listed = by_unit_instruments.get(unit_id, [])
        consumption = consumed.get(unit_id, ZERO)
        applied = scope2_market_based(
            consumption_kwh=consumption,
            instruments=[
                InstrumentCover(mwh=mwh, kg_co2e_per_kwh=ZERO) for *_, mwh in listed
            ],
            residual_mix_kg_per_kwh=ZERO,
        )
        for (pk, kind, _mwh), kwh in zip(
            listed, applied.covered_kwh_by_instrument, strict=True
        ):
            covered_by_instrument[pk] = kwh
            by_kind[kind][0] += 1
            by_kind[kind][1] += kwh
        lines.append(
            CoverageByUnit(
                code=unit.code,
                name=unit.name,
                consumed_kwh=consumption,
                offered_kwh=sum((mwh * 1000 for *_, mwh in listed), ZERO),
                covered_kwh=applied.covered_kwh,
            )
        )
    lines.sort(key=lambda line: line.code)
    total = sum((line.consumed_kwh for line in lines), ZERO)
    labels = dict(InstrumentKind.choices)
    return InstrumentCoverage(
        year=year,
        by_unit=lines,
        by_kind=[
            CoverageByKind(
                kind=kind,
                label=str(labels[kind]),
                instruments=by_kind[kind][0],
                covered_kwh=by_kind[kind][1],
                share_pct=_pct(by_kind[kind][1], total),
            )
            for kind in InstrumentKind.values
            if kind in by_kind
        ],
        covered_kwh_by_instrument=covered_by_instrument,
    )


def instrument_coverage_by_year(
    *, organisation: Organisation, unit_ids: Collection[int] | None = None
) -> list[InstrumentCoverage]:
    """Return the coverage of every year with instruments, the latest first."""
    instruments = ContractualInstrument.objects.filter(organisation=organisation)
    if unit_ids is not None:
        instruments = instruments.filter(business_unit_id__in=unit_ids)
    years = (
        instruments.values_list("reporting_year__year", flat=True)
        .distinct()
        .order_by("-reporting_year__year")
    )
    return [
        instrument_coverage(organisation=organisation, year=year, unit_ids=unit_ids)
        for year in years
    ]
