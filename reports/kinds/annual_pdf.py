"""The annual carbon report as PDF, printed with WeasyPrint (rendering only).

The figures come from `reports.selectors.annual_report_data`; this module turns
them into HTML in the report's language, adds the charts and prints it.
"""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from accounts.models import BusinessUnit, Organisation
from reports.categories import iso_category_names, scope3_category_names
from reports.charts import (
    bridge_chart,
    inventory_scope_chart,
    inventory_split_chart,
    inventory_unit_chart,
)
from reports.coverage import report_instruments
from reports.kinds.base import ReportKindSpec
from reports.models import ReportKind
from reports.selectors import (
    AnnualReportData,
    annual_report_data,
    bridge_between,
    factor_publications_for,
    report_narrative_for,
    scope3_exclusions_for,
    unconfirmed_factors_for,
)

CSS_PATH = Path(settings.BASE_DIR) / "static" / "css" / "report-print.css"


def _charts(data: AnnualReportData, language: str) -> dict[str, str]:
    inventory = data.inventory
    charts = {
        "scopes": inventory_scope_chart(
            inventory, language=language, chart_id="pdf-scopes"
        ),
        "units": inventory_unit_chart(
            inventory, language=language, chart_id="pdf-units"
        ),
        "split": inventory_split_chart(
            inventory, language=language, chart_id="pdf-split"
        ),
    }
    return {name: mark_safe(svg) for name, svg in charts.items()}  # noqa: S308 (built with escaped text)


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
        (
            bridge,
            mark_safe(  # noqa: S308 (built with escaped text)
                bridge_chart(bridge, language=language, chart_id=f"bridge-{index}")
            ),
        )
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


def build(
    *,
    organisation: Organisation,
    year: int,
    language: str,
    business_unit: BusinessUnit | None = None,
) -> bytes:
    """Return the annual report of a year (of a unit and its subtree) as PDF."""
    # The data names activity types in the report's language.
    with translation.override(language):
        data = annual_report_data(
            organisation=organisation, year=year, business_unit=business_unit
        )
    return render_pdf(data, language=language)


KIND = ReportKindSpec(
    code=ReportKind.PDF,
    extension="pdf",
    content_type="application/pdf",
    build=build,
)
