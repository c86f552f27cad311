"""The full inventory as a workbook for auditors, and entries as safe CSV."""

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from carbonledger.lib.spreadsheets import (
    TEXT,
    XLSX_CONTENT_TYPE,
    Column,
    SpreadsheetWriter,
    csv_bytes,
)
from emissions.models import ActivityEntry

ENTRY_COLUMNS = [
    "entry_id",
    "business_unit",
    "year",
    "period_start",
    "period_end",
    "activity",
    "activity_name",
    "scope",
    "scope3_category",
    "iso_category",
    "quantity",
    "unit",
    "converted_quantity",
    "factor_unit",
    "factor_publisher",
    "factor_set",
    "factor_edition",
    "factor_key",
    "factor_value_kg_per_unit",
    "factor_note",
    "gwp_set",
    "kg_co2e",
    "kg_co2",
    "kg_ch4",
    "kg_n2o",
    "kg_other_gases",
    "kg_co2e_market",
    "data_quality",
    "evidence_count",
    "comment",
    "source_reference",
    "last_changed_by",
    "last_changed_at",
    "import_batch",
]
# The CSV keeps the column names above (a file for programs); the workbook
# shows these headings in the reader's language.
ENTRY_LABELS = {
    "entry_id": gettext_lazy("Entry"),
    "business_unit": gettext_lazy("Business unit"),
    "year": gettext_lazy("Year"),
    "period_start": gettext_lazy("Period start"),
    "period_end": gettext_lazy("Period end"),
    "activity": gettext_lazy("Activity code"),
    "activity_name": gettext_lazy("Activity"),
    "scope": gettext_lazy("Scope"),
    "scope3_category": gettext_lazy("Scope 3 category"),
    "iso_category": gettext_lazy("ISO 14064-1 category"),
    "quantity": gettext_lazy("Quantity"),
    "unit": gettext_lazy("Unit of measure"),
    "converted_quantity": gettext_lazy("Converted quantity"),
    "factor_unit": gettext_lazy("Factor unit"),
    "factor_publisher": gettext_lazy("Publisher"),
    "factor_set": gettext_lazy("Factor set"),
    "factor_edition": gettext_lazy("Edition"),
    "factor_key": gettext_lazy("Factor key"),
    "factor_value_kg_per_unit": gettext_lazy("Factor (kg CO2e per unit)"),
    "factor_note": gettext_lazy("Factor note"),
    "gwp_set": gettext_lazy("GWP set"),
    "kg_co2e": gettext_lazy("kg CO2e"),
    "kg_co2": "kg CO2",
    "kg_ch4": "kg CH4",
    "kg_n2o": "kg N2O",
    "kg_other_gases": gettext_lazy("kg CO2e of other gases"),
    "kg_co2e_market": gettext_lazy("kg CO2e at the residual mix"),
    "data_quality": gettext_lazy("Data quality"),
    "evidence_count": gettext_lazy("Evidence files"),
    "comment": gettext_lazy("Comment"),
    "source_reference": gettext_lazy("Source reference"),
    "last_changed_by": gettext_lazy("Last changed by"),
    "last_changed_at": gettext_lazy("Last changed"),
    "import_batch": gettext_lazy("Import batch"),
}
ENTRY_KINDS = {
    "entry_id": "code",
    "year": "code",
    "period_start": "date",
    "period_end": "date",
    "scope": "code",
    "scope3_category": "code",
    "quantity": "quantity",
    "converted_quantity": "quantity",
    "factor_edition": "code",
    "factor_value_kg_per_unit": "factor",
    "kg_co2e": "kg",
    "kg_co2": "kg",
    "kg_ch4": "kg",
    "kg_n2o": "kg",
    "kg_other_gases": "kg",
    "kg_co2e_market": "kg",
    "evidence_count": "integer",
    "last_changed_at": "datetime",
    "import_batch": "code",
}


# The columns each entry row is read from, in one query without model
# instances: an export of every year holds hundreds of thousands of lines.
_ENTRY_VALUES = (
    "pk",
    "business_unit__code",
    "reporting_year__year",
    "period_start",
    "period_end",
    "activity_type__code",
    "activity_type__name",
    "scope",
    "scope3_category",
    "iso_category",
    "quantity",
    "unit",
    "converted_quantity",
    "factor_unit",
    "factor_set__publisher",
    "factor_set__name",
    "factor_set__edition_year",
    "factor_key",
    "factor_value",
    "factor_note",
    "gwp_set",
    "kg_co2e",
    "kg_by_gas",
    "kg_co2e_market",
    "data_quality",
    "comment",
    "source_reference",
    "updated_by__email",
    "updated_at",
    "import_batch_id",
)
_MAIN_GASES = ("CO2", "CH4", "N2O")


