"""The full inventory as a workbook for auditors, and entries as safe CSV."""

import csv
import io
from collections.abc import Collection
from decimal import Decimal

from django.db.models import Count
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts.models import Organisation
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
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    unit_ids: Collection[int] | None = None,
) -> bytes:
    """Return every entry with its factor and result, and summary sheets.

    The summary sheets come from the same selector as the dashboard and the
    annual report (equity share applied where the organisation uses it, scope 2
    market-based after contractual instruments), so their totals are the
    application's. Text is written as text: a comment starting with "=" stays
    a comment, never a formula. Limited to some units (`unit_ids`), it holds
    their entries and totals and no total of the whole organisation.
    """
    from emissions.year_settings import settings_by_year
    from reports.selectors import scope_totals_by_year

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Entries")
    sheet.append([_bold(sheet, name) for name in ENTRY_COLUMNS])
    for row in _entry_rows(organisation, year, unit_ids):
        sheet.append([_literal(sheet, value) for value in row])

    if unit_ids is None:
        by_scope = workbook.create_sheet("By scope")
        by_scope.append([_bold(by_scope, h) for h in SUMMARY_COLUMNS])
        for totals in _years(scope_totals_by_year(organisation=organisation), year):
            by_scope.append([totals.year, *_summary(totals)])

    by_unit = workbook.create_sheet("By business unit")
    by_unit.append(
        [_bold(by_unit, h) for h in ("business_unit", "name", *SUMMARY_COLUMNS)]
    )
    units = organisation.business_units.order_by("code")
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    for unit in units:
        series = scope_totals_by_year(organisation=organisation, business_unit=unit)
        for totals in _years(series, year):
            by_unit.append(
                [
                    _literal(by_unit, unit.code),
                    _literal(by_unit, unit.name),
                    totals.year,
                    *_summary(totals),
                ]
            )

    notes = workbook.create_sheet("About")
    notes.append([_literal(notes, f"Inventory of {organisation.name}")])
    # A closed year's figures use the settings fixed with it.
    settings = settings_by_year(organisation=organisation)
    approach = settings.for_year(year) if year is not None else settings.live
    for line in (
        "Entries: kg_co2e of scope 2 lines is location-based; kg_co2e_market is "
        "the line at the residual mix, before contractual instruments.",
        "Summary sheets: tonnes CO2e as the dashboard and the annual report give "
        "them; scope 2 market-based applies each unit's contractual instruments "
        "first. Totals are gross: carbon credits are never subtracted.",
        f"Consolidation approach: {approach.get_consolidation_approach_display()}"
        + (
            " (each unit's figures weighted by its equity share)."
            if approach.equity
            else "."
        )
        + (
            f" {year} keeps the settings fixed when it was submitted."
            if approach.is_fixed
            else ""
        ),
    ):
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SUMMARY_COLUMNS = (
    "year",
    "scope1_t_co2e",
    "scope2_location_t_co2e",
    "scope2_market_t_co2e",
    "scope3_t_co2e",
    "total_location_t_co2e",
    "total_market_t_co2e",
)


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


def _literal(sheet, value):
    """Return text as a string cell (never a formula); other values as they are."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _bold(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def neutralise(value) -> str:
    """Return a cell's text with a leading apostrophe if a spreadsheet could run it.

    Only text is changed: a number (a negative one included) stays a number.
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def entries_csv(
    *,
    organisation: Organisation,
    year: int | None = None,
    unit_ids: Collection[int] | None = None,
) -> bytes:
    """Return the entries as CSV, safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ENTRY_COLUMNS)
    for row in _entry_rows(organisation, year, unit_ids):
        writer.writerow([neutralise(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
