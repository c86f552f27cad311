"""Entries as export rows: the inventory workbook's entries sheet and safe CSV."""

from collections.abc import Collection
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext_lazy

from accounts.models import Organisation
from carbonledger.lib.spreadsheets import csv_bytes
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


def entry_rows(
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


def entries_csv(
    *,
    organisation: Organisation,
    year: int | None = None,
    unit_ids: Collection[int] | None = None,
) -> bytes:
    """Return the entries as CSV, safe to open in a spreadsheet."""
    return csv_bytes(ENTRY_COLUMNS, entry_rows(organisation, year, unit_ids))
