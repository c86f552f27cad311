"""Memoised look-ups of factor sets, factors, overrides and plans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.models import Organisation
from emissions.models import (
    ActivityType,
    EmissionFactor,
    FactorCheck,
    FactorOverride,
    FactorPreference,
    FactorSet,
    FactorSetKind,
    ResidualMixChoice,
    default_residual_mix,
)
from emissions.resolution.base import Plan

# The version of the DESNZ sets shipped as an excerpt of the catalogue's rows;
# a full edition of the same year comes first.
EXCERPT_VERSION = "excerpt"


@dataclass
class SetRef:
    pk: int
    edition_year: int
    kind: str
    private: bool
    excerpt: bool


class ResolutionCache:
    """Memoise look-ups so that many lines cost a handful of queries."""

    def __init__(self) -> None:
        self._preference: dict[int, str] = {}
        self._residual_mix: dict[int, dict[str, str]] = {}
        self._sets: dict[tuple[str, int], list[SetRef]] = {}
        self._set_objects: dict[int, FactorSet] = {}
        self._factors: dict[tuple[int, str], EmissionFactor | None] = {}
        self._overrides: dict[tuple[int, int], list[FactorOverride]] = {}
        self._plans: dict[tuple, Plan | ValidationError] = {}

    def preference(self, organisation: Organisation) -> str:
        if organisation.pk not in self._preference:
            kind = (
                FactorPreference.objects.filter(organisation=organisation)
                .values_list("kind", flat=True)
                .first()
            )
            self._preference[organisation.pk] = kind or FactorSetKind.DESNZ
        return self._preference[organisation.pk]

    def residual_mix(self, organisation: Organisation, country: str) -> str:
        """Return the residual-mix publication the organisation uses for a country."""
        if organisation.pk not in self._residual_mix:
            self._residual_mix[organisation.pk] = dict(
                ResidualMixChoice.objects.filter(organisation=organisation).values_list(
                    "country", "mix"
                )
            )
        country = country.upper()
        return self._residual_mix[organisation.pk].get(
            country, default_residual_mix(country)
        )

    def grid_sets(self, organisation: Organisation) -> list[SetRef]:
        """Return grid-factor files and curated sets, newest first, own first."""
        refs = [
            *self.sets(FactorSetKind.GRID, organisation),
            *self.sets(FactorSetKind.CURATED, organisation),
        ]
        return sorted(
            refs,
            key=lambda r: (
                -r.edition_year,
                not r.private,
                r.kind != FactorSetKind.GRID,
                -r.pk,
            ),
        )

    def sets(self, kind: str, organisation: Organisation) -> list[SetRef]:
        """Return the usable sets of a kind, newest first, own before global."""
        cache_key = (kind, organisation.pk)
        if cache_key not in self._sets:
            rows = FactorSet.objects.filter(
                Q(organisation__isnull=True) | Q(organisation=organisation), kind=kind
            ).values_list("pk", "edition_year", "organisation_id", "version")
            refs = [
                SetRef(pk, year, kind, owner is not None, version == EXCERPT_VERSION)
                for pk, year, owner, version in rows
            ]
            refs.sort(key=lambda r: (-r.edition_year, not r.private, r.excerpt, -r.pk))
            self._sets[cache_key] = refs
        return self._sets[cache_key]

    def factor(self, set_pk: int, key: str) -> EmissionFactor | None:
        cache_key = (set_pk, key)
        if cache_key not in self._factors:
            factor = (
                EmissionFactor.objects.filter(factor_set_id=set_pk, key=key)
                .exclude(verification=FactorCheck.WITHDRAWN)
                .first()
            )
            if factor is not None:
                factor.factor_set = self.set_object(set_pk)
            self._factors[cache_key] = factor
        return self._factors[cache_key]

    def plan(self, key: tuple, build: Callable[[], Plan]) -> Plan | ValidationError:
        """Return the plan of a kind of line, or the error resolving it gave."""
        if key not in self._plans:
            try:
                self._plans[key] = build()
            except ValidationError as exc:
                self._plans[key] = exc
        return self._plans[key]

    def set_object(self, set_pk: int) -> FactorSet:
        if set_pk not in self._set_objects:
            self._set_objects[set_pk] = FactorSet.objects.get(pk=set_pk)
        return self._set_objects[set_pk]

    def overrides(
        self, organisation: Organisation, activity_type: ActivityType
    ) -> list[FactorOverride]:
        cache_key = (organisation.pk, activity_type.pk)
        if cache_key not in self._overrides:
            self._overrides[cache_key] = list(
                FactorOverride.objects.filter(
                    organisation=organisation,
                    activity_type=activity_type,
                    factor__factor_set__organisation=organisation,
                ).select_related("factor", "factor__factor_set")
            )
        return self._overrides[cache_key]
