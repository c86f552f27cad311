"""The datapoints of VSME B3 and C3 and ESRS E1-5 and E1-6, from read figures.

Pure: the selector reads the inventory, the energy, the target and the texts,
and `build_datapoints` lays them out as datapoints, each with the VSME
taxonomy concept that tags it where the taxonomy has one (and the dimension
member, for the energy breakdown and the target table), its unit and a filter
of the entries behind it. A value the inventory cannot give is None, with the
reason, and is left blank in every output: never invented.

ESRS E1-5 and E1-6 datapoints that the VSME taxonomy has no concept for (the
share of scope 1 from emission trading schemes, biogenic CO2, scope 3 by
category, the energy mix) are shown and exported untagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)

# Units of datapoints (the XBRL unit is chosen from these by the exporter).
T_CO2E = "tCO2e"
MWH = "MWh"
PERCENT = "percent"
YEAR = "year"
TEXT = "text"
MONEY = "money"  # in the reporting currency
INTENSITY = "intensity"  # tCO2e per unit of the reporting currency

# Dimension members of the VSME taxonomy (the defaults are left out).
RENEWABLE = "vsme:RenewableEnergyMember"
NON_RENEWABLE = "vsme:NonRenewableEnergyMember"
BASELINE = "vsme:BaselineYearMember"
TARGET = "vsme:TargetYearMember"
MEMBER_AXES = {
    RENEWABLE: "vsme:BreakdownOfEnergyConsumptionAxis",
    NON_RENEWABLE: "vsme:BreakdownOfEnergyConsumptionAxis",
    BASELINE: "vsme:ReportingScopesAxis",
    TARGET: "vsme:ReportingScopesAxis",
}
# The default member of each axis, named in some of the template's ranges.
AXIS_DEFAULTS = {
    "vsme:BreakdownOfEnergyConsumptionAxis": (
        "vsme:TotalRenewableAndNonRenewableEnergyMember"
    ),
    "vsme:ReportingScopesAxis": "vsme:CurrentlyStatedMember",
}

SECTIONS = {
    "B3": _("VSME B3: energy and greenhouse gas emissions"),
    "C3": _("VSME C3: greenhouse gas reduction targets"),
    "E1-5": _("ESRS E1-5: energy consumption and mix"),
    "E1-6": _("ESRS E1-6: gross scope 1, 2, 3 and total GHG emissions"),
}

WHY_NO_SCOPE3 = _("No scope 3 lines are reported for the year.")
WHY_NO_TARGET = _("The organisation keeps no reduction target.")
WHY_NO_BASE = _("The target's base year has no inventory.")
WHY_TARGET_SCOPES = _("The target covers %(scopes)s; this row is not part of it.")
WHY_NO_ACTIONS = _(
    "No actions are written in the year's report texts (Reports > Report texts)."
)
WHY_NO_PLAN = _(
    "No transition plan is written for the year (below, by an administrator)."
)
WHY_NO_SELF_GENERATED = _("No self-generated electricity is recorded.")
WHY_NO_CURRENCY = _("No reporting currency is set in the organisation settings.")
WHY_NO_TURNOVER = _("No revenue is recorded for the year in %(currency)s.")
WHY_TURNOVER_PARTIAL = _(
    "Units %(units)s report no revenue in %(currency)s; without exchange rates "
    "their revenue cannot be added."
)
WHY_NO_SCOPE1 = _("No scope 1 emissions.")


# Decimal places every output (page, API, workbook, inline XBRL) gives a unit.
DECIMALS = {T_CO2E: 6, "tCO2": 6, MWH: 6, MONEY: 2, PERCENT: 4, INTENSITY: 15}


@dataclass(frozen=True)
class Datapoint:
    """One disclosed figure or text."""

    key: str
    section: str
    label: str
    value: Decimal | int | str | None
    unit: str
    concept: str = ""
    member: str = ""
    link: dict = field(default_factory=dict)
    note: str = ""
    language: str = ""  # of a text

    @property
    def axis(self) -> str:
        return MEMBER_AXES.get(self.member, "")

    @property
    def is_blank(self) -> bool:
        return self.value is None or self.value == ""

    @property
    def decimals(self) -> int | None:
        return DECIMALS.get(self.unit)

    @property
    def rounded(self):
        """The value as exported: numbers to the unit's decimal places."""
        if isinstance(self.value, Decimal) and self.decimals is not None:
            return self.value.quantize(Decimal(1).scaleb(-self.decimals))
        return self.value


