"""Everything the annual report shows beyond the inventory, read for it."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext

from accounts.models import BusinessUnit, Organisation
from accounts.selectors import unit_subtree_ids
from emissions.models import BaseYearRecalculation, CarbonCredit, ReportingYear
from emissions.selectors_factors import grid_factors_used, residual_mix_gaps
from emissions.totals import entries_for, tonnes, weighted_sum
from emissions.year_settings import settings_changed_since
from reports.selectors.inventory import YearInventory, inventory_for_year
from reports.selectors.names import in_language


@dataclass(frozen=True)
class AppendixLine:
    """Entries of one unit, type, unit of measure and factor, added up."""

    business_unit: str
    activity: str
    scope: int
    quantity: Decimal
    unit: str
    factor_value: Decimal | None
    factor_unit: str
    factor_set: str
    t_co2e: Decimal
    entries: int


@dataclass(frozen=True)
class FactorSetUsed:
    publisher: str
    name: str
    edition_year: int
    source_url: str
    licence: str
    entries: int


@dataclass
class AnnualReportData:
    """The figures and lists of the annual report, for the PDF and the Excel."""

    organisation: Organisation
    business_unit: BusinessUnit | None
    inventory: YearInventory
    reporting_year: ReportingYear | None
    units_in_boundary: list[BusinessUnit]
    credits: list[CarbonCredit]
    recalculations: list[BaseYearRecalculation]
    factor_sets: list[FactorSetUsed]
    appendix: list[AppendixLine]
    grid_factors: list
    # Countries whose market-based scope 2 falls back to the grid factor.
    residual_mix_gaps: list[str]
    scope3_categories_reported: list[int]
    # Settings that changed since the year's were fixed (the report names them).
    settings_changed: list[str] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return self.inventory.year_status != "approved"


def factor_set_short(kind: str) -> str:
    """Return a factor set's short name for tables (DESNZ 2024, Grid factors 2024)."""
    return {
        "desnz": "DESNZ",
        "epa": "US EPA",
        "curated": gettext("Grid factors"),
        "generic": gettext("Own factors"),
    }.get(kind, kind)


def annual_report_data(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> AnnualReportData:
    """Return everything the annual report shows, from the database.

    Activity types are named in the active language; build the data inside
    `translation.override(language)` for a report in another language.
    """
    inventory = inventory_for_year(
        organisation=organisation, year=year, business_unit=business_unit
    )
    entries = entries_for(
        organisation=organisation, business_unit=business_unit
    ).filter(reporting_year__year=year)
    factor_sets = [
        FactorSetUsed(
            publisher=row["factor_set__publisher"],
            name=row["factor_set__name"],
            edition_year=row["factor_set__edition_year"],
            source_url=row["factor_set__source_url"],
            licence=row["factor_set__licence"],
            entries=row["n"],
        )
        for row in entries.filter(factor_set__isnull=False)
        .values(
            "factor_set__publisher",
            "factor_set__name",
            "factor_set__edition_year",
            "factor_set__source_url",
            "factor_set__licence",
        )
        .annotate(n=Count("pk"))
        .order_by("factor_set__publisher", "factor_set__edition_year")
    ]
    appendix = sorted(
        (
            AppendixLine(
                business_unit=row["business_unit__code"],
                activity=in_language(
                    row["activity_type__name"],
                    row["activity_type__name_nb"],
                    row["activity_type__name_sv"],
                ),
                scope=row["scope"],
                quantity=row["q"],
                unit=row["unit"],
                factor_value=row["factor_value"],
                factor_unit=row["factor_unit"],
                factor_set=(
                    f"{factor_set_short(row['factor_set__kind'])} "
                    f"{row['factor_set__edition_year']}"
                    if row["factor_set__kind"]
                    else "–"
                ),
                t_co2e=tonnes(row["kg"]),
                entries=row["n"],
            )
            for row in entries.values(
                "business_unit__code",
                "activity_type__name",
                "activity_type__name_nb",
                "activity_type__name_sv",
                "scope",
                "unit",
                "factor_value",
                "factor_unit",
                "factor_set__kind",
                "factor_set__edition_year",
            )
            .annotate(
                q=Sum("quantity"),
                kg=weighted_sum(organisation, "kg_co2e"),
                n=Count("pk"),
            )
            .order_by()
        ),
        # In the report's language's order of names.
        key=lambda line: (line.business_unit, line.scope, line.activity, line.unit),
    )
    unit_ids = unit_subtree_ids(organisation=organisation, business_unit=business_unit)
    units = organisation.business_units.all()
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    settings = inventory.settings
    if settings is not None and settings.is_fixed:
        # A closed year's boundary is the one fixed with it; the units are
        # shown with the shares its figures use (not saved).
        units_in_boundary = []
        for unit in units.filter(pk__in=list(settings.units)).order_by("code"):
            fixed = settings.units[unit.pk]
            if fixed.active_in(year):
                unit.equity_share = fixed.equity_share
                unit.year_joined, unit.year_left = fixed.year_joined, fixed.year_left
                units_in_boundary.append(unit)
    else:
        units_in_boundary = [u for u in units.order_by("code") if u.active_in(year)]
    credits = (
        list(
            CarbonCredit.objects.filter(
                organisation=organisation, claimed_year__year=year
            ).order_by("retirement_date", "pk")
        )
        if business_unit is None
        else []
    )
    recalculations = BaseYearRecalculation.objects.filter(organisation=organisation)
    if unit_ids is not None:
        recalculations = recalculations.filter(business_unit_id__in=unit_ids)
    recalculations = list(
        recalculations.select_related("approved_by", "business_unit").order_by(
            "effective_date", "pk"
        )
    )
    reporting_year = (
        ReportingYear.objects.filter(organisation=organisation, year=year)
        .select_related("approved_by", "submitted_by")
        .first()
    )
    return AnnualReportData(
        organisation=organisation,
        business_unit=business_unit,
        inventory=inventory,
        reporting_year=reporting_year,
        units_in_boundary=units_in_boundary,
        credits=credits,
        recalculations=recalculations,
        factor_sets=factor_sets,
        appendix=appendix,
        grid_factors=grid_factors_used(
            organisation=organisation, year=year, unit_ids=unit_ids
        ),
        residual_mix_gaps=residual_mix_gaps(
            organisation=organisation, year=year, unit_ids=unit_ids
        ),
        scope3_categories_reported=sorted(inventory.scope3_by_category),
        settings_changed=(
            settings_changed_since(settings, organisation=organisation)
            if settings is not None
            else []
        ),
    )
