"""Checking rows: each bad value against its column, duplicates, closed years."""

import pytest

from emissions.imports.preview import import_preview
from emissions.models import ReportingYear
from tests.emissions.imports.support import (
    GOOD,
    xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (
            ["XXX", 2024, "electricity", 1, "kWh"],
            "business_unit",
            "Unknown business unit “XXX”.",
        ),
        (
            ["OSL", 2024, "unicorns", 1, "kWh"],
            "activity",
            "Unknown activity “unicorns”.",
        ),
        (
            ["OSL", 2024, "electricity", 1, "furlong"],
            "unit",
            "“furlong” is not a known unit.",
        ),
        (
            ["OSL", 2024, "electricity", 1, "litre"],
            "unit",
            "The unit litre cannot be used for Electricity (grid); use one of: "
            "kWh, MWh.",
        ),
        (
            ["OSL", 2024, "electricity", "lots", "kWh"],
            "quantity",
            "“lots” is not a number.",
        ),
        (
            ["OSL", 2024, "electricity", 1, "kWh", "2023-05-01"],
            "period_start",
            "The date is outside the year 2024.",
        ),
        (["OSL", "soon", "electricity", 1, "kWh"], "year", "“soon” is not a year."),
        (
            ["OSL", 2024, "electricity", 1, "kWh", None, None, "guessed"],
            "data_quality",
            "“guessed” is not one of measured, calculated, estimated, spend_based.",
        ),
    ],
)
def test_each_bad_value_is_reported_with_its_column(
    org, editor, unit, catalogue, row, column, message
):
    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([row])
    )
    assert (column, message) in preview.error_rows[0].errors


def test_duplicate_rows_are_reported(org, editor, unit, catalogue):
    preview = import_preview(
        organisation=org,
        actor=editor,
        file_name="d.xlsx",
        data=xlsx([GOOD[0], GOOD[0]]),
    )
    assert [(row.number, row.errors) for row in preview.error_rows] == [
        (3, [("", "Duplicates row 2.")])
    ]


def test_a_locked_year_refuses_the_import(org, editor, admin, unit, catalogue):
    ReportingYear.objects.create(organisation=org, year=2024, status="approved")
    preview = import_preview(
        organisation=org, actor=editor, file_name="x.xlsx", data=xlsx([GOOD[0]])
    )
    assert "approved and locked" in preview.error_rows[0].errors[0][1]
