"""The shipped grid factors against the figures checked in their publications."""

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from emissions.catalogue import WITHDRAWN_NOTE, load_curated_factors
from emissions.factor_files import FactorFileError
from emissions.factor_files.grid import (
    grid_factor_key,
    parse_grid_factor_file,
    parse_grid_rows,
)
from emissions.models import EmissionFactor, FactorCheck, FactorSet, FactorSetKind

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "emissions" / "data" / "grid_factors.csv"
CHECKED = (
    ROOT
    / ".."
    / "shared"
    / "data"
    / "factors"
    / "nordic"
    / "nordic_electricity_factors_checked.csv"
)
# The product's kind -> the checked file's kinds it may come from.
CHECKED_KINDS = {
    "location": {"location", "location_EEA", "location_UBA", "production_mix_AIB"},
    "residual_mix_aib": {"residual_mix_AIB"},
    "residual_mix_nordic": {"residual_mix_nordic_Ei"},
    "residual_mix_national": {
        "residual_mix_NVE",
        "residual_mix_national_Energiavirasto",
    },
    "district_heating": {"district_heating"},
}
# Words of the checked file's publication that the shipped publication names.
PUBLISHERS = ("NVE", "AIB", "Ei", "Energiavirasto", "UBA", "EEA")


def _shipped() -> list[dict[str, str]]:
    with SHIPPED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _checked() -> list[dict[str, str]]:
    if not CHECKED.is_file():
        pytest.skip(f"checked factor file not found at {CHECKED}")
    with CHECKED.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _years(text: str) -> set[int]:
    """'2019', '2019-2021', '2019;2022' or '2021?' as a set of years."""
    years: set[int] = set()
    for part in text.replace("?", "").split(";"):
        first, _sep, last = part.partition("-")
        years.update(range(int(first), int(last or first) + 1))
    return years


def _gas_basis(text: str) -> str:
    return "CO2e" if text.startswith("CO2e") else "CO2"


def _usable(row: dict[str, str]) -> bool:
    status = row["status"]
    return bool(row["value_g_per_kwh"]) and not (
        status.startswith(("not_found", "unverified")) or "superseded" in status
    )


def _publisher(publication: str) -> str:
    words = re.findall(r"\w+", publication)
    return next(word for word in PUBLISHERS if word in words)


def _matches(shipped: dict[str, str]) -> list[dict[str, str]]:
    return [
        row
        for row in _checked()
        if _usable(row)
        and row["country"] == shipped["country"]
        and int(shipped["year"]) in _years(row["year"])
        and row["kind"] in CHECKED_KINDS[shipped["kind"]]
        and _publisher(row["publication"]) in shipped["publication"]
    ]


def _nordic_rows() -> list[dict[str, str]]:
    countries = {row["country"] for row in _checked()}
    return [row for row in _shipped() if row["country"] in countries]


def test_every_shipped_value_claimed_checked_is_the_checked_figure():
    claimed = [r for r in _nordic_rows() if r["check"] in ("source", "secondary")]
    assert len(claimed) == 52
    for shipped in claimed:
        matches = _matches(shipped)
        label = f"{shipped['country']} {shipped['year']} {shipped['kind']}"
        assert len(matches) == 1, label
        checked = matches[0]
        assert shipped["unit"] == "g/kWh", label
        assert Decimal(shipped["value"]) == Decimal(checked["value_g_per_kwh"]), label
        assert shipped["gas_basis"] == _gas_basis(checked["gas_basis"]), label
        # Read in the publisher's own text only where the checked file says so.
        source = checked["status"] == "found_in_source_text"
        assert (shipped["check"] == "source") == source, label


def test_unverified_shipped_values_are_the_single_or_uncertain_copies():
    unverified = [r for r in _nordic_rows() if r["check"] == "unverified"]
    assert [(r["country"], r["year"], r["kind"]) for r in unverified] == [
        ("NO", "2024", "location"),
        ("SE", "2019", "location"),
        ("DK", "2019", "location"),
        ("FI", "2019", "location"),
        ("EE", "2019", "location"),
    ]
    for shipped in unverified:
        (checked,) = _matches(shipped)
        assert Decimal(shipped["value"]) == Decimal(checked["value_g_per_kwh"])
        assert "verify" in checked["status"] or "inferred" in checked["status"]
        assert shipped["check_note"]


