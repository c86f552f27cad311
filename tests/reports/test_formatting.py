"""Template filters that show figures and spreadsheet cells."""

import datetime

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
    from reports.templatetags.report_format import cell

    assert cell(value) == shown
