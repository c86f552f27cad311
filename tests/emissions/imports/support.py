"""Files and helpers shared by the import tests."""

import io

from django.urls import reverse
from openpyxl import Workbook

from emissions.imports.reading import COLUMNS
from emissions.imports.selectors import import_batch_page
from emissions.imports.stored import SHOWN_COLUMNS
from emissions.imports.values import cell_text
from emissions.models import ActivityEntry, ImportBatch


def xlsx(rows, header=COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Activities"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


GOOD = [
    ["OSL", 2024, "electricity", 10000, "kWh", None, None, "measured", "", "inv-1"],
    [
        "OSL",
        2024,
        "electricity",
        "2 500,5",
        "kWh",
        "01.01.2024",
        "31.03.2024",
        "estimated",
        "Q1",
        "inv-2",
    ],
]


MIXED = [
    ["OSL", 2024, "electricity", 10000, "kWh", None, None, "measured", "", "a"],
    ["OSL", 2024, "electricity", -5, "kWh"],
    ["OSL", 2024.0, "electricity", "2 500,5", "MWh", "2024-01-01", "2024-03-31"],
    ["XXX", 2024, "electricity", 7.25, "kWh"],
    ["OSL", 2024, "electricity", "1,250", "kWh"],
    ["OSL", 2024, "district_heating", 300, "kWh"],
]


def entry_values(batch) -> list[dict]:
    skip = {"id", "import_batch_id", "calculated_at", "created_at", "updated_at"}
    names = [f.attname for f in ActivityEntry._meta.concrete_fields]
    return [
        {name: getattr(e, name) for name in names if name not in skip}
        for e in ActivityEntry.objects.filter(import_batch=batch).order_by("id")
    ]


def shown_rows(rows):
    return [
        (
            row.number,
            {name: cell_text(row.values.get(name)) for name in SHOWN_COLUMNS},
            [tuple(error) for error in row.errors],
            row.quantity,
            row.scope,
            row.kg_co2e,
        )
        for row in rows
    ]


def page_checked_again(org, batch, page, per_page):
    """The page as every row checked again gives it (no shown rows)."""
    again = ImportBatch.objects.get(pk=batch.pk)
    again.shown_file = ""
    return import_batch_page(
        organisation=org, batch=again, page=page, per_page=per_page
    )


def stored_names():
    from django.core.files.storage import default_storage

    folders = default_storage.listdir("imports")[0]
    return [
        name
        for folder in folders
        for name in default_storage.listdir(f"imports/{folder}")[1]
    ]


def upload(client, org, name, data, **headers):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        reverse("import_upload", args=[org.slug]), {"file": upload}, **headers
    )
