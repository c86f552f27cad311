"""Render the annual carbon report to PDF with WeasyPrint (rendering only).

The figures come from `reports.selectors.annual_report_data`; this module turns
them into HTML in the report's language, adds the charts and prints it.
"""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.charts import (
    SCOPE_COLOURS,
    STRUCTURAL_COLOUR,
    WaterfallBar,
    horizontal_bars,
    inventory_scope_chart,
    scope_split,
    waterfall,
)
from reports.coverage import report_instruments
from reports.selectors import AnnualReportData
from reports.summary import (
    Bridge,
    bridge_between,
    factor_publications_for,
    report_narrative_for,
    scope3_exclusions_for,
    unconfirmed_factors_for,
)

CSS_PATH = Path(settings.BASE_DIR) / "static" / "css" / "report-print.css"


def _charts(data: AnnualReportData, language: str) -> dict[str, str]:
    inventory = data.inventory
    scopes_chart = inventory_scope_chart(
        inventory,
        language=language,
        chart_id="pdf-scopes",
        description=_(
            "Stacked bars of tonnes CO2e per year and scope; the dashed line is "
            "the target. The same figures are in the table below."
        ),
    )
    units_chart = horizontal_bars(
        sorted(inventory.by_business_unit.items(), key=lambda kv: -kv[1]),
        title=_("Emissions by business unit"),
        description=_("Tonnes CO2e per business unit; also in the table."),
        language=language,
        chart_id="pdf-units",
    )
    split_chart = scope_split(
        [
            (_("Scope 1"), inventory.scope1_t_co2e, SCOPE_COLOURS[1]),
            (
                _("Scope 2 (market-based)")
                if inventory.headline_scope2 == "market"
                else _("Scope 2 (location-based)"),
                inventory.scope2_market_t_co2e
                if inventory.headline_scope2 == "market"
                else inventory.scope2_location_t_co2e,
                SCOPE_COLOURS[2],
            ),
            (_("Scope 3"), inventory.scope3_t_co2e, SCOPE_COLOURS[3]),
        ],
        title=_("Emissions by scope %(year)s") % {"year": inventory.year},
        description=_("Share of the year's gross emissions per scope."),
        language=language,
        chart_id="pdf-split",
    )
    charts = {"scopes": scopes_chart, "units": units_chart, "split": split_chart}
    return {name: mark_safe(svg) for name, svg in charts.items()}  # noqa: S308 (built with escaped text)


def _bridge_chart(bridge: Bridge, *, language: str, chart_id: str) -> str:
    bars = [WaterfallBar(bridge.start_label, bridge.start_t, level=True)]
    for step in bridge.steps:
        colour = STRUCTURAL_COLOUR if step.kind == "structural" else ""
        bars.append(WaterfallBar(step.label, step.value_t, step.level, colour))
    bars.append(WaterfallBar(bridge.end_label, bridge.end_t, level=True))
    return mark_safe(  # noqa: S308 (built with escaped text)
        waterfall(
            bars,
            title=_("From %(start)s to %(end)s")
            % {"start": bridge.start_year, "end": bridge.end_year},
            description=_(
                "Each bar is a change in tonnes CO2e, from the first year's total "
                "to the last's; the table beside it has the same figures."
            ),
            language=language,
            chart_id=chart_id,
        )
    )


def _extras(data: AnnualReportData, language: str) -> dict:
    """Read what the report shows beyond the inventory: texts, bridges, methods."""
    inventory = data.inventory
    organisation = data.organisation
    year = inventory.year
    bridges = []
    if inventory.base_year < year and inventory.base_year_total_t_co2e is not None:
        adjustment = inventory.base_year_total_t_co2e - (
            inventory.base_year_original_t_co2e or inventory.base_year_total_t_co2e
        )
        bridges.append(
            bridge_between(
                organisation=organisation,
                start_year=inventory.base_year,
                end_year=year,
                business_unit=data.business_unit,
                adjustment_t=adjustment,
            )
        )
    if year - 1 > inventory.base_year:
        bridges.append(
            bridge_between(
                organisation=organisation,
                start_year=year - 1,
                end_year=year,
                business_unit=data.business_unit,
            )
        )
    exclusions = scope3_exclusions_for(organisation=organisation, year=year)
    bridges = [
        (bridge, _bridge_chart(bridge, language=language, chart_id=f"bridge-{index}"))
        for index, bridge in enumerate(bridges)
        if bridge is not None
    ]
    return {
        "narrative": report_narrative_for(
            organisation=organisation, year=year, language=language
        ),
        "exclusions": exclusions,
        "unconfirmed_factors": unconfirmed_factors_for(
            organisation=organisation, year=year, business_unit=data.business_unit
        ),
        "bridges": bridges,
        "instruments": report_instruments(
            organisation=organisation, year=year, business_unit=data.business_unit
        ),
        "publications": factor_publications_for(
            organisation=organisation, year=year, business_unit=data.business_unit
        ),
        "not_assessed": [
            number
            for number in scope3_category_names()
            if number not in inventory.scope3_by_category
            and number not in {e.category for e in exclusions}
        ],
    }


def render_html(data: AnnualReportData, *, language: str) -> str:
    """Return the report's HTML in a language (en, nb, sv)."""
    with translation.override(language):
        return render_to_string(
            "reports/pdf/annual.html",
            {
                "data": data,
                "inv": data.inventory,
                "org": data.organisation,
                "charts": _charts(data, language),
                "generated_at": timezone.localtime(),
                "language": language,
                "zero": Decimal(0),
                "scope3_category_names": scope3_category_names(),
                "iso_category_names": iso_category_names(),
                **_extras(data, language),
            },
        )


def html_to_pdf(html: str) -> bytes:
    """Print HTML to PDF bytes with the report's print stylesheet."""
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(CSS_PATH))]
    )


def render_pdf(data: AnnualReportData, *, language: str) -> bytes:
    """Return the annual report as PDF bytes."""
    return html_to_pdf(render_html(data, language=language))


def scope3_category_names() -> dict[int, str]:
    """Return the GHG Protocol scope 3 category names, translated."""
    return {
        1: _("Purchased goods and services"),
        2: _("Capital goods"),
        3: _("Fuel- and energy-related activities"),
        4: _("Upstream transportation and distribution"),
        5: _("Waste generated in operations"),
        6: _("Business travel"),
        7: _("Employee commuting"),
        8: _("Upstream leased assets"),
        9: _("Downstream transportation and distribution"),
        10: _("Processing of sold products"),
        11: _("Use of sold products"),
        12: _("End-of-life treatment of sold products"),
        13: _("Downstream leased assets"),
        14: _("Franchises"),
        15: _("Investments"),
    }


def iso_category_names() -> dict[int, str]:
    """Return the ISO 14064-1:2018 category names, translated."""
    return {
        1: _("Direct emissions and removals"),
        2: _("Indirect emissions from imported energy"),
        3: _("Indirect emissions from transportation"),
        4: _("Indirect emissions from products an organisation uses"),
        5: _("Indirect emissions associated with the use of products"),
        6: _("Indirect emissions from other sources"),
    }
