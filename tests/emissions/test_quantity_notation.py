"""A quantity is read as the page's number format writes it, nothing more.

Python's Decimal() also reads "1_000", "1e3", "+5", "-0" and digits of other
scripts; the grid, the API and the import refuse them, each with its message.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from emissions.imports.reading import COLUMNS
from emissions.imports.values import parse_number
from emissions.models import ActivityEntry
from emissions.numbers import parse_quantity
from emissions.services.entries import entry_create

from .entries_support import load_reference

pytestmark = pytest.mark.django_db

D = Decimal
NOT_NUMBERS = [
    "1_000",
    "1__0",
    "١٢٣",  # ARABIC-INDIC DIGITS
    "１２",  # FULLWIDTH DIGITS
    "²",
    "1e3",
    "1E+3",
    "+5",
    "0x10",
    "5-",
]


@pytest.fixture
def catalogue(db):
    return load_reference()


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_shared_reader_refuses_what_no_page_writes(text):
    with pytest.raises(ValidationError) as caught:
        parse_number(text, ",")
    assert caught.value.messages == [f"“{text}” is not a number."]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_the_service_refuses_text_that_is_not_a_plain_number(text):
    with pytest.raises(ValidationError) as caught:
        parse_quantity(text)
    assert caught.value.messages == [
        "The quantity must be a number, for example 1250 or 12.5."
    ]


@pytest.mark.parametrize("value", ["-0", "-0.0", D("-0"), "−0"])
def test_minus_zero_is_a_negative_quantity(value):
    with pytest.raises(ValidationError) as caught:
        parse_quantity(parse_number(value) if value == "−0" else value)
    assert caught.value.messages == ["The quantity cannot be negative."]


@pytest.mark.parametrize(
    ("text", "sign", "expected"),
    [
        ("12 500,5", ",", D("12500.5")),
        ("12\u00a0500,5", ",", D("12500.5")),
        ("12.500,5", ",", D("12500.5")),
        ("12,500.5", ".", D("12500.5")),
        ("0", ",", D("0")),
        ("0,0000001", ",", D("1E-7")),
    ],
)
def test_what_pages_write_is_still_read(text, sign, expected):
    number = parse_number(text, sign)
    assert number == expected
    assert parse_quantity(format(number, "f")) == expected


def _grid(client, catalogue, typed: str, language: str):
    from tests.emissions.test_entry_pages import _row_data, _row_url

    electricity = catalogue["electricity"]
    return client.post(
        _row_url(electricity.pk),
        _row_data(electricity.pk, typed, unit="kWh"),
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize("typed", ["1_000", "-0", "١٢٣", "1e3", "+5"])
@pytest.mark.parametrize("language", ["en", "nb"])
def test_the_grid_refuses_them(client_for, editor, unit, catalogue, typed, language):
    response = _grid(client_for(editor), catalogue, typed, language)
    assert response.status_code == 200
    assert ActivityEntry.objects.count() == 0


def test_the_grid_saves_a_small_decimal_typed_on_a_norwegian_page(
    client_for, editor, unit, catalogue
):
    _grid(client_for(editor), catalogue, "0,0000001", "nb")
    assert ActivityEntry.objects.get().quantity == D("0.0000001")


@pytest.mark.parametrize("quantity", ["1_000", "-0", "١٢٣", "1e3", "+5", "-0.0"])
def test_the_api_refuses_them(org, unit, editor, catalogue, quantity):
    client = APIClient()
    client.force_authenticate(editor)
    response = client.post(
        f"/api/v1/organisations/{org.slug}/entries/",
        {
            "business_unit": "OSL",
            "year": 2024,
            "activity": "electricity",
            "quantity": quantity,
            "unit": "kWh",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert ActivityEntry.objects.count() == 0


def test_the_api_still_takes_json_numbers_and_plain_strings(
    org, unit, editor, catalogue
):
    client = APIClient()
    client.force_authenticate(editor)
    for quantity in (1250, 12.5, "2500.25"):
        response = client.post(
            f"/api/v1/organisations/{org.slug}/entries/",
            {
                "business_unit": "OSL",
                "year": 2024,
                "activity": "electricity",
                "quantity": quantity,
                "unit": "kWh",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    assert sorted(e.quantity for e in ActivityEntry.objects.all()) == [
        D("12.5"),
        D("1250"),
        D("2500.25"),
    ]


@pytest.mark.parametrize("quantity", ["1_000", "-0", "١٢٣", "1e3", "+5"])
def test_the_import_refuses_them(org, unit, editor, catalogue, quantity):
    from emissions.imports.preview import import_preview

    text = ",".join(COLUMNS) + f"\nOSL,2024,electricity,{quantity},kWh,,,,,\n"
    preview = import_preview(
        organisation=org, actor=editor, file_name="q.csv", data=text.encode()
    )
    assert not preview.is_valid


def test_the_service_refuses_minus_zero_on_create(org, unit, editor, catalogue):
    with pytest.raises(ValidationError):
        entry_create(
            organisation=org,
            actor=editor,
            business_unit=unit,
            year=2024,
            activity_type=catalogue["electricity"],
            quantity=D("-0"),
            unit="kWh",
        )
    assert ActivityEntry.objects.count() == 0
