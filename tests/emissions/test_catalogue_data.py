import csv
from decimal import Decimal
from pathlib import Path

import pytest

from emissions.gwp import gwp
from emissions.units import UNITS
from tests.emissions.published import desnz, epa

DATA = Path(__file__).resolve().parents[2] / "emissions" / "data"
FACTOR_SOURCES = {
    "desnz",
    "grid_location",
    "district_heating",
    "gwp",
    "computed",
    "custom",
}


def _activity_types() -> list[dict[str, str]]:
    with (DATA / "activity_types.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _grid_factors() -> list[dict[str, str]]:
    with (DATA / "grid_factors.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_catalogue_has_at_least_forty_unique_activity_types():
    codes = [row["code"] for row in _activity_types()]
    assert len(codes) >= 40
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("row", _activity_types(), ids=lambda r: r["code"])
def test_activity_type_is_consistent(row):
    units = row["allowed_units"].split(";")
    assert all(unit in UNITS for unit in units)
    assert row["default_unit"] in units
    assert row["scope"] in {"1", "2", "3"}
    assert row["iso_category"] in {"1", "2", "3", "4", "5", "6"}
    if row["scope"] == "3":
        assert 1 <= int(row["scope3_category"]) <= 15
    else:
        assert row["scope3_category"] == ""
    assert row["factor_source"] in FACTOR_SOURCES
    if row["factor_source"] == "desnz":
        assert row["desnz_key"]
    assert row["name"] and row["description"]


def test_refrigerant_types_have_a_gwp_in_every_supported_set():
    for row in _activity_types():
        if row["factor_source"] == "gwp":
            gas = "R-" + row["code"].removeprefix("refrigerant_r").upper()
            assert gwp(gas.replace("R-134A", "R-134a"), "AR5") > 0


@pytest.mark.published_files
@pytest.mark.parametrize("year", [2024, 2025])
def test_every_desnz_key_resolves_in_the_published_file(year):
    keys = desnz(year).by_key()
    missing = [
        (row["code"], row["desnz_key"])
        for row in _activity_types()
        if row["desnz_key"] and row["desnz_key"] not in keys
    ]
    assert missing == []


@pytest.mark.published_files
def test_every_epa_key_resolves_in_the_hub():
    keys = epa().by_key()
    missing = [row["epa_key"] for row in _activity_types() if row["epa_key"]]
    assert [key for key in missing if key not in keys] == []


def _kg_per_kwh(row: dict[str, str]) -> Decimal:
    scale = {"g/kWh": Decimal("0.001"), "kg/kWh": Decimal(1)}[row["unit"]]
    return Decimal(row["value"]) * scale


def test_grid_factors_are_decimal_with_a_source():
    rows = _grid_factors()
    assert rows
    seen = set()
    for row in rows:
        assert row["kind"] in {
            "location",
            "residual_mix_aib",
            "residual_mix_nordic",
            "residual_mix_national",
            "district_heating",
        }
        assert 2019 <= int(row["year"]) <= 2025
        value = _kg_per_kwh(row)
        assert 0 <= value < 2
        assert row["publication"] and row["edition"] and row["table_or_page"]
        assert row["url"].startswith("https://")
        assert row["gas_basis"] in {"CO2", "CO2e"}
        assert row["check"] in {"source", "secondary", "unverified"}
        key = (row["country"], row["year"], row["kind"])
        assert key not in seen
        seen.add(key)


@pytest.mark.published_files
@pytest.mark.parametrize("year", [2019, 2020, 2021, 2024, 2025])
def test_gb_grid_factor_matches_the_desnz_file(year):
    row = next(
        r
        for r in _grid_factors()
        if r["country"] == "GB" and r["year"] == str(year) and r["kind"] == "location"
    )
    published = desnz(year).by_key()[
        "uk electricity|electricity generated|electricity: uk|kWh"
    ]
    assert row["check"] == "source"
    assert _kg_per_kwh(row) == published.co2e


@pytest.mark.published_files
@pytest.mark.parametrize("year", [2024, 2025])
def test_gb_district_heating_matches_the_desnz_file(year):
    row = next(
        r
        for r in _grid_factors()
        if r["country"] == "GB"
        and r["year"] == str(year)
        and r["kind"] == "district_heating"
    )
    published = desnz(year).by_key()[
        "heat and steam|heat and steam|district heat and steam|kWh"
    ]
    assert row["check"] == "source"
    # 2024 was shipped as 0.17529, the 2025 figure; the 2024 file says 0.17965.
    assert _kg_per_kwh(row) == published.co2e


@pytest.mark.published_files
def test_us_grid_factor_is_the_epa_table_6_average_at_ar5():
    row = next(r for r in _grid_factors() if r["country"] == "US")
    published = epa().by_key()[
        "epa hub|table 6|electricity|egrid total output|us average|us average|MWh"
    ]
    kg_per_mwh = sum(
        published.gases[gas] * gwp(gas, "AR5") for gas in ("CO2", "CH4", "N2O")
    )
    assert (kg_per_mwh / 1000).quantize(Decimal("0.000001")) == _kg_per_kwh(row)
    assert row["check"] == "source"


def test_every_activity_type_has_a_norwegian_and_a_swedish_name():
    rows = _activity_types()
    assert [r["code"] for r in rows if not r["name_nb"].strip()] == []
    assert [r["code"] for r in rows if not r["name_sv"].strip()] == []
    assert all(len(r["name_nb"]) <= 200 and len(r["name_sv"]) <= 200 for r in rows)
    # Names such as "Taxi" are the same in both languages; most are not.
    differing = [r for r in rows if r["name_nb"] != r["name_sv"]]
    assert len(differing) >= len(rows) - 3
    # A translation is not the English name left in place.
    assert len([r for r in rows if r["name_nb"] == r["name"]]) <= 3
    assert len([r for r in rows if r["name_sv"] == r["name"]]) <= 3


def test_translated_names_are_unique_within_each_language():
    rows = _activity_types()
    for column in ("name_nb", "name_sv"):
        names = [r[column] for r in rows]
        assert len(set(names)) == len(names), column


def test_translated_names_of_common_activity_types():
    names = {r["code"]: (r["name_nb"], r["name_sv"]) for r in _activity_types()}
    assert names["natural_gas"] == (
        "Naturgass (stasjonær forbrenning)",
        "Naturgas (stationär förbränning)",
    )
    assert names["electricity"] == ("Elektrisitet (nett)", "El (elnät)")
    assert names["district_heating"] == ("Fjernvarme", "Fjärrvärme")
    assert names["flight_short_haul_economy"] == (
        "Flyreise, kort distanse, økonomiklasse",
        "Flygresa, kort distans, ekonomiklass",
    )
    assert names["diesel_vehicles"] == (
        "Diesel til firmakjøretøy (liter)",
        "Diesel till företagets fordon (liter)",
    )
    assert names["wtt_natural_gas"] == (
        "Brønn-til-tank (oppstrøms), naturgass",
        "Well-to-tank (uppströms), naturgas",
    )
