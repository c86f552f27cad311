"""Reads for disclosures: a year's energy and its datapoints, by organisation.

The emissions come from the inventory as the dashboard and the API read it
(`reports.selectors.inventory_for_year`), so a disclosure never restates a
figure differently. Energy is read here: the year's scope 1 and 2 lines grouped
in the database by business unit, activity type and unit of measure, then
converted with the catalogue's calorific values (`disclosures.energy`).
Under the equity-share approach a unit's lines count at its share, as in the
inventory (a closed year at the share fixed with it).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Context, Decimal
from functools import reduce

from django.db.models import Count, Q, Sum
from django.utils.translation import get_language

from accounts.models import BusinessUnit, Organisation
from disclosures import energy as E
from emissions.models import ActivityType, ContractualInstrument, YearStatus
from emissions.totals import entries_for
from emissions.year_settings import settings_by_year

ZERO = Decimal(0)
KG_PER_T = Decimal(1000)
KWH_PER_MWH = Decimal(1000)
# Figures are added without rounding: a total is exactly the sum of its lines.
_EXACT = Context(prec=100)


def _add(values) -> Decimal:
    return reduce(_EXACT.add, values, ZERO)


@dataclass(frozen=True)
class EnergySource:
    """The energy of one activity type in one unit of measure, in MWh."""

    code: str
    name: str
    kind: str
    unit: str
    quantity: Decimal
    mwh: Decimal
    renewable_mwh: Decimal
    basis: str
    kwh_per_unit: Decimal | None
    edition: int | None
    renewable_share: Decimal
    biogenic_t_co2: Decimal
    source: str

    @property
    def non_renewable_mwh(self) -> Decimal:
        return self.mwh - self.renewable_mwh


@dataclass(frozen=True)
class NotConverted:
    """Scope 1 or 2 lines whose energy is not counted, and why."""

    code: str
    name: str
    unit: str
    quantity: Decimal
    t_co2e: Decimal
    reason: str


@dataclass(frozen=True)
class InstrumentUse:
    """How much of a contractual instrument counts towards consumption."""

    unit_code: str
    kind: str
    energy_source: str
    mwh: Decimal
    counted_mwh: Decimal
    renewable: bool


@dataclass(frozen=True)
class KindTotals:
    mwh: Decimal
    renewable_mwh: Decimal

    @property
    def non_renewable_mwh(self) -> Decimal:
        return _EXACT.subtract(self.mwh, self.renewable_mwh)


@dataclass
class EnergyBreakdown:
    """A year's energy consumption: electricity, fuels, heat; renewable or not."""

    year: int
    sources: list[EnergySource] = field(default_factory=list)
    not_converted: list[NotConverted] = field(default_factory=list)
    instruments: list[InstrumentUse] = field(default_factory=list)
    by_kind: dict[str, KindTotals] = field(default_factory=dict)
    biogenic_t_co2: Decimal = ZERO

    def kind(self, kind: str) -> KindTotals:
        return self.by_kind.get(kind, KindTotals(ZERO, ZERO))

    @property
    def electricity(self) -> KindTotals:
        return self.kind(E.ELECTRICITY)

    @property
    def fuels(self) -> KindTotals:
        return self.kind(E.FUEL)

    @property
    def heat(self) -> KindTotals:
        return self.kind(E.HEAT)

    @property
    def total_mwh(self) -> Decimal:
        return _add(t.mwh for t in self.by_kind.values())

    @property
    def renewable_mwh(self) -> Decimal:
        return _add(t.renewable_mwh for t in self.by_kind.values())

    @property
    def non_renewable_mwh(self) -> Decimal:
        return _EXACT.subtract(self.total_mwh, self.renewable_mwh)

    @property
    def has_lines(self) -> bool:
        return bool(self.sources)


def _localised(activity: ActivityType) -> str:
    return activity.localised_name((get_language() or "en")[:2])


def unit_weights(*, organisation: Organisation, year: int) -> dict[int, Decimal]:
    """Return the share (0-1) each unit's lines of a year count at.

    Every unit counts whole except under the equity-share approach, where a
    closed year uses the shares fixed with it.
    """
    settings = settings_by_year(organisation=organisation).for_year(year)
    units = dict(
        BusinessUnit.objects.filter(organisation=organisation).values_list(
            "pk", "equity_share"
        )
    )
    if not settings.equity:
        return {pk: Decimal(1) for pk in units}
    return {
        pk: (settings.units[pk].equity_share if pk in settings.units else share) / 100
        for pk, share in units.items()
    }


