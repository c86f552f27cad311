"""The Eco-Lighthouse (Miljøfyrtårn) annual environmental report's figures.

Energy, transport, waste by fraction, full-time equivalents and turnover, with
Norwegian labels, in the shape of the Eco-Lighthouse report. The figures are
the dashboard's (`inventory_for_year`), so the equity share and the headline
scope 2 method apply.
"""

from decimal import Decimal

from django.utils import translation

from accounts.models import BusinessUnit, Organisation
from carbonledger.lib.spreadsheets import SpreadsheetWriter
from emissions import units as unit_table
from reports.kinds.base import XLSX, ReportKindSpec
from reports.models import ReportKind
from reports.selectors import eco_lighthouse_lines, inventory_for_year

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
    # The Eco-Lighthouse report is Norwegian: activity names in Bokmål.
    with translation.override("nb"):
        inventory = inventory_for_year(
            organisation=organisation, year=year, business_unit=business_unit
        )
        lines = eco_lighthouse_lines(
            organisation=organisation, sources=inventory.sources
        )
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
    return workbook.save()


def build(
    *,
    organisation: Organisation,
    year: int,
    language: str,
    business_unit: BusinessUnit | None = None,
) -> bytes:
    """Return the Eco-Lighthouse figures of a year (always in Norwegian)."""
    return eco_lighthouse_xlsx(
        organisation=organisation, year=year, business_unit=business_unit
    )


KIND = ReportKindSpec(
    code=ReportKind.ECO_LIGHTHOUSE, extension="xlsx", content_type=XLSX, build=build
)
