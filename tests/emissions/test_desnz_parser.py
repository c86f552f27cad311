from decimal import Decimal as D

import pytest

from emissions.factor_files import FactorFileError, parse_desnz_flat_file
from tests.emissions.published import desnz

pytestmark = pytest.mark.published_files

NATURAL_GAS = "fuels|gaseous fuels|natural gas|kWh_gross"
DIESEL = "fuels|liquid fuels|diesel (average biofuel blend)|litre"
UK_ELECTRICITY = "uk electricity|electricity generated|electricity: uk|kWh"


@pytest.mark.parametrize(
    ("year", "key", "value"),
    [
        (2019, NATURAL_GAS, D("0.18385")),
        (2020, NATURAL_GAS, D("0.18387")),
        (2021, NATURAL_GAS, D("0.18316")),
        (2024, NATURAL_GAS, D("0.1829")),
        (2025, NATURAL_GAS, D("0.18296")),
        (2019, DIESEL, D("2.59411")),
        (2020, DIESEL, D("2.54603")),
        (2021, DIESEL, D("2.51233")),
        (2024, DIESEL, D("2.51279")),
        (2025, DIESEL, D("2.57082")),
        (2019, UK_ELECTRICITY, D("0.2556")),
        (2020, UK_ELECTRICITY, D("0.23314")),
        (2021, UK_ELECTRICITY, D("0.21233")),
        (2024, UK_ELECTRICITY, D("0.20705")),
        (2025, UK_ELECTRICITY, D("0.177")),
    ],
)
def test_published_co2e_values_parse_exactly_under_stable_keys(year, key, value):
    factor = desnz(year).by_key()[key]
    assert factor.co2e == value
    assert str(factor.co2e) == str(value)  # no float noise left


@pytest.mark.parametrize(
    ("year", "key", "gases"),
    [
        (
            2019,
            NATURAL_GAS,
            {"CO2": D("0.18351"), "CH4": D("0.00024"), "N2O": D("0.0001")},
        ),
        (
            2021,
            UK_ELECTRICITY,
            {"CO2": D("0.21016"), "CH4": D("0.0008"), "N2O": D("0.00137")},
        ),
        (
            2025,
            NATURAL_GAS,
            {"CO2": D("0.18259"), "CH4": D("0.00028"), "N2O": D("0.00009")},
        ),
        (2025, DIESEL, {"CO2": D("2.53763"), "CH4": D("0.00029"), "N2O": D("0.0329")}),
    ],
)
def test_per_gas_rows_merge_into_the_co2e_row(year, key, gases):
    factor = desnz(year).by_key()[key]
    assert factor.gases == gases
    assert factor.gas_basis == "co2e"


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2024, 2025])
def test_edition_metadata_comes_from_the_file(year):
    parsed = desnz(year)
    assert parsed.edition_year == year
    assert parsed.licence == "Open Government Licence v3.0"
    assert len(parsed.checksum_sha256) == 64
    assert parsed.version


def test_version_is_read_from_the_front_page():
    assert desnz(2019).version == "1.03"
    assert desnz(2024).version == "1.1"


@pytest.mark.parametrize("year", [2020, 2021, 2024, 2025])
def test_energy_conversion_rows_are_excluded(year):
    parsed = desnz(year)
    assert all(not row.key.startswith("secr kwh") for row in parsed.rows)
    assert any("energy-conversion rows" in w for w in parsed.warnings)


@pytest.mark.parametrize("year", [2019, 2020, 2021])
def test_text_value_is_never_read_as_zero(year):
    parsed = desnz(year)
    by_key = parsed.by_key()
    assert "refrigerant and other|other refrigerants|r1234yf|kg" not in by_key
    assert any("'< 1'" in w for w in parsed.warnings)


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2024, 2025])
def test_no_factor_is_published_as_an_empty_or_zero_placeholder(year):
    for row in desnz(year).rows:
        assert row.co2e is not None or row.gases
        assert row.unit and row.unit_label


def test_blank_cells_are_reported_as_not_published():
    assert any("no published value" in w for w in desnz(2025).warnings)


def test_the_same_factor_keeps_its_key_from_2019_to_2025():
    keys_2019 = set(desnz(2019).by_key())
    keys_2025 = set(desnz(2025).by_key())
    for key in (
        NATURAL_GAS,
        DIESEL,
        UK_ELECTRICITY,
        "wtt-fuels|gaseous fuels|natural gas|kWh_gross",
        "transmission and distribution|t and d-uk electricity|electricity: uk|kWh",
        "managed assets-electricity|electricity generated|electricity: uk|kWh",
    ):
        assert key in keys_2019
        assert key in keys_2025
    assert len(keys_2019 & keys_2025) > 1900


def test_old_layout_row_has_path_column_text_and_units():
    factor = desnz(2019).by_key()[
        "business travel-air|flights|short-haul, to/from uk|economy class|with rf"
        "|passenger_km"
    ]
    assert factor.path == (
        "Business travel- air",
        "Flights",
        "Short-haul, to/from UK",
        "Economy class",
    )
    assert factor.column_text == "With RF"
    assert factor.unit_label == "passenger.km"
    assert factor.co2e == D("0.15573")


def test_new_layout_source_note_names_the_publisher_id():
    factor = desnz(2025).by_key()[NATURAL_GAS]
    assert "1_100_1004_6" in factor.source_note
    assert factor.scope_label == "Scope 1"


def test_not_a_spreadsheet_raises_factor_file_error(tmp_path):
    bogus = tmp_path / "factors.xlsx"
    bogus.write_text("this is not a workbook")
    with pytest.raises(FactorFileError, match="not a readable spreadsheet"):
        parse_desnz_flat_file(bogus)


def test_spreadsheet_without_header_raises_factor_file_error(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["nothing", "to", "see"])
    path = tmp_path / "empty.xlsx"
    book.save(path)
    with pytest.raises(FactorFileError, match="No DESNZ flat-file header"):
        parse_desnz_flat_file(path)


def test_missing_file_raises_factor_file_error(tmp_path):
    with pytest.raises(FactorFileError, match="not found"):
        parse_desnz_flat_file(tmp_path / "absent.xlsx")


def test_number_and_boolean_label_cells_stay_apart(tmp_path):
    # 1 and True are equal as Python values but read as "1" and "True".
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Factors by Category"
    sheet.append(
        ["ID", "Scope", "Level 1", "Level 2", "Level 3", "Level 4", "Column Text"]
        + ["UOM", "GHG/Unit", "GHG Conversion Factor 2025"]
    )
    common = ["Scope 1", "Fuels", "Test fuel"]
    sheet.append(["1_1_1_1_1", *common, 1, "", "", "litres", "kg CO2e", 2.5])
    sheet.append(["1_1_1_2_1", *common, True, "", "", "litres", "kg CO2e", 3.5])
    path = tmp_path / "flat.xlsx"
    book.save(path)

    factors = parse_desnz_flat_file(path).by_key()

    assert factors["fuels|test fuel|1|litre"].co2e == D("2.5")
    assert factors["fuels|test fuel|true|litre"].co2e == D("3.5")
    assert factors["fuels|test fuel|true|litre"].path == ("Fuels", "Test fuel", "True")
