"""Invariants of the figures on both demo organisations, every unit and year.

Units add up to the organisation (totals, scopes, base years, cumulative
reduction); a parent unit is the roll-up of its subtree; every gas table adds
up to its total; the Eco-Lighthouse workbook and the API give the dashboard's
figures, and the PDF's data (`annual_report_data`) equals the API's.
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import BusinessUnit, Organisation
from api.models import ApiToken
from emissions.models import ActivityEntry
from reports.kinds.eco_lighthouse import eco_lighthouse_xlsx
from reports.selectors import (
    KYOTO_GASES,
    annual_report_data,
    inventory_for_year,
    scope_totals_by_year,
)

pytestmark = pytest.mark.django_db

ZERO = Decimal(0)
SIX = Decimal("0.000001")
FIGURES = (
    "total_t_co2e",
    "scope1_t_co2e",
    "scope2_location_t_co2e",
    "scope2_market_t_co2e",
    "scope3_t_co2e",
    "cumulative_reduction_t_co2e",
)


# SQLite sums decimals as floating point with 15 significant digits, in the
# order it reads the rows, so two sums of the same lines read in another order
# can differ in the last digit (see docs/architecture.md); PostgreSQL is exact.
SQLITE_DIGITS = Decimal("1E-9")


def same(a: Decimal | None, b: Decimal | None) -> bool:
    """Return whether two figures (t) are equal: exactly where sums are exact."""
    if a is None or b is None:
        return a is b
    if connection.vendor == "postgresql":
        return a == b
    return abs(a - b) <= SQLITE_DIGITS


def close(a: Decimal, b: Decimal) -> bool:
    """Return whether a workbook's figure (t) is a figure: cells hold floats."""
    return abs(a - b) <= SQLITE_DIGITS


@pytest.fixture
def demo():
    call_command("seed_demo")


def _sum(values) -> Decimal:
    return sum(values, ZERO)


def _years(organisation: Organisation) -> list[int]:
    return sorted(
        set(
            ActivityEntry.objects.filter(organisation=organisation).values_list(
                "reporting_year__year", flat=True
            )
        )
    )


def _eco_kg(workbook: bytes) -> tuple[Decimal, dict[str, Decimal]]:
    """Return the emissions of every source row (kg) and the total lines (t)."""
    sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
    kg = ZERO
    totals = {}
    column = None
    for row in sheet.iter_rows(values_only=True):
        first = row[0]
        if isinstance(first, str) and first.startswith("Klimagassutslipp totalt"):
            totals[first] = Decimal(str(row[1]))
            continue
        headers = [str(cell or "") for cell in row]
        found = [i for i, text in enumerate(headers) if text.startswith("Utslipp")]
        if found:
            column = found[0]
            continue
        if first is None or column is None or first.startswith(("Sum ", "Sorter")):
            if first is None:
                column = None
            continue
        if row[column] is not None:
            kg += Decimal(str(row[column]))
    return kg, totals


