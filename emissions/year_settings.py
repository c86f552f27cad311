"""The settings that change a year's figures, fixed while the year is closed.

Consolidation approach, equity shares, GWP set, scope 2 headline, base year,
WTT and T&D inclusion, the years units joined and left and the factor
publisher all change what a year's figures are. They are copied onto the
reporting year when it is submitted (`fixed_settings_for`), and a submitted or
approved year's figures are computed with that copy, so changing a setting
later applies from the open years on and never moves a closed year. Returning
or unlocking the year (with a reason) empties the copy: the year follows the
organisation's settings again.

The entries themselves keep their calculation snapshot (factor, GWP set);
recalculations only ever touch open years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    BusinessUnit,
    ConsolidationApproach,
    GwpSet,
    Organisation,
    Scope2Headline,
)
from emissions.models import FactorPreference, FactorSetKind, ReportingYear

# Organisation fields that change figures, with the label the report uses.
ORGANISATION_FIELDS = {
    "consolidation_approach": _("consolidation approach"),
    "gwp_set": _("GWP set"),
    "scope2_headline": _("scope 2 in the headline total"),
    "base_year": _("base year"),
    "include_wtt": _("well-to-tank included"),
    "include_td_losses": _("transmission and distribution losses included"),
}


@dataclass(frozen=True)
class UnitSettings:
    """What of a business unit changes figures."""

    equity_share: Decimal
    year_joined: int | None
    year_left: int | None
    parent_id: int | None

    def active_in(self, year: int) -> bool:
        if self.year_joined and year < self.year_joined:
            return False
        return not (self.year_left and year > self.year_left)


@dataclass(frozen=True)
class YearSettings:
    """The settings a year's figures are computed with."""

    consolidation_approach: str
    gwp_set: str
    scope2_headline: str
    base_year: int
    include_wtt: bool
    include_td_losses: bool
    factor_publisher: str
    # Units by primary key; empty for the organisation's live settings, whose
    # units are read from the business units themselves.
    units: dict[int, UnitSettings] = field(default_factory=dict)
    # When the settings were fixed (ISO 8601); empty when they are live.
    fixed_at: str = ""

    @property
    def is_fixed(self) -> bool:
        return bool(self.fixed_at)

    @property
    def equity(self) -> bool:
        return self.consolidation_approach == ConsolidationApproach.EQUITY

    @property
    def headline_market(self) -> bool:
        return self.scope2_headline == Scope2Headline.MARKET

    def get_consolidation_approach_display(self) -> str:
        return str(ConsolidationApproach(self.consolidation_approach).label)

    def get_gwp_set_display(self) -> str:
        return str(GwpSet(self.gwp_set).label)

    def get_scope2_headline_display(self) -> str:
        return str(Scope2Headline(self.scope2_headline).label)

    def get_factor_publisher_display(self) -> str:
        return str(FactorSetKind(self.factor_publisher).label)

    def fixed_at_datetime(self):
        from django.utils.dateparse import parse_datetime

        return parse_datetime(self.fixed_at) if self.fixed_at else None


def _factor_publisher(organisation: Organisation) -> str:
    kind = (
        FactorPreference.objects.filter(organisation=organisation)
        .values_list("kind", flat=True)
        .first()
    )
    return kind or FactorSetKind.DESNZ


def live_settings(organisation: Organisation) -> YearSettings:
    """Return the organisation's settings as they are now (units read live)."""
    return YearSettings(
        consolidation_approach=organisation.consolidation_approach,
        gwp_set=organisation.gwp_set,
        scope2_headline=organisation.scope2_headline,
        base_year=organisation.base_year,
        include_wtt=organisation.include_wtt,
        include_td_losses=organisation.include_td_losses,
        factor_publisher=_factor_publisher(organisation),
    )