@dataclass(frozen=True)
class TargetFigures:
    """The kept target the disclosure reports (C3), with the inventory's figures."""

    name: str
    scopes: str
    base_year: int
    target_year: int
    reduction_pct: Decimal
    baseline: dict[str, Decimal | None]  # key -> tCO2e in the base year
    target_t: Decimal | None  # the covered aggregate in the target year


@dataclass(frozen=True)
class Turnover:
    """Revenue in the reporting currency, or why there is none."""

    currency: str
    amount: Decimal | None
    note: str = ""


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole * 100 if whole else None


def _intensity(t: Decimal, turnover: Turnover) -> Decimal | None:
    if turnover.amount:
        return t / turnover.amount
    return None


def build_datapoints(
    *,
    year: int,
    inventory,
    energy,
    turnover: Turnover,
    target: TargetFigures | None,
    actions: tuple[str, str] | None,
    ets_scope1_t: Decimal,
    plan=None,
    scope3_reported: bool,
) -> list[Datapoint]:
    """Lay out the datapoints of the four disclosures.

    `inventory` is a `reports.selectors.YearInventory`, `energy` an
    `EnergyBreakdown`; `actions` the main actions text and its language;
    `plan` the year's `TransitionPlan` (or None).
    """
    points: list[Datapoint] = []
    inv = inventory

    def add(key, section, label, value, unit, concept="", member="", **extra):
        points.append(
            Datapoint(
                key=key,
                section=section,
                label=str(label),
                value=value,
                unit=unit,
                concept=concept,
                member=member,
                **extra,
            )
        )

    y = {"year": year}
    # --- B3: energy -----------------------------------------------------------
    add(
        "b3.energy_total",
        "B3",
        _("Total energy consumption"),
        energy.total_mwh,
        MWH,
        "vsme:TotalEnergyConsumption",
        link=y,
        note=str(_("Electricity, fuels, and heat, steam and cooling.")),
    )
    for kind, concept, label, scope in (
        (
            "electricity",
            "vsme:EnergyConsumptionFromElectricity",
            _("Electricity"),
            2,
        ),
        ("fuels", "vsme:EnergyConsumptionFromFuels", _("Fuels"), 1),
    ):
        totals = energy.electricity if kind == "electricity" else energy.fuels
        link = {**y, "scope": scope}
        add(f"b3.{kind}", "B3", label, totals.mwh, MWH, concept, link=link)
        add(
            f"b3.{kind}_renewable",
            "B3",
            _("%(kind)s, renewable") % {"kind": label},
            totals.renewable_mwh,
            MWH,
            concept,
            RENEWABLE,
            link=link,
        )
        add(
            f"b3.{kind}_non_renewable",
            "B3",
            _("%(kind)s, non-renewable") % {"kind": label},
            totals.non_renewable_mwh,
            MWH,
            concept,
            NON_RENEWABLE,
            link=link,
        )
    add(
        "b3.self_generated",
        "B3",
        _("Self-generated electricity"),
        None,
        MWH,
        "vsme:EnergyConsumptionFromSelfGeneratedElectricity",
        note=str(WHY_NO_SELF_GENERATED),
    )
    add(
        "b3.heat",
        "B3",
        _("Heat, steam and cooling (in the total; the VSME breakdown has no row)"),
        energy.heat.mwh,
        MWH,
        link={**y, "scope": 2},
    )
    # --- B3: emissions -------------------------------------------------------
    scope12_location = inv.scope1_t_co2e + inv.scope2_location_t_co2e
    scope12_market = inv.scope1_t_co2e + inv.scope2_market_t_co2e
    scope3 = inv.scope3_t_co2e if scope3_reported else None
    no_scope3 = "" if scope3_reported else str(WHY_NO_SCOPE3)
    for key, label, value, concept, link, note in (
        (
            "scope1",
            _("Gross scope 1 GHG emissions"),
            inv.scope1_t_co2e,
            "vsme:GrossScope1GreenhouseGasEmissions",
            {**y, "scope": 1},
            "",
        ),
        (
            "scope2_location",
            _("Gross location-based scope 2 GHG emissions"),
            inv.scope2_location_t_co2e,
            "vsme:GrossLocationBasedScope2GreenhouseGasEmissions",
            {**y, "scope": 2},
            "",
        ),
        (
            "scope2_market",
            _("Gross market-based scope 2 GHG emissions"),
            inv.scope2_market_t_co2e,
            "vsme:GrossMarketBasedScope2GreenhouseGasEmissions",
            {**y, "scope": 2},
            "",
        ),
        (
            "scope12_location",
            _("Total scope 1 and 2 GHG emissions, location-based"),
            scope12_location,
            "vsme:TotalGrossLocationBasedScope1AndScope2GHGEmissions",
            y,
            "",
        ),
        (
            "scope12_market",
            _("Total scope 1 and 2 GHG emissions, market-based"),
            scope12_market,
            "vsme:TotalGrossMarketBasedScope1AndScope2GHGEmissions",
            y,
            "",
        ),
        (
            "scope3",
            _("Gross scope 3 GHG emissions"),
            scope3,
            "vsme:GrossScope3GreenhouseGasEmissions",
            {**y, "scope": 3},
            no_scope3,
        ),
        (
            "total_location",
            _("Total GHG emissions, location-based"),
            inv.total_location_t_co2e if scope3_reported else None,
            "vsme:TotalGrossLocationBasedGHGEmissions",
            y,
            no_scope3,
        ),
        (
            "total_market",
            _("Total GHG emissions, market-based"),
            inv.total_market_t_co2e if scope3_reported else None,
            "vsme:TotalGrossMarketBasedGHGEmissions",
            y,
            no_scope3,
        ),
    ):
        add(f"b3.{key}", "B3", label, value, T_CO2E, concept, link=link, note=note)

    # --- B3: intensity per turnover -----------------------------------------
    add(
        "b3.turnover",
        "B3",
        _("Turnover (%(currency)s)") % {"currency": turnover.currency or "-"},
        turnover.amount,
        MONEY,
        "vsme:Turnover",
        note=turnover.note,
    )
    for key, label, t, concept in (
        (
            "intensity12_location",
            _("Scope 1 and 2 GHG intensity per turnover, location-based"),
            scope12_location,
            "vsme:Scope1AndScope2GreenhouseGasEmissionsIntensityValueLocationBased",
        ),
        (
            "intensity12_market",
            _("Scope 1 and 2 GHG intensity per turnover, market-based"),
            scope12_market,
            "vsme:Scope1AndScope2GreenhouseGasEmissionsIntensityValueMarketBased",
        ),
        (
            "intensity_location",
            _("Total GHG intensity per turnover, location-based"),
            inv.total_location_t_co2e if scope3_reported else None,
            "vsme:TotalLocationBasedGreenhouseGasEmissionsIntensityValue",
        ),
        (
            "intensity_market",
            _("Total GHG intensity per turnover, market-based"),
            inv.total_market_t_co2e if scope3_reported else None,
            "vsme:TotalMarketBasedGreenhouseGasEmissionsIntensityValue",
        ),
    ):
        value = _intensity(t, turnover) if t is not None else None
        note = turnover.note if value is None and t is not None else no_scope3
        add(f"b3.{key}", "B3", label, value, INTENSITY, concept, note=note)

    # --- C3: targets ---------------------------------------------------------
    if target is None:
        add(
            "c3.target",
            "C3",
            _("Reduction target"),
            None,
            TEXT,
            note=str(WHY_NO_TARGET),
        )
    else:
        add("c3.target", "C3", _("Reduction target"), target.name, TEXT)
        add(
            "c3.base_year",
            "C3",
            _("Base year"),
            target.base_year,
            YEAR,
            "vsme:GreenhouseGasEmissionReductionTargetBaseYear",
            link={"year": target.base_year},
        )
        add(
            "c3.target_year",
            "C3",
            _("Target year"),
            target.target_year,
            YEAR,
            "vsme:GreenhouseGasEmissionReductionTargetYear",
        )
        add("c3.scopes", "C3", _("Scopes covered"), target.scopes, TEXT)
        add(
            "c3.reduction_pct",
            "C3",
            _("Reduction from the base year"),
            target.reduction_pct,
            PERCENT,
        )
        covered = {
            "1": "scope1",
            "1+2": "scope12_market" if inv.headline_is_market else "scope12_location",
            "1+2+3": "total_market" if inv.headline_is_market else "total_location",
        }.get(target.scopes)
        for key, label, concept, scope in (
            ("scope1", _("Gross scope 1"), "vsme:GrossScope1GreenhouseGasEmissions", 1),
            (
                "scope2_location",
                _("Gross scope 2, location-based"),
                "vsme:GrossLocationBasedScope2GreenhouseGasEmissions",
                2,
            ),
            (
                "scope2_market",
                _("Gross scope 2, market-based"),
                "vsme:GrossMarketBasedScope2GreenhouseGasEmissions",
                2,
            ),
            (
                "scope12_location",
                _("Scope 1 and 2, location-based"),
                "vsme:TotalGrossLocationBasedScope1AndScope2GHGEmissions",
                None,
            ),
            (
                "scope12_market",
                _("Scope 1 and 2, market-based"),
                "vsme:TotalGrossMarketBasedScope1AndScope2GHGEmissions",
                None,
            ),
            ("scope3", _("Gross scope 3"), "vsme:GrossScope3GreenhouseGasEmissions", 3),
            (
                "total_location",
                _("Total, location-based"),
                "vsme:TotalGrossLocationBasedGHGEmissions",
                None,
            ),
            (
                "total_market",
                _("Total, market-based"),
                "vsme:TotalGrossMarketBasedGHGEmissions",
                None,
            ),
        ):
            base_value = target.baseline.get(key)
            link = {"year": target.base_year}
            if scope:
                link["scope"] = scope
            add(
                f"c3.baseline.{key}",
                "C3",
                _("%(row)s in the base year %(year)s")
                % {"row": label, "year": target.base_year},
                base_value,
                T_CO2E,
                concept,
                BASELINE,
                link=link,
                note="" if base_value is not None else str(WHY_NO_BASE),
            )
            in_target = key == covered
            add(
                f"c3.target.{key}",
                "C3",
                _("%(row)s, target for %(year)s")
                % {"row": label, "year": target.target_year},
                target.target_t if in_target else None,
                T_CO2E,
                concept,
                TARGET,
                note=(
                    ""
                    if in_target
                    else str(WHY_TARGET_SCOPES % {"scopes": target.scopes})
                ),
            )
    add(
        "c3.actions",
        "C3",
        _("Main actions to achieve the targets"),
        actions[0] if actions else None,
        TEXT,
        "vsme:DisclosureOfListOfMainActionsTheEntitySeeksInOrderToAchieveItsTargets",
        note="" if actions else str(WHY_NO_ACTIONS),
        language=actions[1] if actions else "",
    )
    add(
        "c3.transition_plan",
        "C3",
        _("Transition plan for climate change mitigation"),
        plan.text if plan else None,
        TEXT,
        "vsme:DescriptionOfATransitionPlanForClimateChangeMitigationIncludingAnExplanationOfHowItIsContributingToReduceGhgEmissions",
        note="" if plan else str(WHY_NO_PLAN),
        language=plan.language if plan else "",
    )
    if plan:
        add(
            "c3.transition_plan_status",
            "C3",
            _("Status of the transition plan"),
            str(_("adopted") if plan.adopted else _("adoption planned")),
            TEXT,
        )

    # --- E1-5: energy consumption and mix ------------------------------------
    fuels, power, heat = energy.fuels, energy.electricity, energy.heat
    for key, label, value, link in (
        (
            "fossil_fuels",
            _("Fuel consumption from fossil sources"),
            fuels.non_renewable_mwh,
            {**y, "scope": 1},
        ),
        (
            "purchased_non_renewable",
            _(
                "Purchased electricity, heat, steam and cooling from non-renewable "
                "sources (fossil and nuclear not separated)"
            ),
            power.non_renewable_mwh + heat.non_renewable_mwh,
            {**y, "scope": 2},
        ),
        (
            "total_non_renewable",
            _("Total energy consumption from non-renewable sources"),
            energy.non_renewable_mwh,
            y,
        ),
        (
            "renewable_fuels",
            _("Fuel consumption from renewable sources (biofuel in blends)"),
            fuels.renewable_mwh,
            {**y, "scope": 1},
        ),
        (
            "purchased_renewable",
            _("Purchased electricity, heat, steam and cooling from renewable sources"),
            power.renewable_mwh + heat.renewable_mwh,
            {**y, "scope": 2},
        ),
        (
            "total_renewable",
            _("Total energy consumption from renewable sources"),
            energy.renewable_mwh,
            y,
        ),
        ("total", _("Total energy consumption"), energy.total_mwh, y),
    ):
        add(f"e15.{key}", "E1-5", label, value, MWH, link=link)
    add(
        "e15.renewable_share",
        "E1-5",
        _("Share of renewable sources in total energy consumption"),
        _pct(energy.renewable_mwh, energy.total_mwh),
        PERCENT,
    )

    # --- E1-6: gross emissions -----------------------------------------------
    add(
        "e16.scope1",
        "E1-6",
        _("Gross scope 1 GHG emissions"),
        inv.scope1_t_co2e,
        T_CO2E,
        link={**y, "scope": 1},
    )
    add(
        "e16.scope1_ets_pct",
        "E1-6",
        _("Percentage of scope 1 from regulated emission trading schemes"),
        _pct(ets_scope1_t, inv.scope1_t_co2e),
        PERCENT,
        note="" if inv.scope1_t_co2e else str(WHY_NO_SCOPE1),
    )
    add(
        "e16.scope2_location",
        "E1-6",
        _("Gross location-based scope 2 GHG emissions"),
        inv.scope2_location_t_co2e,
        T_CO2E,
        link={**y, "scope": 2},
    )
    add(
        "e16.scope2_market",
        "E1-6",
        _("Gross market-based scope 2 GHG emissions"),
        inv.scope2_market_t_co2e,
        T_CO2E,
        link={**y, "scope": 2},
    )
    add(
        "e16.scope3",
        "E1-6",
        _("Gross scope 3 GHG emissions"),
        scope3,
        T_CO2E,
        link={**y, "scope": 3},
        note=no_scope3,
    )
    for category, t in inv.scope3_by_category.items():
        add(
            f"e16.scope3.{category}",
            "E1-6",
            _("Scope 3 category %(category)s") % {"category": category},
            t,
            T_CO2E,
            link={**y, "scope": 3, "category": category},
        )
    add(
        "e16.total_location",
        "E1-6",
        _("Total GHG emissions, location-based"),
        inv.total_location_t_co2e,
        T_CO2E,
        link=y,
    )
    add(
        "e16.total_market",
        "E1-6",
        _("Total GHG emissions, market-based"),
        inv.total_market_t_co2e,
        T_CO2E,
        link=y,
    )
    add(
        "e16.biogenic_co2",
        "E1-6",
        _("Biogenic CO2 from the combustion of biomass (outside the scopes)"),
        energy.biogenic_t_co2,
        "tCO2",
        link={**y, "scope": 1},
    )
    add(
        "e16.intensity_location",
        "E1-6",
        _("GHG intensity per net revenue, location-based"),
        _intensity(inv.total_location_t_co2e, turnover),
        INTENSITY,
        note=turnover.note,
    )
    add(
        "e16.intensity_market",
        "E1-6",
        _("GHG intensity per net revenue, market-based"),
        _intensity(inv.total_market_t_co2e, turnover),
        INTENSITY,
        note=turnover.note,
    )
    add(
        "e16.base_year",
        "E1-6",
        _("Base year"),
        inv.base_year,
        YEAR,
        link={"year": inv.base_year},
    )
    add(
        "e16.base_year_total",
        "E1-6",
        _("Total GHG emissions in the base year (%(method)s)")
        % {"method": _headline(inv)},
        inv.base_year_total_t_co2e,
        T_CO2E,
        link={"year": inv.base_year},
    )
    add(
        "e16.change_vs_base_pct",
        "E1-6",
        _("Change against the base year"),
        inv.change_vs_base_year_pct,
        PERCENT,
    )
    return points


def _headline(inv) -> str:
    return str(_("market-based") if inv.headline_is_market else _("location-based"))