@pytest.mark.parametrize("slug", ["nordsoft", "fjordkontakt"])
def test_demo_figures_add_up_for_every_unit_parent_and_year(demo, slug):
    organisation = Organisation.objects.get(slug=slug)
    units = list(BusinessUnit.objects.filter(organisation=organisation))
    roots = [u for u in units if u.parent_id is None]
    children = {u.pk: [c for c in units if c.parent_id == u.pk] for u in units}
    parents = [u for u in units if children[u.pk]]
    if slug == "nordsoft":
        assert [p.code for p in parents] == ["NORDICS"]
    for year in _years(organisation):
        whole = inventory_for_year(organisation=organisation, year=year)
        of = {
            u.pk: inventory_for_year(
                organisation=organisation, year=year, business_unit=u
            )
            for u in units
        }
        not_allocated = _sum(
            line.recalculated_t for line in whole.base_year_by_unit if not line.code
        )
        for inv in [whole, *of.values()]:
            # Every gas table adds up to its total, in the seven Kyoto gases
            # and nothing else; what is counted as CO2 from factors giving a
            # CO2e total only is part of the CO2 row, named by source.
            assert list(inv.gas_table) == [*KYOTO_GASES]
            assert same(_sum(inv.gas_table.values()), inv.total_t_co2e)
            assert all(t >= 0 for t in inv.gas_table.values())
            share = inv.co2e_only
            assert 0 <= share.t_co2e <= inv.gas_table["CO2"]
            assert share.t_co2e == _sum(s.t_co2e for s in share.sources)
            assert all(s.t_co2e > 0 for s in share.sources)
            # The recalculated base year is the one in the series.
            if inv.base_year_total_t_co2e is not None:
                assert same(
                    inv.series[inv.base_year].total_t, inv.base_year_total_t_co2e
                )
                assert same(inv.base_year_units_total_t, inv.base_year_total_t_co2e)
        # Units add up to the whole: the top-level units partition it.
        for name in FIGURES:
            assert same(
                _sum(getattr(of[u.pk], name) for u in roots), getattr(whole, name)
            ), (year, name)
        assert same(
            _sum(of[u.pk].base_year_total_t_co2e or ZERO for u in roots)
            + not_allocated,
            whole.base_year_total_t_co2e,
        )
        assert same(_sum(whole.by_business_unit.values()), whole.total_t_co2e)
        for u in units:
            if not children[u.pk] and u.code in whole.by_business_unit:
                assert same(whole.by_business_unit[u.code], of[u.pk].total_t_co2e)
        # A parent is the roll-up of its children (the demo's parents have no
        # lines of their own).
        for parent in parents:
            assert not ActivityEntry.objects.filter(business_unit=parent).exists()
            kids = [of[c.pk] for c in children[parent.pk]]
            assert of[parent.pk].total_t_co2e > 0
            for name in FIGURES:
                assert same(
                    _sum(getattr(k, name) for k in kids), getattr(of[parent.pk], name)
                ), (year, parent.code, name)
            assert same(
                _sum(k.base_year_total_t_co2e or ZERO for k in kids),
                of[parent.pk].base_year_total_t_co2e,
            )
            rolled = {code: t for k in kids for code, t in k.by_business_unit.items()}
            assert sorted(of[parent.pk].by_business_unit) == sorted(rolled)
            for code, t in rolled.items():
                assert same(of[parent.pk].by_business_unit[code], t)


@pytest.mark.parametrize("slug", ["nordsoft", "fjordkontakt"])
def test_demo_eco_lighthouse_api_and_pdf_give_the_dashboards_figures(demo, slug):
    from rest_framework.test import APIClient

    organisation = Organisation.objects.get(slug=slug)
    viewer = organisation.memberships.get(role="viewer").user
    _token, raw = ApiToken.issue(user=viewer, name="invariants")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    units = [None, *BusinessUnit.objects.filter(organisation=organisation)]
    for year in _years(organisation):
        for unit in units:
            inv = inventory_for_year(
                organisation=organisation, year=year, business_unit=unit
            )
            # Eco-Lighthouse: its source rows add up to the dashboard's total,
            # and its totals are the dashboard's, both ways.
            kg, totals = _eco_kg(
                eco_lighthouse_xlsx(
                    organisation=organisation, year=year, business_unit=unit
                )
            )
            assert close(kg / 1000, inv.total_t_co2e)
            expected = sorted([inv.total_location_t_co2e, inv.total_market_t_co2e])
            assert all(
                close(a, b)
                for a, b in zip(sorted(totals.values()), expected, strict=True)
            )
            # The PDF's figures are the API's.
            pdf = annual_report_data(
                organisation=organisation, year=year, business_unit=unit
            ).inventory
            query = {"business_unit": unit.code} if unit else {}
            body = api.get(
                f"/api/v1/organisations/{slug}/inventory/{year}/", query
            ).json()
            for name in (
                *FIGURES,
                "base_year_total_t_co2e",
                "base_year_original_t_co2e",
                "change_vs_base_year_pct",
                "change_vs_previous_year_pct",
                "total_location_t_co2e",
                "total_market_t_co2e",
            ):
                value = getattr(pdf, name)
                expected = None if value is None else f"{value.quantize(SIX)}"
                assert body[name] == expected, (year, unit, name)
            assert body["by_business_unit"] == {
                code: f"{t.quantize(SIX)}" for code, t in pdf.by_business_unit.items()
            }
            assert body["by_gas"] == {
                gas: f"{t.quantize(SIX)}" for gas, t in pdf.gas_table.items()
            }
            assert body["co2_from_co2e_only_t_co2e"] == (
                f"{pdf.co2e_only.t_co2e.quantize(SIX)}"
            )
            assert body["co2_from_co2e_only_by_source"] == {
                s.code: f"{s.t_co2e.quantize(SIX)}" for s in pdf.co2e_only.sources
            }


