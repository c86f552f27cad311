"""The annual report's tables as a workbook (full precision, t CO2e)."""

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation
from carbonledger.lib.formatting import gas_name
from carbonledger.lib.spreadsheets import Column, SpreadsheetWriter
from reports.categories import scope3_category_names
from reports.coverage import report_coverage, write_coverage_sheets
from reports.kinds.base import XLSX, ReportKindSpec
from reports.models import ReportKind
from reports.selectors import AnnualReportData, annual_report_data

T_CO2E = "t CO2e"


def report_tables_xlsx(data: AnnualReportData, *, language: str) -> bytes:
    """Return the annual report's tables as a workbook (full precision, t CO2e)."""
    inv = data.inventory
    with translation.override(language):
        workbook = SpreadsheetWriter()
        summary = workbook.table(
            _("Summary"), [Column(_("Figure")), Column(T_CO2E, "tonnes")]
        )
        rows = [
            (_("Scope 1"), inv.scope1_t_co2e),
            (_("Scope 2 (location-based)"), inv.scope2_location_t_co2e),
            (_("Scope 2 (market-based)"), inv.scope2_market_t_co2e),
            (_("Scope 3"), inv.scope3_t_co2e),
            (
                _("Total, gross (scope 2 market-based)")
                if inv.headline_is_market
                else _("Total, gross (scope 2 location-based)"),
                inv.total_t_co2e,
            ),
            (_("Base year (recalculated)"), inv.base_year_total_t_co2e),
            (_("Change against the base year"), inv.change_vs_base_year_t),
            (
                _("Cumulative reduction since the base year")
                + " ("
                + _(
                    "the sum, over each year after %(year)s up to this year, of "
                    "the base year's emissions minus that year's"
                )
                % {"year": inv.base_year}
                + ")",
                inv.cumulative_reduction_t_co2e,
            ),
            (
                _("Carbon credits retired for the year (memo, not subtracted)"),
                inv.credits_retired_t_co2e,
            ),
            (_("Net after credits (memo)"), inv.net_after_credits_t_co2e),
        ]
        for label, value in rows:
            summary.append([label, value])
        market = inv.headline_is_market
        years = workbook.table(
            _("Years"),
            [
                Column(_("Year"), "code"),
                Column(_("Scope 1"), "tonnes"),
                Column(
                    _("Scope 2 (market-based)")
                    if market
                    else _("Scope 2 (location-based)"),
                    "tonnes",
                ),
                Column(_("Scope 3"), "tonnes"),
                Column(
                    _("Total, gross (scope 2 market-based)")
                    if market
                    else _("Total, gross (scope 2 location-based)"),
                    "tonnes",
                ),
            ],
        )
        for year, t in sorted(inv.series.items()):
            if year > inv.year:
                continue
            label: int | str = year
            if year == inv.base_year and inv.base_year_adjustment is not None:
                for text, part in (
                    (_("%(year)s as first reported"), inv.base_year_original),
                    (_("Base-year recalculations"), inv.base_year_adjustment),
                ):
                    years.append(
                        [
                            text % {"year": year},
                            part.scope1_t,
                            part.scope2_t,
                            part.scope3_t,
                            part.total_t,
                        ]
                    )
                label = _("%(year)s (base year, recalculated)") % {"year": year}
            years.append([label, t.scope1_t, t.scope2_t, t.scope3_t, t.total_t])
        names = scope3_category_names()
        categories = workbook.table(
            _("Scope 3"),
            [
                Column(_("Category"), "code"),
                Column(_("Name")),
                Column(T_CO2E, "tonnes"),
            ],
        )
        for category, value in inv.scope3_by_category.items():
            categories.append([category, names.get(category, ""), value])
        _gas_sheet(workbook, inv)
        units = workbook.table(
            _("Business units"),
            [
                Column(_("Code")),
                Column(_("Business unit")),
                Column(
                    _("t CO2e (scope 2 market-based)")
                    if market
                    else _("t CO2e (scope 2 location-based)"),
                    "tonnes",
                ),
            ],
        )
        for code, value in inv.by_business_unit.items():
            units.append([code, inv.business_unit_names.get(code, ""), value])
        write_coverage_sheets(
            workbook,
            report_coverage(
                organisation=data.organisation,
                year=inv.year,
                business_unit=data.business_unit,
            ),
        )
        appendix = workbook.table(
            _("Activity data"),
            [
                Column(_("Unit")),
                Column(_("Activity")),
                Column(_("Scope"), "code"),
                Column(_("Quantity"), "quantity"),
                Column(_("Unit of measure")),
                Column(_("Factor (kg CO2e per unit)"), "factor"),
                Column(_("Factor unit")),
                Column(_("Factor set")),
                Column(T_CO2E, "tonnes"),
                Column(_("Lines"), "integer"),
            ],
        )
        for line in data.appendix:
            appendix.append(
                [
                    line.business_unit,
                    line.activity,
                    line.scope,
                    line.quantity,
                    line.unit,
                    line.factor_value,
                    line.factor_unit,
                    line.factor_set,
                    line.t_co2e,
                    line.entries,
                ]
            )
    return workbook.save()


def _gas_sheet(workbook: SpreadsheetWriter, inv) -> None:
    """Add the table by greenhouse gas and what of its CO2 is a CO2e total."""
    sheet = workbook.sheet(_("Greenhouse gases"))
    sheet.title(_("Emissions by greenhouse gas"))
    total_label = (
        _("Total, gross (scope 2 market-based)")
        if inv.headline_is_market
        else _("Total, gross (scope 2 location-based)")
    )
    sheet.header([_("Gas"), T_CO2E])
    for gas, t in inv.gas_table.items():
        sheet.append([gas_name(gas), t], [None, "tonnes"])
    sheet.append([total_label, inv.total_t_co2e], [None, "tonnes"])
    sheet.append(
        [
            _(
                "The seven Kyoto gases and groups; refrigerant blends count "
                "under their components' groups."
            )
        ]
    )
    share = inv.co2e_only
    if share is None or not share.t_co2e:
        return
    sheet.blank()
    sheet.heading(
        _(
            "Of the CO2: factors that give a CO2e total without a split by gas, "
            "counted as CO2, the dominant gas of these sources"
        )
    )
    sheet.header([_("Source"), T_CO2E])
    for source in share.sources:
        sheet.append([source.name, source.t_co2e], [None, "tonnes"])
    sheet.append([_("Total"), share.t_co2e], [None, "tonnes"])


def build(
    *,
    organisation: Organisation,
    year: int,
    language: str,
    business_unit: BusinessUnit | None = None,
) -> bytes:
    """Return the tables of a year's annual report as a workbook."""
    # The data names activity types in the report's language.
    with translation.override(language):
        data = annual_report_data(
            organisation=organisation, year=year, business_unit=business_unit
        )
    return report_tables_xlsx(data, language=language)


KIND = ReportKindSpec(
    code=ReportKind.XLSX, extension="xlsx", content_type=XLSX, build=build
)