def fixed_settings_for(organisation: Organisation) -> dict:
    """Return the organisation's figure-changing settings as a JSON object."""
    live = live_settings(organisation)
    units = {
        str(pk): {
            "equity_share": str(share),
            "year_joined": joined,
            "year_left": left,
            "parent": parent,
        }
        for pk, share, joined, left, parent in BusinessUnit.objects.filter(
            organisation=organisation
        )
        .order_by("pk")
        .values_list("pk", "equity_share", "year_joined", "year_left", "parent_id")
    }
    return {
        **{name: getattr(live, name) for name in ORGANISATION_FIELDS},
        "factor_publisher": live.factor_publisher,
        "units": units,
        "fixed_at": timezone.now().isoformat(),
    }


def settings_from_json(data: dict) -> YearSettings:
    """Read what `fixed_settings_for` wrote."""
    return YearSettings(
        consolidation_approach=data["consolidation_approach"],
        gwp_set=data["gwp_set"],
        scope2_headline=data["scope2_headline"],
        base_year=int(data["base_year"]),
        include_wtt=bool(data["include_wtt"]),
        include_td_losses=bool(data["include_td_losses"]),
        factor_publisher=data.get("factor_publisher") or FactorSetKind.DESNZ,
        units={
            int(pk): UnitSettings(
                equity_share=Decimal(unit["equity_share"]),
                year_joined=unit.get("year_joined"),
                year_left=unit.get("year_left"),
                parent_id=unit.get("parent"),
            )
            for pk, unit in data.get("units", {}).items()
        },
        fixed_at=data.get("fixed_at") or "fixed",
    )


@dataclass(frozen=True)
class SettingsByYear:
    """The settings of each of an organisation's years."""

    live: YearSettings
    # Closed years' fixed settings, by reporting year primary key and by year.
    fixed_by_pk: dict[int, YearSettings]
    fixed_by_year: dict[int, YearSettings]

    def for_year(self, year: int) -> YearSettings:
        return self.fixed_by_year.get(year, self.live)


def settings_by_year(*, organisation: Organisation) -> SettingsByYear:
    """Return the live settings and every closed year's fixed settings."""
    by_pk: dict[int, YearSettings] = {}
    by_year: dict[int, YearSettings] = {}
    for pk, year, data in (
        ReportingYear.objects.filter(organisation=organisation)
        .exclude(fixed_settings={})
        .values_list("pk", "year", "fixed_settings")
    ):
        if not data:
            continue
        settings = settings_from_json(data)
        by_pk[pk] = by_year[year] = settings
    return SettingsByYear(
        live=live_settings(organisation), fixed_by_pk=by_pk, fixed_by_year=by_year
    )


def closed_years(*, organisation: Organisation) -> list[int]:
    """Return the years whose figures keep their fixed settings, in order."""
    return list(
        ReportingYear.objects.filter(organisation=organisation)
        .exclude(fixed_settings={})
        .order_by("year")
        .values_list("year", flat=True)
    )


def settings_changed_since(
    settings: YearSettings, *, organisation: Organisation
) -> list[str]:
    """Name the settings that differ now from a year's fixed ones (translated)."""
    if not settings.is_fixed:
        return []
    live = live_settings(organisation)
    changed = [
        str(label)
        for name, label in ORGANISATION_FIELDS.items()
        if getattr(settings, name) != getattr(live, name)
    ]
    if settings.factor_publisher != live.factor_publisher:
        changed.append(str(_("factor publisher")))
    current = {
        pk: UnitSettings(share, joined, left, parent)
        for pk, share, joined, left, parent in BusinessUnit.objects.filter(
            organisation=organisation, pk__in=list(settings.units)
        ).values_list("pk", "equity_share", "year_joined", "year_left", "parent_id")
    }
    pairs = [
        (unit, current[pk]) for pk, unit in settings.units.items() if pk in current
    ]
    if any(now.equity_share != unit.equity_share for unit, now in pairs):
        changed.append(str(_("equity shares")))
    if any(
        (now.year_joined, now.year_left) != (unit.year_joined, unit.year_left)
        for unit, now in pairs
    ):
        changed.append(str(_("years units joined or left")))
    if any(now.parent_id != unit.parent_id for unit, now in pairs):
        changed.append(str(_("unit structure")))
    return changed
