"""The VSME Digital Template filled in: values in the named ranges, rest intact."""

import hashlib
import io
import re
import warnings
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from accounts.models import Organisation
from disclosures.exports import disclosure_file
from disclosures.formats.vsme_xlsx import range_names
from disclosures.selectors import disclosure_for_year
from disclosures.taxonomy import TEMPLATE_FILE

pytestmark = pytest.mark.django_db

CHANGED_PARTS = {
    "xl/workbook.xml",
    "xl/calcChain.xml",
    "xl/worksheets/sheet4.xml",  # General Information
    "xl/worksheets/sheet5.xml",  # Environmental Disclosures
}


def _open(content: bytes):
    with warnings.catch_warnings():
        # openpyxl reads the template's x14 data validations but cannot keep
        # them; reading the values is all these tests do.
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True)


def _named(workbook, name: str):
    (sheet, area), *_rest = workbook.defined_names[name].destinations
    return workbook[sheet][area.replace("$", "").split(":")[0]].value


def _chain(content: bytes) -> list[tuple[str, str]]:
    """Return the calculation chain's cells as (sheet id, cell), ids carried on."""
    cells, sheet = [], None
    for attributes in re.findall(r"<c ([^>]*?)/>", content.decode()):
        found = dict(re.findall(r'(\w+)="([^"]*)"', attributes))
        sheet = found.get("i", sheet)
        cells.append((sheet, found["r"]))
    return cells


def _count(archive: zipfile.ZipFile, pattern: str) -> int:
    return sum(
        len(re.findall(pattern, archive.read(name).decode("utf-8")))
        for name in archive.namelist()
        if name.startswith("xl/worksheets/sheet")
    )


@pytest.mark.parametrize("slug", ["nordsoft", "fjordkontakt"])
def test_the_named_ranges_hold_the_inventorys_values(demo, vsme_files, api_for, slug):
    organisation = Organisation.objects.get(slug=slug)
    admin = organisation.memberships.filter(role="admin").first().user
    inventory = (
        api_for(admin).get(f"/api/v1/organisations/{slug}/inventory/2024/").json()
    )
    template = (vsme_files / TEMPLATE_FILE).read_bytes()
    before = hashlib.sha256(template).hexdigest()

    exported = disclosure_file(organisation=organisation, year=2024, fmt="vsme-xlsx")
    workbook = _open(exported.content)
    disclosure = disclosure_for_year(organisation=organisation, year=2024)

    # The inventory's figures, exactly as the API gives them.
    for name, field in (
        ("GrossScope1GreenhouseGasEmissions", "scope1_t_co2e"),
        ("GrossLocationBasedScope2GreenhouseGasEmissions", "scope2_location_t_co2e"),
        ("GrossMarketBasedScope2GreenhouseGasEmissions", "scope2_market_t_co2e"),
        ("GrossScope3GreenhouseGasEmissions_CurrentlyStatedMember", "scope3_t_co2e"),
        (
            "TotalGrossLocationBasedGHGEmissions_CurrentlyStatedMember",
            "total_location_t_co2e",
        ),
        (
            "TotalGrossMarketBasedGHGEmissions_CurrentlyStatedMember",
            "total_market_t_co2e",
        ),
    ):
        assert Decimal(str(_named(workbook, name))) == Decimal(inventory[field]), name

    # Every datapoint with a value in its range; the others blank.
    filled = 0
    for point in disclosure.datapoints:
        if not point.concept:
            continue
        names = [n for n in range_names(point) if n in workbook.defined_names]
        assert names, point.key
        value = _named(workbook, names[0])
        if point.is_blank:
            assert value is None or str(value).startswith("="), point.key
            continue
        filled += 1
        if isinstance(point.rounded, Decimal):
            assert Decimal(str(value)) == point.rounded, point.key
        else:
            assert value == point.rounded, point.key
    assert filled >= 25

    assert _named(workbook, "template_reporting_entity_name") == organisation.name
    assert _named(workbook, "template_currency") == "NOK"
    assert _named(workbook, "template_reporting_period_startdate") == "2024-01-01"
    assert _named(workbook, "template_reporting_period_enddate") == "2024-12-31"
    # A national number is not among the template's schemes: left blank.
    assert _named(workbook, "template_reporting_entity_identifier_scheme") is None
    sheet = workbook["General Information"]
    assert sheet["C6"].value == "=template_label_starting_year"
    assert [sheet["D6"].value, sheet["D7"].value, sheet["D8"].value] == [2024, 1, 1]
    assert [sheet["D10"].value, sheet["D11"].value, sheet["D12"].value] == [
        2024,
        12,
        31,
    ]
    environment = workbook["Environmental Disclosures"]
    # Scope 3 by category, in the rows the template adds up.
    for category, t in inventory["scope3_by_category"].items():
        row = 29 + int(category)
        assert Decimal(str(environment[f"D{row}"].value)) == Decimal(t), category
    assert environment["G10"].value is True  # the energy breakdown is given
    assert environment["J19"].value is True  # a reduction target is kept
    assert environment["G29"].value is True  # scope 3 is disclosed

    # The template in shared is untouched.
    assert (
        hashlib.sha256((vsme_files / TEMPLATE_FILE).read_bytes()).hexdigest() == before
    )


