"""Reading numbers: Nordic and English notation, and text that reads two ways."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from emissions.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("1234.5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1234,5", "1234.5"),
        ("1.234.567", "1234567"),
        (0.1, "0.1"),
        (12, "12"),
    ],
)
def test_number_formats(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "decimal_sign", "expected"),
    [
        ("1,234", ",", "1.234"),  # semicolon CSV: the comma is the decimal sign
        ("1.234", ".", "1.234"),  # comma CSV: the point is
        ("0,125", None, "0.125"),  # a lone zero never groups thousands
        ("12,5", None, "12.5"),
        ("1234,567", None, "1234.567"),  # four digits before: not grouped
        ("1,2340", None, "1.2340"),
        ("1 234", None, "1234"),
    ],
)
def test_numbers_that_read_one_way(text, decimal_sign, expected):
    assert parse_number(text, decimal_sign) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "decimal_sign", "readings"),
    [
        ("1,234", None, "1.234 or 1234"),
        ("1.234", None, "1.234 or 1234"),
        ("12.500", ",", "12.5 or 12500"),
        ("100,000", ".", "100 or 100000"),
        ("-1,234", None, "-1.234 or -1234"),
    ],
)
def test_numbers_that_read_two_ways_are_refused(text, decimal_sign, readings):
    with pytest.raises(ValidationError) as caught:
        parse_number(text, decimal_sign)
    spaced = text.replace(",", " ").replace(".", " ")
    assert caught.value.messages == [
        f"“{text}” could mean {readings}. Write thousands with a space or no "
        f"separator ({spaced}), a decimal number with a trailing zero ({text}0), or "
        "store the cell as a number."
    ]


def test_the_two_readings_are_written_as_the_reader_writes_numbers():
    with translation.override("nb"), pytest.raises(ValidationError) as caught:
        parse_number("1.250")
    assert caught.value.messages[0].startswith(
        "«1.250» kan bety 1,25 eller 1250. Skriv tusener med mellomrom"
    )
