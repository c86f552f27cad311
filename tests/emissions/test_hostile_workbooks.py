"""Workbooks whose XML declares entities: a bomb or an external file.

Spreadsheet programs never write a DOCTYPE; such a file is refused with a
message, as a factor file and as an activity import, and nothing is stored.
"""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from emissions.imports.reading import COLUMNS, read_upload
from emissions.models import FactorSet, ImportBatch

pytestmark = pytest.mark.django_db

BOMB = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>',
    b"&lol3;",
)
EXTERNAL = (b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;")
MESSAGE = "The workbook declares XML entities"


def _workbook(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Activities"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _hostile(data: bytes, part: str, doctype: bytes, text: bytes, entity: bytes):
    """Return the workbook with a DOCTYPE in `part` and `text` replaced by `entity`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                if content.startswith(b"<?xml"):
                    end = content.index(b"?>") + 2
                    content = content[:end] + doctype + content[end:]
                else:
                    content = doctype + content
                content = content.replace(text, entity)
            archive.writestr(info.filename, content)
    return out.getvalue()


FACTORS = [
    ["key", "category", "name", "unit", "kg_co2e_per_unit", "source"],
    ["hotel-nordic", "Hotel", "Nordic hotel night", "room night", 12.5, "Supplier"],
]
ACTIVITIES = [COLUMNS, ["OSL", 2024, "electricity", 10000, "kWh"]]
CASES = [
    pytest.param(BOMB, "xl/worksheets/sheet1.xml", id="bomb-in-sheet"),
    pytest.param(EXTERNAL, "xl/worksheets/sheet1.xml", id="external-in-sheet"),
    pytest.param(BOMB, "xl/workbook.xml", id="bomb-in-workbook"),
    pytest.param(EXTERNAL, "[Content_Types].xml", id="external-in-content-types"),
]


@pytest.mark.parametrize(("entity", "part"), CASES)
@pytest.mark.parametrize("publisher", ["generic", "desnz", "epa"])
def test_factor_file_with_xml_entities_is_refused_with_a_message(
    client_for, admin, entity, part, publisher
):
    doctype, reference = entity
    data = _hostile(_workbook(FACTORS), part, doctype, b"Hotel<", reference + b"<")
    upload = SimpleUploadedFile("factors.xlsx", data)
    response = client_for(admin).post(
        reverse("factor_set_upload", args=["acme"]),
        {"publisher": publisher, "file": upload, "name": "Hotels", "year": "2024"},
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert FactorSet.objects.count() == 0


@pytest.mark.parametrize(("entity", "part"), CASES)
def test_activity_workbook_with_xml_entities_is_refused(entity, part):
    doctype, reference = entity
    data = _hostile(_workbook(ACTIVITIES), part, doctype, b"OSL<", reference + b"<")
    with pytest.raises(ValidationError) as caught:
        list(read_upload("q1.xlsx", data).rows)
    assert MESSAGE in caught.value.messages[0]


def test_activity_upload_with_an_entity_bomb_answers_with_a_message(
    client_for, org, editor, unit
):
    doctype, reference = BOMB
    data = _hostile(
        _workbook(ACTIVITIES),
        "xl/worksheets/sheet1.xml",
        doctype,
        b"OSL<",
        reference + b"<",
    )
    upload = SimpleUploadedFile("q1.xlsx", data)
    response = client_for(editor).post(
        reverse("import_upload", args=[org.slug]), {"file": upload}
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_an_ordinary_workbook_passes_the_entity_check():
    rows = list(read_upload("q1.xlsx", _workbook(ACTIVITIES)).rows)
    assert [row.values["business_unit"] for row in rows] == ["OSL"]
