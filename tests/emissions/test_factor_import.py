"""Importing published factor tables through the service, checked in the database."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from emissions.factor_files import parse_desnz_flat_file, parse_epa_hub
from emissions.factor_files.common import ParsedFactor, ParsedFactorFile
from emissions.models import EmissionFactor, FactorSet, FactorSetKind
from emissions.services.factors import factor_set_import

DESNZ_FILES = {
    2019: "desnz-2019-flat-file.xls",
    2020: "desnz-2020-flat-file.xlsx",
    2021: "desnz-2021-flat-file.xls",
    2024: "desnz-2024-flat-file.xlsx",
    2025: "desnz-2025-flat-file.xlsx",
}
NATURAL_GAS = "fuels|gaseous fuels|natural gas|kWh_gross"
DIESEL = "fuels|liquid fuels|diesel (average biofuel blend)|litre"
UK_ELECTRICITY = "uk electricity|electricity generated|electricity: uk|kWh"
EXPECTED = {
    2019: ("0.18385", "2.59411", "0.2556"),
    2020: ("0.18387", "2.54603", "0.23314"),
    2021: ("0.18316", "2.51233", "0.21233"),
    2024: ("0.1829", "2.51279", "0.20705"),
    2025: ("0.18296", "2.57082", "0.177"),
}


def published_file(name: str) -> Path:
    path = Path(settings.FACTOR_FILES_DIR) / name
    if not path.is_file():
        pytest.skip(f"Publisher file {name} not found in FACTOR_FILES_DIR ({path}).")
    return path


@pytest.fixture(scope="module")
def parsed_desnz():
    cache: dict[int, ParsedFactorFile] = {}

    def parse(year: int) -> ParsedFactorFile:
        if year not in cache:
            cache[year] = parse_desnz_flat_file(published_file(DESNZ_FILES[year]))
        return cache[year]

    return parse


def _value(factor_set: FactorSet, key: str) -> Decimal:
    return EmissionFactor.objects.get(factor_set=factor_set, key=key).co2e


@pytest.mark.published_files
@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_desnz_import_stores_published_values(db, parsed_desnz, year):
    parsed = parsed_desnz(year)
    factor_set, created = factor_set_import(parsed=parsed, kind=FactorSetKind.DESNZ)
    assert created is True
    assert factor_set.edition_year == year
    assert factor_set.organisation is None
    assert factor_set.factors.count() == len(parsed.rows)
    gas, diesel, electricity = (Decimal(v) for v in EXPECTED[year])
    assert _value(factor_set, NATURAL_GAS) == gas
    assert _value(factor_set, DIESEL) == diesel
    assert _value(factor_set, UK_ELECTRICITY) == electricity


@pytest.mark.published_files
def test_per_gas_values_are_stored_as_strings(db, parsed_desnz):
    factor_set, _ = factor_set_import(parsed=parsed_desnz(2025), kind="desnz")
    factor = EmissionFactor.objects.get(factor_set=factor_set, key=NATURAL_GAS)
    assert set(factor.gases) == {"CO2", "CH4", "N2O"}
    assert all(isinstance(v, str) for v in factor.gases.values())
    assert sum(Decimal(v) for v in factor.gases.values()) == Decimal("0.18296")


@pytest.mark.published_files
def test_second_import_of_the_same_file_creates_nothing(db, parsed_desnz):
    parsed = parsed_desnz(2021)
    first, created = factor_set_import(parsed=parsed, kind="desnz")
    rows = EmissionFactor.objects.count()
    again, created_again = factor_set_import(parsed=parsed, kind="desnz")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert FactorSet.objects.count() == 1
    assert EmissionFactor.objects.count() == rows


@pytest.mark.published_files
def test_same_file_for_another_owner_is_a_separate_set(db, parsed_desnz, org):
    parsed = parsed_desnz(2021)
    global_set, _ = factor_set_import(parsed=parsed, kind="desnz")
    own_set, created = factor_set_import(parsed=parsed, kind="desnz", organisation=org)
    assert created is True
    assert own_set.pk != global_set.pk
    assert own_set.organisation == org


@pytest.mark.published_files
def test_epa_hub_import_keeps_per_gas_mass(db):
    parsed = parse_epa_hub(published_file("epa-hub-2025.xlsx"))
    factor_set, created = factor_set_import(parsed=parsed, kind="epa")
    assert created
    assert factor_set.factors.count() == len(parsed.rows)
    factor = factor_set.factors.get(
        key="epa hub|table 1|stationary combustion|natural gas|natural gas|mmBtu"
    )
    assert factor.gas_basis == "mass"
    assert factor.co2e is None
    assert Decimal(factor.gases["CO2"]) == Decimal("53.06")


def _row(key: str, co2e: str | None) -> ParsedFactor:
    return ParsedFactor(
        key=key,
        scope_label="Scope 1",
        path=("Own", key),
        column_text="",
        unit="kg",
        unit_label="kg",
        co2e=None if co2e is None else Decimal(co2e),
        gases={},
        gas_basis="co2e",
        source_note="test",
    )


def _parsed(rows: list[ParsedFactor], checksum: str = "c" * 64) -> ParsedFactorFile:
    return ParsedFactorFile(
        publisher="Test",
        name="Test set",
        edition_year=2024,
        version="1",
        region="NO",
        source_url="",
        licence="",
        gwp_basis="AR5",
        checksum_sha256=checksum,
        rows=rows,
    )


def test_a_failing_row_leaves_no_set_and_no_rows(db):
    # The same key twice breaks the unique constraint at the second batch.
    rows = [_row(f"k{i}", "1") for i in range(2500)] + [_row("k1", "2")]
    with pytest.raises(Exception):  # noqa: B017 - any database error
        factor_set_import(parsed=_parsed(rows), kind="generic")
    assert FactorSet.objects.count() == 0
    assert EmissionFactor.objects.count() == 0


def test_an_empty_file_is_refused(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="no factor rows"):
        factor_set_import(parsed=_parsed([]), kind="generic")
    assert FactorSet.objects.count() == 0


def test_import_command_reports_a_bad_file_and_exits_1(db, tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    with pytest.raises(CommandError) as raised:
        call_command("import_factors", str(bad), "--publisher", "desnz")
    assert "broken.xlsx" in str(raised.value)
    assert raised.value.returncode == 1
    assert FactorSet.objects.count() == 0


def test_import_command_loads_a_generic_csv_for_an_organisation(db, org, tmp_path):
    path = tmp_path / "own.csv"
    path.write_text(
        "key,category,name,unit,kg_co2e_per_unit,source\n"
        "hotel-nordic,Hotel,Nordic hotel night,room night,12.5,Supplier report\n",
        encoding="utf-8",
    )
    call_command(
        "import_factors",
        str(path),
        "--publisher",
        "generic",
        "--year",
        "2024",
        "--org",
        "acme",
    )
    factor_set = FactorSet.objects.get()
    assert factor_set.organisation == org
    assert factor_set.kind == "generic"
    factor = factor_set.factors.get()
    assert (factor.unit, factor.co2e) == ("room_night", Decimal("12.5"))


def test_import_command_refuses_an_unknown_organisation(db, tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("key,category,name,unit,kg_co2e_per_unit\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No organisation"):
        call_command(
            "import_factors", str(path), "--publisher", "generic", "--org", "nope"
        )


@pytest.mark.published_files
def test_import_command_checks_the_edition_year(db):
    path = published_file(DESNZ_FILES[2024])
    with pytest.raises(CommandError, match="2024 edition, not 2023"):
        call_command(
            "import_factors", str(path), "--publisher", "desnz", "--year", "2023"
        )
    assert FactorSet.objects.count() == 0
