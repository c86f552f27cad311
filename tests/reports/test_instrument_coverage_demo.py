"""The demo's guarantees of origin: coverage shares and quality criteria, exactly."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from emissions.selectors_instruments import (
    instrument_quality_for_year,
    instruments_failing_quality_criteria,
)
from reports.coverage import report_coverage
from reports.kinds.annual_pdf import render_html
from reports.selectors import annual_report_data

pytestmark = pytest.mark.django_db

FOUR = Decimal("0.0001")


def _units(coverage):
    return [
        (
            line.code,
            line.consumed_kwh,
            line.covered_kwh,
            None if line.share_pct is None else line.share_pct.quantize(FOUR),
        )
        for line in coverage.by_unit
    ]


def test_demo_coverage_shares_and_criteria():
    call_command("seed_demo")
    nordsoft = Organisation.objects.get(slug="nordsoft")
    coverage = report_coverage(organisation=nordsoft, year=2024)
    # Oslo's grid electricity is its office's 297,804 kWh, covered by its
    # guarantee of origin, and the servers' 111,676.5 kWh, not covered.
    assert _units(coverage) == [
        ("DE-BER", Decimal("148902"), Decimal(0), Decimal("0.0000")),
        ("DK-CPH", Decimal("99268"), Decimal(0), Decimal("0.0000")),
        ("EE-TLL", Decimal("74451"), Decimal(0), Decimal("0.0000")),
        ("FI-HEL", Decimal("124085"), Decimal("124085"), Decimal("100.0000")),
        ("NO-OSL", Decimal("409480.5"), Decimal("297804"), Decimal("72.7273")),
        ("SE-STO", Decimal("198536"), Decimal("198536"), Decimal("100.0000")),
    ]
    # 297,804 of 409,480.5 kWh is 8/11.
    assert coverage.by_unit[4].covered_kwh * 11 == coverage.by_unit[4].consumed_kwh * 8
    assert (coverage.consumed_kwh, coverage.covered_kwh) == (
        Decimal("1054722.5"),
        Decimal("620425"),
    )
    # 620,425 of 1,054,722.5 kWh is exactly 10/17 (58.8235 %).
    assert coverage.covered_kwh * 17 == coverage.consumed_kwh * 10
    assert coverage.share_pct.quantize(FOUR) == Decimal("58.8235")
    assert [
        (k.kind, k.instruments, k.covered_kwh, k.share_pct.quantize(FOUR))
        for k in coverage.by_kind
    ] == [("go", 3, Decimal("620425"), Decimal("58.8235"))]

    fjord = Organisation.objects.get(slug="fjordkontakt")
    coverage = report_coverage(organisation=fjord, year=2024)
    # Bergen's guarantee of origin is rounded up to 739.738 MWh: the half kWh
    # beyond the consumption covers nothing.
    assert _units(coverage) == [
        ("BGO", Decimal("739737.5"), Decimal("739737.5"), Decimal("100.0000")),
        ("TRD", Decimal("443842.5"), Decimal(0), Decimal("0.0000")),
    ]
    assert coverage.by_unit[0].over_covered_kwh == Decimal("0.5")
    assert (coverage.consumed_kwh, coverage.covered_kwh, coverage.share_pct) == (
        Decimal("1183580"),
        Decimal("739737.5"),
        Decimal("62.5"),
    )
    # The report shows the kWh as recorded, so its columns add up as printed.
    html = render_html(annual_report_data(organisation=fjord, year=2024), language="en")
    for row in (
        '<td>BGO Bergen kundesenter</td><td class="num">739,737.5</td><td '
        'class="num">739,737.5</td><td class="num">100.0 %</td>',
        '<td>TRD Trondheim kundesenter</td><td class="num">443,842.5</td><td '
        'class="num">0</td><td class="num">0.0 %</td>',
        '<td>Total</td><td class="num">1,183,580</td><td class="num">739,737.5</td>'
        '<td class="num">62.5 %</td>',
    ):
        assert row in html
    assert "No instrument fails a GHG Protocol Scope 2 Quality Criterion." in html
    bergen = fjord.business_units.get(code="BGO")
    assert report_coverage(
        organisation=fjord, year=2024, business_unit=bergen
    ).share_pct == Decimal(100)

    # Every demo instrument meets the four criteria (once the last year's
    # guarantees are cancelled, on 15 March 2026).
    today = datetime.date(2026, 3, 15)
    for organisation in (nordsoft, fjord):
        for year in range(2021, 2026):
            assert (
                instruments_failing_quality_criteria(organisation, year, today=today)
                == []
            )
            assert all(
                quality.all_met
                for quality in instrument_quality_for_year(
                    organisation=organisation, year=year, today=today
                )
            )