def _split(total: Decimal, parts: list[Decimal]) -> list[Decimal]:
    """Share a total by weights; the last part takes the rest, so they add up."""
    whole = _add(parts)
    if not parts:
        return []
    if not whole:
        return [ZERO] * (len(parts) - 1) + [total]
    shares = [total * part / whole for part in parts[:-1]]
    return [*shares, _EXACT.subtract(total, _add(shares))]


def energy_for_year(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> EnergyBreakdown:
    """Return the energy consumption of a year in MWh (of a unit and its subtree).

    Electricity covered by a contractual instrument whose source is renewable
    (a guarantee of origin, a renewable energy certificate or green tariff,
    or a renewable PPA: `energy.instrument_is_renewable`) counts renewable,
    up to the unit's grid consumption and in the order the instruments were
    recorded, as the market-based method applies them. The rest of the
    electricity, and heat, steam and cooling, count non-renewable: no
    supplier's or grid mix is recorded. Fuels count renewable by the biofuel
    share of their blend.
    """
    weights = unit_weights(organisation=organisation, year=year)
    lines = entries_for(organisation=organisation, business_unit=business_unit)
    rows = list(
        lines.filter(reporting_year__year=year, scope__in=(1, 2))
        .values("business_unit_id", "activity_type_id", "unit")
        .annotate(
            q=Sum("quantity"),
            kwh=Sum("energy_kwh"),
            grid_kwh=Sum("energy_kwh", filter=Q(residual_mix_factor__isnull=False)),
            kg=Sum("kg_co2e"),
            n=Count("pk"),
        )
        .order_by("activity_type_id", "unit", "business_unit_id")
    )
    types = {
        t.pk: t
        for t in ActivityType.objects.filter(
            pk__in={r["activity_type_id"] for r in rows}
        )
    }
    codes = dict(
        BusinessUnit.objects.filter(organisation=organisation).values_list("pk", "code")
    )
    table = E.energy_table()
    result = EnergyBreakdown(year=year)

    # Per unit: its grid electricity lines (instruments cover them).
    grid_lines: dict[int, list[tuple[tuple, Decimal]]] = defaultdict(list)
    per_source: dict[tuple, dict] = {}
    skipped: dict[tuple, list] = {}
    for row in rows:
        activity = types[row["activity_type_id"]]
        weight = weights.get(row["business_unit_id"], Decimal(1))
        quantity = Decimal(row["q"])
        global_type = activity.organisation_id is None
        prop = None
        reason = ""
        if activity.gas or activity.code.startswith("refrigerant_"):
            continue  # refrigerant leakage is not energy
        try:
            prop = (
                E.property_for(activity.code, row["unit"], year, table)
                if global_type
                else None
            )
            if prop is None:
                reason = "not_in_table"
            else:
                line = E.line_energy(
                    prop,
                    quantity=quantity,
                    unit=row["unit"],
                    metered_kwh=(
                        Decimal(row["kwh"]) if row["kwh"] is not None else None
                    ),
                )
        except E.EnergyConversionError:
            reason = prop.basis if prop is not None else "no_calorific_value"
            if reason != E.DISTANCE:
                reason = "no_calorific_value"
            prop = None
        if prop is None:
            key = (activity.code, row["unit"])
            entry = skipped.setdefault(
                key, [activity, row["unit"], ZERO, ZERO, reason or "not_in_table"]
            )
            entry[2] = _EXACT.add(entry[2], quantity * weight)
            entry[3] = _EXACT.add(entry[3], Decimal(row["kg"]) * weight / KG_PER_T)
            continue
        key = (activity.code, row["unit"], prop.edition)
        entry = per_source.setdefault(
            key,
            {
                "activity": activity,
                "prop": prop,
                "quantity": ZERO,
                "mwh": ZERO,
                "renewable": ZERO,
                "biogenic": ZERO,
            },
        )
        for name, value in (
            ("quantity", quantity * weight),
            ("mwh", line.mwh * weight),
            ("renewable", line.renewable_mwh * weight),
            ("biogenic", line.biogenic_kg_co2 * weight / KG_PER_T),
        ):
            entry[name] = _EXACT.add(entry[name], value)
        if prop.kind == E.ELECTRICITY and row["grid_kwh"] is not None:
            grid_lines[row["business_unit_id"]].append(
                (key, Decimal(row["grid_kwh"]) / KWH_PER_MWH)
            )

    # Instruments: renewable electricity per unit, shared among its grid lines.
    remaining = {
        unit_id: _add(mwh for _key, mwh in lines)
        for unit_id, lines in grid_lines.items()
    }
    renewable_by_unit: dict[int, Decimal] = defaultdict(lambda: ZERO)
    instruments = ContractualInstrument.objects.filter(
        organisation=organisation, reporting_year__year=year
    )
    if business_unit is not None:
        instruments = instruments.filter(business_unit_id__in=list(grid_lines))
    for unit_id, kind, mwh, source, technology in instruments.order_by(
        "pk"
    ).values_list("business_unit_id", "kind", "mwh", "energy_source", "technology"):
        left = remaining.get(unit_id, ZERO)
        counted = min(mwh, left)
        remaining[unit_id] = left - counted
        renewable = E.instrument_is_renewable(
            kind=kind, energy_source=source, technology=technology
        )
        if renewable:
            renewable_by_unit[unit_id] = _EXACT.add(renewable_by_unit[unit_id], counted)
        weight = weights.get(unit_id, Decimal(1))
        result.instruments.append(
            InstrumentUse(
                unit_code=codes.get(unit_id, ""),
                kind=kind,
                energy_source=source or technology,
                mwh=mwh,
                counted_mwh=counted * weight,
                renewable=renewable,
            )
        )
    for unit_id, renewable in renewable_by_unit.items():
        lines = grid_lines[unit_id]
        weight = weights.get(unit_id, Decimal(1))
        for (key, _mwh), part in zip(
            lines, _split(renewable, [mwh for _key, mwh in lines]), strict=True
        ):
            per_source[key]["renewable"] = _EXACT.add(
                per_source[key]["renewable"], part * weight
            )

    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for (code, unit, edition), entry in per_source.items():
        prop = entry["prop"]
        result.sources.append(
            EnergySource(
                code=code,
                name=_localised(entry["activity"]),
                kind=prop.kind,
                unit=unit,
                quantity=entry["quantity"],
                mwh=entry["mwh"],
                renewable_mwh=entry["renewable"],
                basis=prop.basis,
                kwh_per_unit=prop.kwh_per_unit,
                edition=edition,
                renewable_share=prop.renewable_share,
                biogenic_t_co2=entry["biogenic"],
                source=prop.source,
            )
        )
        totals[prop.kind][0] = _EXACT.add(totals[prop.kind][0], entry["mwh"])
        totals[prop.kind][1] = _EXACT.add(totals[prop.kind][1], entry["renewable"])
        result.biogenic_t_co2 = _EXACT.add(result.biogenic_t_co2, entry["biogenic"])
    order = {kind: i for i, kind in enumerate(E.KINDS)}
    result.sources.sort(key=lambda s: (order[s.kind], -s.mwh, s.code, s.unit))
    result.by_kind = {
        kind: KindTotals(*totals[kind]) for kind in E.KINDS if kind in totals
    }
    result.not_converted = [
        NotConverted(
            code=activity.code,
            name=_localised(activity),
            unit=unit,
            quantity=quantity,
            t_co2e=t_co2e,
            reason=reason,
        )
        for activity, unit, quantity, t_co2e, reason in skipped.values()
    ]
    return result


# --- The disclosure: identifiers, inventory, energy, target, texts -----------


def year_exists(*, organisation: Organisation, year: int) -> bool:
    """Return whether the organisation has the reporting year."""
    from emissions.models import ReportingYear

    if not 1 <= year <= 32767:
        return False
    return ReportingYear.objects.filter(organisation=organisation, year=year).exists()


LEI_SCHEME = "http://standards.iso.org/iso/17442"
# A national register number is named by its ISO 6523 scheme in the ebCore
# party-id type URN (OASIS ebCore Party Id Type), e.g. ...:iso6523:0192.
ISO6523_SCHEME = "urn:oasis:names:tc:ebcore:partyid-type:iso6523:{icd}"


@dataclass(frozen=True)
class EntityIdentifier:
    scheme: str  # the XBRL identifier scheme (a URI)
    value: str
    label: str  # how the VSME template names the scheme ("LEI"), or ""


@dataclass
class Disclosure:
    """A year's disclosures and what they are built from."""

    organisation: Organisation
    year: int
    year_status: str
    language: str
    identifier: EntityIdentifier | None
    currency: str
    inventory: object
    energy: EnergyBreakdown
    datapoints: list
    transition_plan: object = None

    @property
    def final(self) -> bool:
        return self.year_status == YearStatus.APPROVED

    @property
    def legal_name(self) -> str:
        return self.organisation.reporting_name

    @property
    def period_start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def period_end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    def by_key(self) -> dict:
        return {point.key: point for point in self.datapoints}

    def sections(self) -> list[tuple[str, str, list]]:
        from disclosures.datapoints import SECTIONS

        return [
            (code, str(title), [p for p in self.datapoints if p.section == code])
            for code, title in SECTIONS.items()
        ]


def entity_identifier(organisation: Organisation) -> EntityIdentifier | None:
    """Return the organisation's LEI, else its national number, for XBRL."""
    from accounts.models import ORG_NUMBER_SCHEMES

    if organisation.lei:
        return EntityIdentifier(LEI_SCHEME, organisation.lei, "LEI")
    if organisation.org_number_scheme and organisation.org_number_digits:
        icd, _length = ORG_NUMBER_SCHEMES[organisation.org_number_scheme]
        return EntityIdentifier(
            ISO6523_SCHEME.format(icd=icd), organisation.org_number_digits, ""
        )
    return None


_MULTIPLIERS = {
    "": Decimal(1),
    "K": Decimal(1000),
    "T": Decimal(1000),
    "M": Decimal(1000000),
    "MN": Decimal(1000000),
    "MILL": Decimal(1000000),
    "MRD": Decimal(1000000000),
    "BN": Decimal(1000000000),
}


def revenue_in(unit: str, currency: str) -> Decimal | None:
    """Return what one unit of a revenue metric is in the currency (MNOK: 10^6)."""
    text = unit.strip().upper().replace(" ", "").replace(".", "")
    if not currency or not text.endswith(currency):
        return None
    return _MULTIPLIERS.get(text[: -len(currency)])


def turnover_for_year(*, organisation: Organisation, year: int, units_with_emissions):
    """Return the year's revenue in the reporting currency (None when partial).

    Revenue metrics are kept per business unit in the unit they were entered
    in (MNOK, MSEK ...); without exchange rates only the reporting currency's
    can be added, so a unit with emissions that reports none leaves the
    turnover blank, with the reason.
    """
    from disclosures.datapoints import (
        WHY_NO_CURRENCY,
        WHY_NO_TURNOVER,
        WHY_TURNOVER_PARTIAL,
        Turnover,
    )
    from emissions.models import Metric

    currency = organisation.reporting_currency
    if not currency:
        return Turnover(currency="", amount=None, note=str(WHY_NO_CURRENCY))
    amount = ZERO
    covered: set[str] = set()
    for code, unit, value in Metric.objects.filter(
        organisation=organisation, reporting_year__year=year, kind="revenue"
    ).values_list("business_unit__code", "unit", "value"):
        factor = revenue_in(unit, currency)
        if factor is None:
            continue
        amount = _EXACT.add(amount, value * factor)
        covered.add(code)
    missing = sorted(set(units_with_emissions) - covered)
    if not covered:
        return Turnover(currency, None, str(WHY_NO_TURNOVER % {"currency": currency}))
    if missing:
        return Turnover(
            currency,
            None,
            str(
                WHY_TURNOVER_PARTIAL
                % {"units": ", ".join(missing), "currency": currency}
            ),
        )
    return Turnover(currency, amount)


def ets_scope1_t(*, organisation: Organisation, year: int, fixed_at) -> Decimal:
    """Return the year's scope 1 tonnes of units flagged as ETS installations.

    A closed year reads the flags as they were when its settings were fixed,
    so that its figures never move.
    """
    if fixed_at is not None:
        flagged = {
            unit.id
            for unit in BusinessUnit.history.as_of(fixed_at).filter(
                organisation_id=organisation.pk
            )
            if unit.ets_installation
        }
    else:
        flagged = set(
            BusinessUnit.objects.filter(
                organisation=organisation, ets_installation=True
            ).values_list("pk", flat=True)
        )
    if not flagged:
        return ZERO
    weights = unit_weights(organisation=organisation, year=year)
    total = ZERO
    for unit_id, kg in (
        entries_for(organisation=organisation)
        .filter(reporting_year__year=year, scope=1, business_unit_id__in=flagged)
        .values("business_unit_id")
        .annotate(kg=Sum("kg_co2e"))
        .values_list("business_unit_id", "kg")
        .order_by()
    ):
        total = _EXACT.add(
            total, Decimal(kg) * weights.get(unit_id, Decimal(1)) / KG_PER_T
        )
    return total


def _actions(*, organisation: Organisation, year: int, language: str):
    """Return the year's actions text and its language (the report's first)."""
    from reports.models import ReportNarrative

    stored = {
        n.language: n.actions.strip()
        for n in ReportNarrative.objects.filter(organisation=organisation, year=year)
    }
    for code in dict.fromkeys([language, organisation.language, "en", "nb", "sv"]):
        if stored.get(code):
            return stored[code], code
    return None


def transition_plan_for(*, organisation: Organisation, year: int, language: str):
    """Return the year's transition plan, the report's language first (or None)."""
    from disclosures.models import TransitionPlan

    stored = {
        plan.language: plan
        for plan in TransitionPlan.objects.filter(organisation=organisation, year=year)
    }
    for code in dict.fromkeys([language, organisation.language, "en", "nb", "sv"]):
        if code in stored:
            return stored[code]
    return None


def _target(*, organisation: Organisation, inventory):
    from disclosures.datapoints import TargetFigures

    target = inventory.target
    if target is None:
        return None
    base = inventory.series.get(target.base_year)
    baseline: dict[str, Decimal | None] = {}
    if base is not None:
        baseline = {
            "scope1": base.scope1_t,
            "scope2_location": base.scope2_location_t,
            "scope2_market": base.scope2_market_t,
            "scope12_location": base.scope1_t + base.scope2_location_t,
            "scope12_market": base.scope1_t + base.scope2_market_t,
            "scope3": base.scope3_t,
            "total_location": base.scope1_t + base.scope2_location_t + base.scope3_t,
            "total_market": base.scope1_t + base.scope2_market_t + base.scope3_t,
        }
    return TargetFigures(
        name=target.name,
        scopes=target.scopes,
        base_year=target.base_year,
        target_year=target.target_year,
        reduction_pct=target.reduction_pct,
        baseline=baseline,
        target_t=inventory.target_t_co2e,
    )


def disclosure_for_year(
    *, organisation: Organisation, year: int, language: str | None = None
) -> Disclosure:
    """Return the year's VSME B3/C3 and ESRS E1-5/E1-6 datapoints.

    Whole-organisation figures: callers check that the member reads the whole
    organisation (`accounts.tenancy.require_whole_organisation`).
    """
    from disclosures.datapoints import build_datapoints
    from reports.selectors import inventory_for_year

    language = language or organisation.language
    inventory = inventory_for_year(organisation=organisation, year=year)
    energy = energy_for_year(organisation=organisation, year=year)
    fixed = inventory.settings.fixed_at_datetime() if inventory.settings else None
    scope3_reported = any(source.scope == 3 for source in inventory.sources)
    turnover = turnover_for_year(
        organisation=organisation,
        year=year,
        units_with_emissions=inventory.by_business_unit,
    )
    plan = transition_plan_for(organisation=organisation, year=year, language=language)
    points = build_datapoints(
        year=year,
        inventory=inventory,
        energy=energy,
        turnover=turnover,
        target=_target(organisation=organisation, inventory=inventory),
        actions=_actions(organisation=organisation, year=year, language=language),
        ets_scope1_t=ets_scope1_t(organisation=organisation, year=year, fixed_at=fixed),
        scope3_reported=scope3_reported,
        plan=plan,
    )
    return Disclosure(
        organisation=organisation,
        year=year,
        year_status=inventory.year_status,
        language=language,
        identifier=entity_identifier(organisation),
        currency=organisation.reporting_currency,
        inventory=inventory,
        energy=energy,
        datapoints=points,
        transition_plan=plan,
    )