def test_nothing_is_shipped_for_a_figure_not_found_or_not_to_be_used():
    shipped = {(r["country"], int(r["year"]), r["kind"]) for r in _shipped()}
    absent = [
        row
        for row in _checked()
        if row["status"].startswith(("not_found", "unverified"))
        and row["kind"] in {k for kinds in CHECKED_KINDS.values() for k in kinds}
    ]
    assert absent
    for row in absent:
        for year in _years(row["year"]):
            product_kinds = [
                kind for kind, kinds in CHECKED_KINDS.items() if row["kind"] in kinds
            ]
            for kind in product_kinds:
                if kind == "location" and row["kind"] != "location":
                    continue  # another publisher's location figure may be shipped
                assert (row["country"], year, kind) not in shipped, row
    # No Nordic district-heating figure could be checked: none is shipped.
    assert [r for r in _nordic_rows() if r["kind"] == "district_heating"] == []


@pytest.mark.django_db
def test_loaded_factors_carry_the_file_and_value_exactly():
    sets, rows = load_curated_factors()
    assert (sets, rows) == (7, 67)  # 2019 to 2025; 10 GB/US rows, 57 others
    factor = EmissionFactor.objects.get(
        factor_set__edition_year=2019, key="residual_mix|SE|nordic"
    )
    assert factor.co2e == Decimal("0.33853")  # 338.53 g/kWh
    assert factor.gases_covered == "co2"
    assert factor.verification == FactorCheck.SOURCE
    assert factor.publication.startswith("Energimarknadsinspektionen")
    assert factor.edition == "2019 (Ei news 2020-06-22)"
    assert factor.table_or_page == "text: '338,53 g/CO2 per kWh'"
    assert factor.source_url.startswith("https://www.ei.se/")
    for shipped in _shipped():
        loaded = EmissionFactor.objects.get(
            factor_set__organisation=None,
            factor_set__kind=FactorSetKind.CURATED,
            factor_set__edition_year=int(shipped["year"]),
            key=grid_factor_key(shipped["kind"], shipped["country"]),
        )
        assert loaded.publication == shipped["publication"]
        assert loaded.edition == shipped["edition"]
        assert loaded.table_or_page == shipped["table_or_page"]
        scale = Decimal("0.001") if shipped["unit"] == "g/kWh" else Decimal(1)
        assert loaded.co2e == Decimal(shipped["value"]) * scale
        assert loaded.verification == shipped["check"]
        assert loaded.gases_covered == shipped["gas_basis"].lower()
        assert loaded.unit == "kWh"


@pytest.mark.django_db
def test_a_factor_no_longer_shipped_is_deleted_or_withdrawn(org, unit, editor):
    load_curated_factors()
    curated = FactorSet.objects.get(
        organisation=None, kind=FactorSetKind.CURATED, edition_year=2022
    )
    unused = EmissionFactor.objects.create(
        factor_set=curated, key="residual_mix|NO", unit="kWh", co2e=Decimal("0.499")
    )
    used = EmissionFactor.objects.create(
        factor_set=curated, key="district_heating|NO", unit="kWh", co2e=Decimal("0.016")
    )
    from emissions.catalogue import load_activity_types
    from emissions.models import ActivityType
    from emissions.services.entries import entry_create

    load_activity_types()
    heating = ActivityType.objects.get(organisation=None, code="district_heating")
    created = entry_create(
        organisation=org,
        actor=editor,
        business_unit=unit,
        year=2022,
        activity_type=heating,
        quantity=Decimal("1000"),
        unit="kWh",
    )
    assert created.factor == used
    load_curated_factors()
    assert not EmissionFactor.objects.filter(pk=unused.pk).exists()
    used.refresh_from_db()
    assert used.verification == FactorCheck.WITHDRAWN
    assert used.verification_note == WITHDRAWN_NOTE
    assert used.is_unverified


def _write(tmp_path, text: str, name: str = "grid.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADER = (
    "country,year,kind,value,unit,gas_basis,publication,edition,table_or_page,url\n"
)


def test_grid_file_reads_a_publishers_figures(tmp_path):
    path = _write(
        tmp_path,
        HEADER + 'SE,2023,residual_mix_aib,"68,23",g/kWh,CO2,AIB European Residual '
        "Mixes,2023 v1.0,Table 2 p. 7,https://www.aib-net.org/\n"
        "SE,2023,location,7,g CO2e/kWh,CO2e,EEA intensity,2025,2023 column,\n",
    )
    parsed = parse_grid_factor_file(path)
    assert parsed.edition_year == 2023
    assert parsed.region == "SE"
    residual, location = parsed.rows
    assert residual.key == "residual_mix|SE|aib"
    assert residual.co2e == Decimal("0.06823")
    assert residual.gases_covered == "co2"
    assert residual.verification == "uploaded"
    assert residual.table_or_page == "Table 2 p. 7"
    assert location.key == "grid_location|SE"
    assert location.co2e == Decimal("0.007")
    assert location.gases_covered == "co2e"


