from decimal import Decimal as D

import pytest

from emissions.factor_files import FactorFileError, parse_generic_factor_file

HEADER = (
    "key,category,subcategory,name,unit,kg_co2e_per_unit,kg_co2_per_unit,"
    "kg_ch4_per_unit,kg_n2o_per_unit,source,valid_year,notes\n"
)


def _write(tmp_path, text, name="factors.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _parse(path, **kwargs):
    return parse_generic_factor_file(
        path, publisher="Acme", name="Acme factors", **kwargs
    )


def test_csv_rows_parse_into_factors(tmp_path):
    path = _write(
        tmp_path,
        HEADER
        + "grid-no,Electricity,Grid,Norway,kWh,0.008,,,,NVE 2019,2019,\n"
        + "diesel-no,Fuels,Liquid,Diesel,litres,,2.5,0.0001,0.00002,SSB,2019,\n",
    )
    parsed = _parse(path)
    grid, diesel = parsed.rows
    assert grid.key == "grid-no"
    assert grid.co2e == D("0.008") and grid.unit == "kWh"
    assert grid.path == ("Electricity", "Grid", "Norway")
    assert diesel.co2e is None
    assert diesel.gases == {"CO2": D("2.5"), "CH4": D("0.0001"), "N2O": D("0.00002")}
    assert diesel.gas_basis == "mass"
    assert parsed.edition_year == 2019


def test_semicolon_csv_with_decimal_comma_is_accepted(tmp_path):
    path = _write(
        tmp_path,
        "key;category;name;unit;kg_co2e_per_unit\nheat-oslo;Heat;Oslo;kWh;0,123\n",
    )
    parsed = _parse(path, edition_year=2024)
    assert parsed.rows[0].co2e == D("0.123")


def test_row_errors_are_collected_with_row_numbers_and_nothing_imported(tmp_path):
    path = _write(
        tmp_path,
        HEADER
        + "a,Fuels,,Gas,kWh,0.2,,,,,2024,\n"
        + "a,Fuels,,Gas again,kWh,0.2,,,,,2024,\n"
        + "b,Fuels,,Oil,furlongs,0.3,,,,,2024,\n"
        + "c,Fuels,,Coal,kg,abc,,,,,2024,\n"
        + "d,Fuels,,Peat,kg,,,,,,2024,\n",
    )
    with pytest.raises(FactorFileError) as info:
        _parse(path)
    message = str(info.value)
    assert "4 row(s) have errors; nothing was imported" in message
    assert "row 3: key 'a' repeats row 2" in message
    assert "row 4: unknown unit 'furlongs'" in message
    assert "row 5: kg_co2e_per_unit 'abc' is not a number" in message
    assert "row 6: no kg_co2e_per_unit and no per-gas value" in message


def test_missing_required_column_is_reported(tmp_path):
    path = _write(tmp_path, "key,name,unit,kg_co2e_per_unit\nx,y,kWh,1\n")
    with pytest.raises(FactorFileError, match="lacks column\\(s\\) category"):
        _parse(path, edition_year=2024)


def test_xlsx_with_float_cells_is_read_without_noise(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["key", "category", "name", "unit", "kg_co2e_per_unit", "valid_year"])
    sheet.append(["uk-grid", "Electricity", "UK", "kWh", 0.21233000000000002, 2021])
    path = tmp_path / "factors.xlsx"
    book.save(path)
    parsed = _parse(path)
    assert parsed.rows[0].co2e == D("0.21233")
    assert parsed.edition_year == 2021


def test_edition_year_is_required_when_rows_disagree(tmp_path):
    path = _write(
        tmp_path,
        HEADER + "a,F,,A,kg,1,,,,,2023,\nb,F,,B,kg,1,,,,,2024,\n",
    )
    with pytest.raises(FactorFileError, match="pass edition_year"):
        _parse(path)


def test_unsupported_extension_is_rejected(tmp_path):
    path = _write(tmp_path, "x", name="factors.pdf")
    with pytest.raises(FactorFileError, match="expected a .csv or .xlsx"):
        _parse(path)
