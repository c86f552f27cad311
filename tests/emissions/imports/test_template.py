"""The import template: the contract's columns and drop-down lists."""

import io

import pytest
from openpyxl import load_workbook

from emissions.imports.reading import COLUMNS
from emissions.imports.template import template_xlsx

pytestmark = pytest.mark.django_db


def test_template_has_the_contract_columns_and_drop_downs(org, unit):
    workbook = load_workbook(io.BytesIO(template_xlsx(org, "nb")))
    sheet = workbook["Activities"]
    assert [cell.value for cell in sheet[1]] == COLUMNS
    formulas = sorted(v.formula1 for v in sheet.data_validations.dataValidation)
    assert "=Lists!$A$1:$A$1" in formulas
    assert workbook["Lists"]["A1"].value == "OSL"
    assert (
        "Instruksjoner" in workbook.sheetnames or "Instructions" in workbook.sheetnames
    )


def test_template_lists_the_activities_in_the_template_language(org, unit, catalogue):
    for language, expected in (
        ("nb", "Naturgass (stasjonær forbrenning): kWh_gross"),
        ("sv", "Naturgas (stationär förbränning): kWh_gross"),
        ("en", "Natural gas (stationary combustion): kWh_gross"),
    ):
        workbook = load_workbook(io.BytesIO(template_xlsx(org, language)))
        help_sheet = workbook[workbook.sheetnames[-1]]
        texts = [row[1] for row in help_sheet.iter_rows(values_only=True)]
        assert any(str(text).startswith(expected) for text in texts), language
