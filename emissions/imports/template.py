"""The organisation's import template: .xlsx with drop-down lists, and .csv."""

import itertools

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import Organisation
from carbonledger.lib.spreadsheets import TEXT, Column, SpreadsheetWriter, csv_bytes
from emissions.imports.reading import COLUMNS, REQUIRED_COLUMNS
from emissions.models import ActivityType, DataQuality

MAX_TEMPLATE_ROWS = 5000


def _types(organisation: Organisation) -> list[ActivityType]:
    types = {
        t.code: t
        for t in ActivityType.objects.filter(organisation__isnull=True, is_active=True)
    }
    types.update(
        {t.code: t for t in organisation.activity_types.filter(is_active=True)}
    )
    return sorted(types.values(), key=lambda t: (t.scope, t.code))


def template_xlsx(organisation: Organisation, language: str = "en") -> bytes:
    """Return the import template workbook of an organisation."""
    types = _types(organisation)
    units = [u.code for u in organisation.business_units.order_by("code")]
    all_units = sorted({unit for t in types for unit in t.allowed_units})
    with translation.override(language):
        book = SpreadsheetWriter()
        # The columns keep their names: they are what the import reads.
        sheet = book.table(
            "Activities",
            [
                Column(column, width=20, required=column in REQUIRED_COLUMNS)
                for column in COLUMNS
            ],
        )
        lists = book.sheet("Lists")
        values = (units, [t.code for t in types], all_units, DataQuality.values)
        for row in itertools.zip_longest(*values):
            lists.append(list(row), [TEXT] * len(row))
        lists.ws.sheet_state = "hidden"
        for column_letter, list_column, count in (
            ("A", "A", len(units)),
            ("C", "B", len(types)),
            ("E", "C", len(all_units)),
            ("H", "D", len(DataQuality.values)),
        ):
            validation = DataValidation(
                type="list",
                formula1=f"=Lists!${list_column}$1:${list_column}${max(count, 1)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=_("Not in the list"),
                error=_("Choose a value from the list."),
            )
            validation.add(f"{column_letter}2:{column_letter}{MAX_TEMPLATE_ROWS}")
            sheet.ws.data_validations.append(validation)
        help_sheet = book.sheet(_("Instructions"), widths=[22, 90])
        help_sheet.title(_("Import template for %(org)s") % {"org": organisation.name})
        help_sheet.blank()
        for column, text in (
            ("business_unit", _("Business-unit code (see the list).")),
            ("year", _("Reporting year, e.g. 2024.")),
            ("activity", _("Activity code (see the list and the catalogue below).")),
            (
                "quantity",
                _(
                    "Amount, e.g. 12500 or 12 500,5. Group thousands with a space, "
                    "not a point or a comma. No negative numbers."
                ),
            ),
            ("unit", _("Unit allowed for the activity (see the catalogue below).")),
            ("period_start", _("Optional: first day, YYYY-MM-DD or DD.MM.YYYY.")),
            ("period_end", _("Optional: last day, inside the same year.")),
            ("data_quality", _("measured, calculated, estimated or spend_based.")),
            ("comment", _("Optional free text.")),
            ("source_reference", _("Optional: invoice number, meter ID ...")),
        ):
            help_sheet.append([column, text])
        help_sheet.blank()
        help_sheet.header([_("Activity"), _("Allowed units"), _("Scope")])
        for activity in types:
            help_sheet.append(
                [
                    activity.code,
                    f"{activity.localised_name(language)}: "
                    f"{', '.join(activity.allowed_units)}",
                    activity.scope,
                ],
                [TEXT, TEXT, "code"],
            )
        return book.save()


def template_csv(organisation: Organisation) -> bytes:
    """Return the CSV variant: the header and one example row."""
    unit = organisation.business_units.order_by("code").first()
    example = [
        unit.code if unit else "OSL",
        "2024",
        "electricity",
        "125000",
        "kWh",
        "2024-01-01",
        "2024-12-31",
        "measured",
        "",
        "invoice 2024-117",
    ]
    return csv_bytes(COLUMNS, [example])
