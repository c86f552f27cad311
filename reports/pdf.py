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

from reports.charts import horizontal_bars, inventory_scope_chart
from reports.selectors import AnnualReportData

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
    return {"scopes": mark_safe(scopes_chart), "units": mark_safe(units_chart)}  # noqa: S308 (built with escaped text)


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