def test_demo_acquisition_belongs_to_tallinn_and_nordics_rolls_up(demo):
    nordsoft = Organisation.objects.get(slug="nordsoft")
    unit = {u.code: u for u in nordsoft.business_units.all()}

    def inv(code, year=2024):
        return inventory_for_year(
            organisation=nordsoft, year=year, business_unit=unit.get(code)
        )

    def entered_2019(code=None) -> Decimal:
        return scope_totals_by_year(
            organisation=nordsoft, business_unit=unit.get(code)
        )[2019].total_t

    # The 2021 acquisition adds 8.1 + 61.9 (market-based) + 36.4 t to
    # Tallinn's base year, which had no lines of its own.
    tallinn = inv("EE-TLL")
    assert tallinn.base_year_original_t_co2e == Decimal("0")
    assert tallinn.base_year_total_t_co2e == Decimal("106.4")
    assert tallinn.series[2019].total_t == Decimal("106.4")
    # Stockholm's base year is its own 2019, not the acquisition's too.
    stockholm = inv("SE-STO")
    assert stockholm.base_year_total_t_co2e == entered_2019("SE-STO")
    assert stockholm.base_year_adjustment is None
    assert stockholm.change_vs_base_year_pct == (
        (stockholm.total_t_co2e - entered_2019("SE-STO")) / entered_2019("SE-STO") * 100
    )
    whole = inv(None)
    assert whole.base_year_total_t_co2e == entered_2019() + Decimal("106.4")
    assert whole.base_year_original_t_co2e == entered_2019()
    assert [
        (line.code, line.adjustment_t)
        for line in whole.base_year_by_unit
        if line.adjustment_t
    ] == [("EE-TLL", Decimal("106.4"))]
    # NORDICS is its four Nordic units.
    nordics = inv("NORDICS")
    assert sorted(nordics.by_business_unit) == ["DK-CPH", "FI-HEL", "NO-OSL", "SE-STO"]
    assert nordics.total_t_co2e == _sum(
        whole.by_business_unit[code] for code in nordics.by_business_unit
    )


def test_demo_gas_table_counts_residual_mixes_as_co2_and_names_co2e_totals(demo):
    nordsoft = Organisation.objects.get(slug="nordsoft")
    inv = inventory_for_year(organisation=nordsoft, year=2024)
    milli = Decimal("0.001")
    assert {gas: t.quantize(milli) for gas, t in inv.gas_table.items()} == {
        "CO2": Decimal("858.138"),
        "CH4": Decimal("0.260"),
        "N2O": Decimal("2.891"),
        "HFCs": Decimal("0.000"),
        "PFCs": Decimal("0.000"),
        "SF6": Decimal("0.000"),
        "NF3": Decimal("0.000"),
    }
    assert same(_sum(inv.gas_table.values()), inv.total_t_co2e)
    # The electricity of 2024 is at residual mixes that count CO2 only, so it
    # is CO2 as published; the guarantees of origin are at 0 kg/kWh.
    # Hotel nights in the Nordic countries are at the organisation's own
    # factor (11.8 kg CO2e per room night), a CO2e total.
    assert inv.co2e_only.t_co2e.quantize(milli) == Decimal("72.663")
    assert [(s.code, s.t_co2e.quantize(milli)) for s in inv.co2e_only.sources] == [
        ("home_working", Decimal("34.132")),
        ("district_heating", Decimal("30.376")),
        ("hotel_night_nordic", Decimal("6.033")),
        ("purchased_paper", Decimal("1.860")),
        ("waste_incineration_mixed", Decimal("0.139")),
        ("waste_composting_food", Decimal("0.064")),
        ("waste_recycling_paper", Decimal("0.058")),
    ]