def test_grid_file_reports_every_bad_row_and_imports_nothing(tmp_path):
    path = _write(
        tmp_path,
        HEADER
        + "Sweden,2023,residual_mix,x,g/kWh,CO2,AIB,2023,,\n"
        + "SE,2023,location,7,lb/MWh,N2O,,,,ftp://x\n"
        + "SE,2023,location,7,g/kWh,CO2e,EEA,2025,,\n"
        + "SE,2023,location,8,g/kWh,CO2e,EEA,2025,,\n",
    )
    with pytest.raises(FactorFileError) as error:
        parse_grid_factor_file(path)
    message = str(error.value)
    assert "3 row(s) have errors; nothing was imported" in message
    assert "row 2: country 'Sweden' is not a two-letter code" in message
    assert "kind 'residual_mix' is not one of location, residual_mix_aib" in message
    assert "value 'x' is not a number" in message
    assert "row 3: unit 'lb/MWh' is not one of" in message
    assert "gas_basis 'N2O' is not CO2 or CO2e" in message
    assert "publication is empty; edition is empty" in message
    assert "url 'ftp://x' does not start with https://" in message
    assert "row 5: SE 2023 location repeats row 4" in message


def test_grid_file_holds_one_year(tmp_path):
    path = _write(
        tmp_path,
        HEADER
        + "NO,2022,location,19,g/kWh,CO2e,NVE,2022,,\n"
        + "NO,2023,location,15,g/kWh,CO2e,NVE,2023,,\n",
    )
    with pytest.raises(FactorFileError) as error:
        parse_grid_factor_file(path)
    assert "holds one year" in str(error.value)
    assert "2022, 2023" in str(error.value)


def test_shipped_rows_must_say_how_they_were_checked():
    rows = [
        HEADER.strip().split(",") + ["check"],
        ["NO", "2023", "location", "15", "g/kWh", "CO2e", "NVE", "2023", "", "", ""],
    ]
    (parsed,) = parse_grid_rows(rows, file_name="x.csv", default_check="")
    assert parsed.factor.verification == ""
    rows[1][-1] = "checked"
    with pytest.raises(FactorFileError) as error:
        parse_grid_rows(rows, file_name="x.csv", default_check="")
    assert "check 'checked' is not one of source, secondary, unverified" in str(
        error.value
    )


def test_the_documented_example_is_a_valid_grid_file(tmp_path):
    doc = (ROOT / "docs" / "factor-file-format.md").read_text(encoding="utf-8")
    example = doc.split("# Grid-factor file format", 1)[1]
    example = example.split("```csv\n", 1)[1].split("```", 1)[0]
    parsed = parse_grid_factor_file(_write(tmp_path, example))
    assert [(row.key, row.co2e, row.gases_covered) for row in parsed.rows] == [
        ("residual_mix|SE|aib", Decimal("0.06823"), "co2"),
        ("residual_mix|SE|nordic", Decimal("0.5241"), "co2"),
        ("grid_location|SE", Decimal("0.007"), "co2e"),
    ]


