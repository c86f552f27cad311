"""The one formatter of figures, and the filters that show spreadsheet cells."""

import datetime
from decimal import Decimal

import pytest


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2025.0, "2025"),
        (1234.5, "1234.5"),
        (0.1, "0.1"),
        (None, ""),
        ("1 234,5", "1 234,5"),
        (datetime.datetime(2025, 3, 1), "2025-03-01"),
        (datetime.date(2025, 3, 1), "2025-03-01"),
        (7, "7"),
    ],
)
def test_cells_show_as_typed(value, shown):
    from emissions.templatetags.import_format import cell

    assert cell(value) == shown


@pytest.mark.parametrize(
    ("value", "places", "language", "shown"),
    [
        (Decimal("-58.34"), 1, "en", "\u221258.3"),
        (Decimal("-1234.56"), 1, "nb", "\u22121\u00a0234,6"),
        (Decimal("-1234.56"), 0, "sv", "\u22121\u00a0235"),
        (Decimal("-0.04"), 1, "en", "0.0"),
        (Decimal("1234.56"), 2, "en", "1,234.56"),
    ],
)
def test_negative_figures_get_a_true_minus_sign(value, places, language, shown):
    from carbonledger.lib.formatting import number

    assert number(value, places, language) == shown
    assert "-" not in number(value, places, language)


def test_percentages_are_signed_with_plus_and_a_true_minus():
    from carbonledger.lib.formatting import percent, plain_number

    assert percent(Decimal("-32.24"), "en") == "\u221232.2\u00a0%"
    assert percent(Decimal("4.96"), "nb") == "+5,0\u00a0%"
    assert plain_number(Decimal("-0.250000"), "sv") == "\u22120,25"


def test_pages_and_the_pdf_load_the_one_formatter_by_one_name(settings):
    from django.template import engines

    library = engines["django"].engine.template_libraries["report_format"]
    assert library.filters["tonnes"](Decimal("-5")) == "\u22125.0"
    from carbonledger.lib import figure_tags

    assert library is figure_tags.register