def entries_of(
    organisation: Organisation,
    year: int | None,
    unit_ids: Collection[int] | None = None,
):
    """The entries an export holds: of a year, or of every year.

    `unit_ids` limits them to some business units (a limited member's).
    """
    qs = ActivityEntry.objects.filter(organisation=organisation)
    if year is not None:
        qs = qs.filter(reporting_year__year=year)
    if unit_ids is not None:
        qs = qs.filter(business_unit_id__in=unit_ids)
    return qs


def _entry_rows(
    organisation: Organisation, year: int | None, unit_ids: Collection[int] | None
):
    """Yield the export row of every entry, in year, unit, activity order."""
    entries = entries_of(organisation, year, unit_ids)
    links = ActivityEntry.evidence.through.objects.filter(
        activityentry__in=entries.values("pk"),
        evidencedocument__removed_at__isnull=True,
    )
    evidence = dict(
        links.values("activityentry_id")
        .annotate(n=Count("*"))
        .values_list("activityentry_id", "n")
        .order_by()
    )
    ordered = entries.order_by(
        "reporting_year__year", "business_unit__code", "activity_type__code", "pk"
    ).values_list(*_ENTRY_VALUES)
    for values in ordered.iterator(chunk_size=2000):
        yield _row(dict(zip(_ENTRY_VALUES, values, strict=True)), evidence)


def _gas(gases: dict, gas: str) -> Decimal | None:
    value = gases.get(gas)
    return Decimal(str(value)) if value is not None else None


def _row(entry: dict, evidence: dict[int, int]) -> list:
    gases = entry["kg_by_gas"] or {}
    other = sum(
        (Decimal(str(v)) for k, v in gases.items() if k not in _MAIN_GASES),
        Decimal(0),
    )
    return [
        entry["pk"],
        entry["business_unit__code"],
        entry["reporting_year__year"],
        entry["period_start"],
        entry["period_end"],
        entry["activity_type__code"],
        entry["activity_type__name"],
        entry["scope"],
        entry["scope3_category"],
        entry["iso_category"],
        entry["quantity"],
        entry["unit"],
        entry["converted_quantity"],
        entry["factor_unit"],
        entry["factor_set__publisher"] or "",
        entry["factor_set__name"] or "",
        entry["factor_set__edition_year"],
        entry["factor_key"],
        entry["factor_value"],
        entry["factor_note"],
        entry["gwp_set"],
        entry["kg_co2e"],
        _gas(gases, "CO2"),
        _gas(gases, "CH4"),
        _gas(gases, "N2O"),
        other if gases else None,
        entry["kg_co2e_market"],
        entry["data_quality"],
        evidence.get(entry["pk"], 0),
        entry["comment"],
        entry["source_reference"],
        entry["updated_by__email"],
        entry["updated_at"].replace(tzinfo=None),
        entry["import_batch_id"],
    ]


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
    from emissions.year_settings import settings_by_year
    from reports.selectors import scope_totals_by_year

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
        for row in _entry_rows(organisation, year, unit_ids):
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


def entries_csv(
    *,
    organisation: Organisation,
    year: int | None = None,
    unit_ids: Collection[int] | None = None,
) -> bytes:
    """Return the entries as CSV, safe to open in a spreadsheet."""
    return csv_bytes(ENTRY_COLUMNS, _entry_rows(organisation, year, unit_ids))


@dataclass(frozen=True)
class InventoryDownload:
    """A download of the inventory: its file, or none when it is too large."""

    name: str
    content_type: str
    payload: bytes | None = None  # None: too large to build in a request
    entry_count: int | None = None


def inventory_download(
    *,
    organisation: Organisation,
    fmt: str,
    year: int | None = None,
    unit_ids: Collection[int] | None = None,
) -> InventoryDownload:
    """Build the entries CSV or the inventory workbook (`fmt` csv or xlsx).

    The one place that decides what is built in the request: a workbook of
    more than INVENTORY_DIRECT_ENTRIES entries (about 4 s) is not; the answer
    then holds its entry count and no file, and the workbook is asked for as
    a report, built by the task queue and kept on the reports page.
    """
    suffix = year or "all-years"
    if fmt == "csv":
        return InventoryDownload(
            name=f"{organisation.slug}-entries-{suffix}.csv",
            content_type="text/csv",
            payload=entries_csv(
                organisation=organisation, year=year, unit_ids=unit_ids
            ),
        )
    name = f"{organisation.slug}-inventory-{suffix}.xlsx"
    count = entries_of(organisation, year, unit_ids).count()
    if count > settings.INVENTORY_DIRECT_ENTRIES:
        return InventoryDownload(
            name=name, content_type=XLSX_CONTENT_TYPE, entry_count=count
        )
    return InventoryDownload(
        name=name,
        content_type=XLSX_CONTENT_TYPE,
        payload=inventory_workbook(
            organisation=organisation, year=year, unit_ids=unit_ids
        ),
        entry_count=count,
    )
