"""Excel workbooks of the reports area: report tables and Eco-Lighthouse figures."""

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation
from carbonledger.lib.spreadsheets import Column, SpreadsheetWriter
from emissions import units as unit_table
from reports.pdf import scope3_category_names
from reports.selectors import AnnualReportData, entries_for

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
            (_("Total, gross"), inv.total_t_co2e),
            (_("Base year (recalculated)"), inv.base_year_total_t_co2e),
            (_("Change against the base year"), inv.change_vs_base_year_t),
            (
                _("Cumulative reduction since the base year"),
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
        years = _sheet(
            workbook,
            _("Years"),
            [
                Column(_("Year"), "code"),
                *(
                    Column(label, "tonnes")
                    for label in (_("Scope 1"), _("Scope 2"), _("Scope 3"), _("Total"))
                ),
            ],
        )
        for year, t in sorted(inv.series.items()):
            if year <= inv.year:
                years.append([year, t.scope1_t, t.scope2_t, t.scope3_t, t.total_t])
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
        units = _sheet(
            workbook,
            _("Business units"),
            [Column(_("Code")), Column(_("Business unit")), Column(T_CO2E, "tonnes")],
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


# Eco-Lighthouse (Miljøfyrtårn) annual environmental report: energy, transport,
# waste by fraction, full-time equivalents and turnover, with Norwegian labels.
_ENERGY = {
    "electricity": "Elektrisitet (kWh)",
    "district_heating": "Fjernvarme (kWh)",
    "district_cooling": "Fjernkjøling (kWh)",
}
_WASTE_PREFIX = "waste_"
_ENERGY_KINDS = [None, "quantity", None, "quantity", "kg"]


def _kwh(quantity: Decimal, unit: str) -> Decimal | None:
    try:
        return unit_table.convert(quantity, unit, "kWh")
    except ValueError:
        return None


def _name_nb(row: dict) -> str:
    """The activity type's Norwegian name (the Eco-Lighthouse report is Norwegian)."""
    return row["activity_type__name_nb"] or row["activity_type__name"]


def eco_lighthouse_xlsx(
    *, organisation: Organisation, year: int, business_unit: BusinessUnit | None = None
) -> bytes:
    """Return the year's environmental figures in the Eco-Lighthouse report's shape."""
    entries = entries_for(
        organisation=organisation, business_unit=business_unit
    ).filter(reporting_year__year=year)
    by_type = list(
        entries.values(
            "activity_type__code",
            "activity_type__name",
            "activity_type__name_nb",
            "unit",
            "scope",
        )
        .annotate(q=Sum("quantity"), kwh=Sum("energy_kwh"), kg=Sum("kg_co2e"))
        .order_by("activity_type__code", "unit")
    )
    workbook = SpreadsheetWriter()
    sheet = workbook.sheet("Miljørapport", widths=[48, 18, 18, 18, 18])
    sheet.title(f"Miljøfyrtårn – årlig miljørapport {year}", organisation.name)
    sheet.blank()

    def section(title: str) -> None:
        sheet.heading(title)

    section("Energi")
    sheet.header(["Energibærer", "Mengde", "Enhet", "kWh", "Utslipp (kg CO2e)"])
    energy_total = Decimal(0)
    for row in by_type:
        code = row["activity_type__code"]
        if row["scope"] in (1, 2) and (
            row["kwh"] is not None or _kwh(row["q"], row["unit"])
        ):
            kwh = row["kwh"] if row["kwh"] is not None else _kwh(row["q"], row["unit"])
            label = _ENERGY.get(code, _name_nb(row))
            energy_total += kwh or 0
            sheet.append([label, row["q"], row["unit"], kwh, row["kg"]], _ENERGY_KINDS)
    sheet.append(["Sum energi", None, None, energy_total], _ENERGY_KINDS)
    sheet.blank()

    section("Transport")
    sheet.header(["Transportmiddel", "Mengde", "Enhet", "Utslipp (kg CO2e)"])
    transport_codes = (
        "flight",
        "rail",
        "taxi",
        "car",
        "bus",
        "diesel",
        "petrol",
        "hotel",
    )
    for row in by_type:
        code = row["activity_type__code"]
        if any(part in code for part in transport_codes):
            sheet.append(
                [_name_nb(row), row["q"], row["unit"], row["kg"]],
                [None, "quantity", None, "kg"],
            )
    sheet.blank()

    section("Avfall")
    sheet.header(["Fraksjon", "Mengde (kg)", "Utslipp (kg CO2e)"])
    waste_total = Decimal(0)
    waste_sorted = Decimal(0)
    for row in by_type:
        code = row["activity_type__code"]
        if not code.startswith(_WASTE_PREFIX):
            continue
        try:
            kg = unit_table.convert(row["q"], row["unit"], "kg")
        except ValueError:
            continue
        waste_total += kg
        if "landfill" not in code and "residual" not in code and "mixed" not in code:
            waste_sorted += kg
        sheet.append([_name_nb(row), kg, row["kg"]], [None, "kg", "kg"])
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

    section("Nøkkeltall")
    metrics = organisation.metrics.filter(reporting_year__year=year)
    if business_unit is not None:
        metrics = metrics.filter(business_unit=business_unit)
    fte = metrics.filter(kind="fte").aggregate(v=Sum("value"))["v"]
    revenue = metrics.filter(kind="revenue").values("unit").annotate(v=Sum("value"))
    area = metrics.filter(kind="floor_area").aggregate(v=Sum("value"))["v"]
    sheet.append(["Årsverk", fte], [None, "quantity"])
    for row in revenue:
        sheet.append(
            [f"Omsetning ({row['unit'] or 'MNOK'})", row["v"]], [None, "quantity"]
        )
    sheet.append(["Oppvarmet areal (m²)", area], [None, "quantity"])
    total_kg = entries.aggregate(kg=Sum("kg_co2e", filter=Q(scope__in=[1, 2, 3])))[
        "kg"
    ] or Decimal(0)
    sheet.append(
        ["Klimagassutslipp totalt (tonn CO2e, lokasjonsbasert)", total_kg / 1000],
        [None, "tonnes"],
    )
    return _save(workbook)