@pytest.mark.django_db
def test_the_report_methodology_names_each_grid_factor_and_the_residual_mix(
    org, editor, admin
):
    from emissions.catalogue import load_activity_types
    from emissions.models import ActivityType
    from emissions.services.entries import entry_create
    from emissions.services.factors import residual_mix_choice_set
    from reports.kinds.annual_pdf import render_html
    from reports.selectors import annual_report_data
    from tests.factories import BusinessUnitFactory

    load_activity_types()
    load_curated_factors()
    stockholm = BusinessUnitFactory(organisation=org, code="STO", country="SE")
    residual_mix_choice_set(organisation=org, actor=admin, country="SE", mix="nordic")
    entry_create(
        organisation=org,
        actor=editor,
        business_unit=stockholm,
        year=2023,
        activity_type=ActivityType.objects.get(organisation=None, code="electricity"),
        quantity=Decimal("1000"),
        unit="kWh",
    )
    data = annual_report_data(organisation=org, year=2023)
    assert [
        (g.country, g.what, g.kg_per_kwh, g.gases, g.unverified, g.residual_mix)
        for g in data.grid_factors
    ] == [
        (
            "SE",
            "Grid electricity, location-based",
            Decimal("0.007"),
            "CO2e (all greenhouse gases)",
            False,
            "",
        ),
        (
            "SE",
            "Residual mix (Nordic, Ei)",
            Decimal("0.5241"),
            "CO2 only",
            False,
            "Nordic residual mix (Energimarknadsinspektionen, Sweden)",
        ),
    ]
    assert data.grid_factors[1].publication == (
        "Energimarknadsinspektionen (Ei): Nordic residual mix"
    )
    html = render_html(data, language="en")
    assert "Electricity and heat factors" in html
    assert "Nordic residual mix (Energimarknadsinspektionen, Sweden)" in html
    assert "table Miljöpåverkan: CO2 (g/kWh) 524,10" in html
    # In a Swedish report the kinds of factor are named in Swedish.
    with translation.override("sv"):
        swedish = annual_report_data(organisation=org, year=2023)
    assert [g.what for g in swedish.grid_factors] == [
        "Nätel, platsbaserad",
        "Residualmix (nordisk, Ei)",
    ]


@pytest.mark.django_db
def test_guarantees_of_origin_cover_a_country_year_without_a_residual_mix(org, editor):
    from emissions.catalogue import load_activity_types
    from emissions.models import ActivityType
    from emissions.services import records
    from emissions.services.entries import entry_create
    from reports.selectors import inventory_for_year
    from tests.factories import BusinessUnitFactory

    load_activity_types()
    load_curated_factors()
    stockholm = BusinessUnitFactory(organisation=org, code="STO", country="SE")
    entry = entry_create(
        organisation=org,
        actor=editor,
        business_unit=stockholm,
        year=2021,
        activity_type=ActivityType.objects.get(organisation=None, code="electricity"),
        quantity=Decimal("10000"),
        unit="kWh",
    )
    # No AIB residual mix for Sweden in 2021: the grid factor (AIB production
    # mix 2020, 5.67 g/kWh) stands in: 10 000 kWh x 0.00567 = 56.7 kg.
    assert entry.residual_mix_factor == Decimal("0.00567")
    assert entry.kg_co2e_market == Decimal("56.7")
    assert inventory_for_year(organisation=org, year=2021).scope2_market_t_co2e == (
        Decimal("0.0567")
    )
    records.instrument_create(
        organisation=org,
        actor=editor,
        business_unit=stockholm,
        year=2021,
        kind="go",
        mwh="6",
    )
    # 6 MWh of guarantees of origin at 0; 4 000 kWh x 0.00567 = 22.68 kg.
    assert inventory_for_year(organisation=org, year=2021).scope2_market_t_co2e == (
        Decimal("0.02268")
    )


@pytest.mark.django_db
def test_a_country_year_without_a_residual_mix_is_named_on_the_year_page_and_report(
    client, org, editor, admin
):
    from emissions.catalogue import load_activity_types
    from emissions.models import ActivityType
    from emissions.selectors_factors import residual_mix_gaps
    from emissions.services.entries import entry_create
    from reports.kinds.annual_pdf import render_html
    from reports.selectors import annual_report_data
    from tests.factories import BusinessUnitFactory

    load_activity_types()
    load_curated_factors()
    copenhagen = BusinessUnitFactory(organisation=org, code="CPH", country="DK")
    electricity = ActivityType.objects.get(organisation=None, code="electricity")
    for year in (2020, 2023):
        entry_create(
            organisation=org,
            actor=editor,
            business_unit=copenhagen,
            year=year,
            activity_type=electricity,
            quantity=Decimal("1000"),
            unit="kWh",
        )
    # The AIB's Danish residual mix is shipped from 2023 on only.
    assert residual_mix_gaps(organisation=org, year=2020) == ["DK"]
    assert residual_mix_gaps(organisation=org, year=2023) == []
    client.force_login(admin)
    page = client.get(reverse("year_detail", args=[org.slug, 2020]))
    assert "The factor library has no residual mix for DK" in page.content.decode()
    page = client.get(reverse("year_detail", args=[org.slug, 2023]))
    assert "The factor library has no residual mix" not in page.content.decode()
    data = annual_report_data(organisation=org, year=2020)
    assert data.residual_mix_gaps == ["DK"]
    html = render_html(data, language="nb")
    assert "Faktorbiblioteket har ingen restmiks for DK" in html
