"""Excel workbooks of the reports area: report tables and Eco-Lighthouse figures."""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation
from carbonledger.lib.formatting import gas_name
from carbonledger.lib.spreadsheets import Column, SpreadsheetWriter
from emissions import units as unit_table
from reports.pdf import scope3_category_names
from reports.selectors import AnnualReportData

T_CO2E = "t CO2e"


def _sheet(workbook: SpreadsheetWriter, title: str, header: list[Column]):
    return workbook.table(title, header)


def _save(workbook: SpreadsheetWriter) -> bytes:
    return workbook.save()


def report_tables_xlsx(data: AnnualReportData, *, language: str) -> bytes:
    """Return the annual report's tables as a workbook (full precision, t CO2e)."""
    inv = data.inventory
    with translation.override(language):
        workbook = SpreadsheetWriter()
        summary = _sheet(
            workbook, _("Summary"), [Column(_("Figure")), Column(T_CO2E, "tonnes")]
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
        years = _sheet(
            workbook,
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
        categories = _sheet(
            workbook,
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
        units = _sheet(
            workbook,
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
        appendix = _sheet(
            workbook,
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
    return _save(workbook)


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


# Eco-Lighthouse (Miljøfyrtårn) annual environmental report: energy, transport,
# waste by fraction, full-time equivalents and turnover, with Norwegian labels.
_ENERGY = {
    "electricity": "Elektrisitet (kWh)",
    "district_heating": "Fjernvarme (kWh)",
    "district_cooling": "Fjernkjøling (kWh)",
}
_WASTE_PREFIX = "waste_"
_ENERGY_KINDS = [None, "quantity", None, "quantity", "kg", "kg"]


def _kwh(quantity: Decimal, unit: str) -> Decimal | None:
    """Return the quantity in kWh (fuels given on a gross basis stay gross)."""
    for target in ("kWh", "kWh_gross"):
        try:
            return unit_table.convert(quantity, unit, target)
        except ValueError:
            continue
    return None


# Sections by the activity type's scope and category: energy and fuels are
# scopes 1 and 2 (refrigerant leakage apart), transport the scope 3 categories
# of transport and travel, waste category 5; everything else is listed too,
# so that the sections add up to the dashboard's total.
_TRANSPORT_CATEGORIES = (4, 6, 7, 9)
_WASTE_CATEGORY = 5


def _eco_section(line) -> str:
    if line.scope in (1, 2) and not line.refrigerant:
        return "energy"
    if line.scope == 3 and line.scope3_category in _TRANSPORT_CATEGORIES:
        return "transport"
    if line.scope == 3 and line.scope3_category == _WASTE_CATEGORY:
        return "waste"
    return "other"


def eco_lighthouse_xlsx(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> bytes:
    """Return the year's environmental figures in the Eco-Lighthouse report's shape.

    The figures are the dashboard's (`inventory_for_year`): equity share
    applied, scope 2 by the headline method with the other method beside it.
    """
    from reports.selectors import eco_lighthouse_lines, inventory_for_year

    # The Eco-Lighthouse report is Norwegian: activity names in Bokmål.
    with translation.override("nb"):
        inventory = inventory_for_year(
            organisation=organisation, year=year, business_unit=business_unit
        )
        lines = eco_lighthouse_lines(organisation=organisation, inventory=inventory)
    market = inventory.headline_is_market
    method, other_method = "markedsbasert", "lokasjonsbasert"
    if not market:
        method, other_method = other_method, method
    workbook = SpreadsheetWriter()
    sheet = workbook.sheet("Miljørapport", widths=[48, 18, 18, 18, 18, 18])
    sheet.title(f"Miljøfyrtårn – årlig miljørapport {year}", organisation.name)
    sheet.blank()

    def section(title: str) -> None:
        sheet.heading(title)

    def kg(t: Decimal | None) -> Decimal | None:
        return None if t is None else t * 1000

    section("Energi og drivstoff (scope 1 og 2)")
    sheet.header(
        [
            "Energibærer",
            "Mengde",
            "Enhet",
            "kWh",
            f"Utslipp (kg CO2e, scope 2 {method})",
            f"Scope 2 {other_method} (kg CO2e)",
        ]
    )
    energy_total = Decimal(0)
    for line in lines:
        if _eco_section(line) != "energy":
            continue
        kwh = line.energy_kwh
        if kwh is None:
            kwh = _kwh(line.quantity, line.unit)
        label = _ENERGY.get(line.code, line.name)
        energy_total += kwh or 0
        other = line.t_co2e_location if market else line.t_co2e_market
        sheet.append(
            [
                label,
                line.quantity,
                line.unit,
                kwh,
                kg(line.t_co2e),
                kg(other) if line.scope == 2 else None,
            ],
            _ENERGY_KINDS,
        )
    sheet.append(["Sum energi", None, None, energy_total], _ENERGY_KINDS)
    sheet.blank()

    section("Transport og reiser (scope 3)")
    sheet.header(["Transportmiddel", "Mengde", "Enhet", "Utslipp (kg CO2e)"])
    for line in lines:
        if _eco_section(line) == "transport":
            sheet.append(
                [line.name, line.quantity, line.unit, kg(line.t_co2e)],
                [None, "quantity", None, "kg"],
            )
    sheet.blank()

    section("Avfall")
    sheet.header(["Fraksjon", "Mengde (kg)", "Utslipp (kg CO2e)"])
    waste_total = Decimal(0)
    waste_sorted = Decimal(0)
    for line in lines:
        if _eco_section(line) != "waste":
            continue
        try:
            waste_kg = unit_table.convert(line.quantity, line.unit, "kg")
        except ValueError:
            sheet.append([line.name, None, kg(line.t_co2e)])
            continue
        waste_total += waste_kg
        code = line.code
        if "landfill" not in code and "residual" not in code and "mixed" not in code:
            waste_sorted += waste_kg
        sheet.append([line.name, waste_kg, kg(line.t_co2e)], [None, "kg", "kg"])
    sheet.append(["Sum avfall (kg)", waste_total], [None, "kg"])
    sheet.append(
        [
            "Sorteringsgrad (%)",
            (waste_sorted / waste_total * 100).quantize(Decimal("0.1"))
            if waste_total
            else None,
        ],
        [None, "percent"],
    )
    sheet.blank()

    section("Øvrige utslipp")
    sheet.header(["Kilde", "Mengde", "Enhet", "Utslipp (kg CO2e)"])
    for line in lines:
        if _eco_section(line) == "other":
            sheet.append(
                [line.name, line.quantity, line.unit, kg(line.t_co2e)],
                [None, "quantity", None, "kg"],
            )
    sheet.blank()

    section("Nøkkeltall")
    fte = next(
        (line.value for line in inventory.intensity_lines if line.kind == "fte"), None
    )
    area = next(
        (line.value for line in inventory.intensity_lines if line.kind == "floor_area"),
        None,
    )
    sheet.append(["Årsverk", fte], [None, "quantity"])
    for line in inventory.intensity_lines:
        if line.kind == "revenue":
            label = f"Omsetning ({line.unit or 'MNOK'})"
            if not line.covers_all:
                label += f" – kun {', '.join(line.business_units)}"
            sheet.append([label, line.value], [None, "quantity"])
    sheet.append(["Oppvarmet areal (m²)", area], [None, "quantity"])
    # The headline method first, then the other one.
    totals = [
        ("markedsbasert", inventory.total_market_t_co2e),
        ("lokasjonsbasert", inventory.total_location_t_co2e),
    ]
    if not market:
        totals.reverse()
    for index, (name, total) in enumerate(totals):
        headline = ", hovedtall" if index == 0 else ""
        sheet.append(
            [f"Klimagassutslipp totalt (tonn CO2e, scope 2 {name}{headline})", total],
            [None, "tonnes"],
        )
    return _save(workbook)
