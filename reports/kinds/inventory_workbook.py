"""The full inventory for auditors: every entry, and totals by scope and unit."""

from collections.abc import Collection
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import BusinessUnit, Organisation
from accounts.selectors import unit_subtree_ids
from carbonledger.lib.spreadsheets import TEXT, Column, SpreadsheetWriter
from emissions.exporting import ENTRY_COLUMNS, ENTRY_KINDS, ENTRY_LABELS, entry_rows
from emissions.totals import scope_totals_by_year
from emissions.year_settings import settings_by_year
from reports.kinds.base import XLSX, ReportKindSpec
from reports.models import ReportKind


def inventory_workbook(
    *,
    organisation: Organisation,
    year: int | None = None,
    language: str | None = None,
    unit_ids: Collection[int] | None = None,
) -> bytes:
    """Return every entry with its factor and result, and summary sheets.

    The summary sheets come from the same selector as the dashboard and the
    annual report (equity share applied where the organisation uses it, scope 2
    market-based after contractual instruments), so their totals are the
    application's. Sheet names and headings are in `language` (the active
    language when None); text is written as text, never as a formula. Limited
    to some units (`unit_ids`), it holds their entries and totals and no total
    of the whole organisation.
    """
    with translation.override(language or translation.get_language()):
        book = SpreadsheetWriter()
        sheet = book.table(
            _("Entries"),
            [
                Column(str(ENTRY_LABELS[name]), ENTRY_KINDS.get(name, TEXT))
                for name in ENTRY_COLUMNS
            ],
            streaming=True,
        )
        for row in entry_rows(organisation, year, unit_ids):
            sheet.append(row)

        if unit_ids is None:
            by_scope = book.table(_("By scope"), _summary_columns())
            series = scope_totals_by_year(organisation=organisation)
            for totals in _years(series, year):
                by_scope.append([totals.year, *_summary(totals)])

        by_unit = book.table(
            _("By business unit"),
            [Column(_("Business unit")), Column(_("Name")), *_summary_columns()],
        )
        units = organisation.business_units.order_by("code")
        if unit_ids is not None:
            units = units.filter(pk__in=unit_ids)
        for unit in units:
            series = scope_totals_by_year(organisation=organisation, business_unit=unit)
            for totals in _years(series, year):
                by_unit.append([unit.code, unit.name, totals.year, *_summary(totals)])

        notes = book.sheet(_("About"), widths=[120])
        notes.title(
            _("Inventory of %(organisation)s") % {"organisation": organisation.name}
        )
        # A closed year's figures use the settings fixed with it.
        year_settings = settings_by_year(organisation=organisation)
        approach = (
            year_settings.for_year(year) if year is not None else year_settings.live
        )
        for line in (
            _(
                "Entries: kg CO2e of scope 2 lines is location-based; kg CO2e at "
                "the residual mix is the line before contractual instruments."
            ),
            _(
                "Summary sheets: tonnes CO2e as the dashboard and the annual report "
                "give them; scope 2 market-based applies each unit's contractual "
                "instruments first. Totals are gross: carbon credits are never "
                "subtracted."
            ),
            _("Consolidation approach: %(approach)s")
            % {"approach": approach.get_consolidation_approach_display()}
            + "."
            + (
                " " + _("Each unit's figures are weighted by its equity share.")
                if approach.equity
                else ""
            )
            + (
                " "
                + _("%(year)s keeps the settings fixed when it was submitted.")
                % {"year": year}
                if approach.is_fixed
                else ""
            ),
        ):
            notes.append([line])
        return book.save()


def _summary_columns() -> list[Column]:
    return [
        Column(_("Year"), "code"),
        Column(_("Scope 1, t CO2e"), "tonnes"),
        Column(_("Scope 2 location-based, t CO2e"), "tonnes"),
        Column(_("Scope 2 market-based, t CO2e"), "tonnes"),
        Column(_("Scope 3, t CO2e"), "tonnes"),
        Column(_("Total location-based, t CO2e"), "tonnes"),
        Column(_("Total market-based, t CO2e"), "tonnes"),
    ]


def _years(series: dict, year: int | None) -> list:
    return [totals for y, totals in sorted(series.items()) if year in (None, y)]


def _summary(totals) -> list[Decimal]:
    return [
        totals.scope1_t,
        totals.scope2_location_t,
        totals.scope2_market_t,
        totals.scope3_t,
        totals.scope1_t + totals.scope2_location_t + totals.scope3_t,
        totals.scope1_t + totals.scope2_market_t + totals.scope3_t,
    ]


def build(
    *,
    organisation: Organisation,
    year: int | None,
    language: str,
    business_unit: BusinessUnit | None = None,
) -> bytes:
    """Return the inventory of a year, or of every year, of a unit's subtree."""
    return inventory_workbook(
        organisation=organisation,
        year=year,
        language=language,
        unit_ids=unit_subtree_ids(
            organisation=organisation, business_unit=business_unit
        ),
    )


KIND = ReportKindSpec(
    code=ReportKind.INVENTORY_XLSX,
    extension="xlsx",
    content_type=XLSX,
    build=build,
    every_year=True,
)