def test_the_rest_of_the_template_is_kept_byte_for_byte(demo, vsme_files):
    organisation = Organisation.objects.get(slug="fjordkontakt")
    exported = disclosure_file(organisation=organisation, year=2024, fmt="vsme-xlsx")
    original = zipfile.ZipFile(vsme_files / TEMPLATE_FILE)
    filled = zipfile.ZipFile(io.BytesIO(exported.content))
    assert filled.namelist() == original.namelist()
    changed = {
        name for name in original.namelist() if original.read(name) != filled.read(name)
    }
    assert changed == CHANGED_PARTS
    # Data validations (also the cross-sheet x14 ones openpyxl would drop),
    # conditional formats and defined names are all still there.
    for pattern in (
        r"<x14:dataValidation ",
        r"<dataValidation ",
        r"<conditionalFormatting ",
        r"<sheetProtection ",
    ):
        assert _count(filled, pattern) == _count(original, pattern), pattern
    assert _count(original, r"<x14:dataValidation ") == 7
    names = re.compile(r"<definedName ")
    assert len(names.findall(filled.read("xl/workbook.xml").decode())) == len(
        names.findall(original.read("xl/workbook.xml").decode())
    )
    assert 'fullCalcOnLoad="1"' in filled.read("xl/workbook.xml").decode()
    # Formulas replaced by values left the calculation chain, and only they.
    replaced = set()
    for part, sheet_id in (
        ("xl/worksheets/sheet4.xml", "3"),
        ("xl/worksheets/sheet5.xml", "1"),
    ):
        before, after = (
            set(
                re.findall(r'<c r="([A-Z]+\d+)"[^>]*>(?:<f[ >])', a.read(part).decode())
            )
            for a in (original, filled)
        )
        replaced |= {(sheet_id, ref) for ref in before - after}
    assert ("1", "K12") in replaced and ("3", "D9") in replaced
    chains = [
        _chain(archive.read("xl/calcChain.xml")) for archive in (original, filled)
    ]
    assert chains[1] == [cell for cell in chains[0] if cell not in replaced]
    assert filled.testzip() is None


def test_an_open_year_is_marked_draft_and_an_lei_fills_the_identifier(demo, vsme_files):
    organisation = Organisation.objects.get(slug="nordsoft")
    organisation.lei = "5493001KJTIIGC8Y1R12"
    organisation.save()
    exported = disclosure_file(organisation=organisation, year=2025, fmt="vsme-xlsx")
    assert not exported.final
    assert exported.filename == "nordsoft-disclosures-2025-draft-en.xlsx"
    workbook = _open(exported.content)
    assert _named(workbook, "template_reporting_title").startswith("DRAFT")
    assert _named(workbook, "template_reporting_entity_identifier_scheme") == "LEI"
    assert (
        _named(workbook, "template_reporting_entity_identifier")
        == "5493001KJTIIGC8Y1R12"
    )
    final = disclosure_file(organisation=organisation, year=2024, fmt="vsme-xlsx")
    assert final.final
    assert str(_named(_open(final.content), "template_reporting_title")).startswith("=")


def test_a_missing_template_is_a_clear_error(org, settings, tmp_path):
    from django.core.exceptions import ValidationError

    from tests.factories import ReportingYearFactory

    ReportingYearFactory(organisation=org, year=2024)
    settings.VSME_DATA_DIR = tmp_path
    with pytest.raises(ValidationError, match="VSME-Digital-Template-1.3.0.xlsx"):
        disclosure_file(organisation=org, year=2024, fmt="vsme-xlsx")
