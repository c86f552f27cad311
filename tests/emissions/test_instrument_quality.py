"""Quality criteria and coverage of the instruments: selectors, pages, API, report.

The fixture: in 2024 OSL consumes 100,000 kWh of grid electricity (and
10,000 kWh of district heating, which no instrument covers), BGO 50,000 kWh
and STO 50,000 kWh. OSL holds a guarantee of origin of 60 MWh and then a PPA
of 50 MWh (of which 40 MWh are used), BGO a REC of 30 MWh produced in the
United States (not the same market), STO none.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from emissions.models import ContractualInstrument, EmissionFactor, FactorSet
from emissions.selectors_instruments import (
    instrument_coverage,
    instrument_quality,
    instrument_quality_for_year,
    instruments_failing_quality_criteria,
    instruments_with_claims,
)
from emissions.services import records
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 6, 1)


def _grid(org, unit, user, kwh: str, year: int = 2024, residual="0.4"):
    return entry(
        organisation=org,
        unit=unit,
        year=year,
        code="electricity",
        scope=2,
        kg="0",
        user=user,
        quantity=kwh,
        energy_kwh=kwh,
        residual=residual,
    )


@pytest.fixture
def scene(org, admin, editor):
    org.org_number = "923 609 016"
    org.save()
    osl = BusinessUnitFactory(organisation=org, code="OSL", name="Oslo", country="NO")
    bgo = BusinessUnitFactory(organisation=org, code="BGO", name="Bergen", country="NO")
    sto = BusinessUnitFactory(
        organisation=org, code="STO", name="Stockholm", country="SE"
    )
    _grid(org, osl, admin, "80000")
    _grid(org, osl, admin, "20000")
    entry(
        organisation=org,
        unit=osl,
        year=2024,
        code="district_heating",
        scope=2,
        kg="0",
        user=admin,
        energy_kwh="10000",
    )
    _grid(org, bgo, admin, "50000")
    _grid(org, sto, admin, "50000")
    common = {"organisation": org, "actor": editor, "year": 2024}
    go = records.instrument_create(
        **common,
        business_unit=osl,
        kind="go",
        mwh="60",
        scheme="EECS, Statnett",
        certificate_first="NO-1001",
        certificate_last="NO-1060",
        production_country="NO",
        production_start=D(2024, 1, 1),
        production_end=D(2024, 12, 31),
        cancellation_date=D(2025, 3, 1),
        beneficiary="Acme Nordic AS",
    )
    ppa = records.instrument_create(
        **common, business_unit=osl, kind="ppa", mwh="50", supplier="Vind AS"
    )
    rec = records.instrument_create(
        **common,
        business_unit=bgo,
        kind="rec",
        mwh="30",
        scheme="M-RETS",
        certificate_first="MRETS-500",
        certificate_last="MRETS-529",
        production_country="US",
        production_start=D(2024, 1, 1),
        production_end=D(2024, 6, 30),
        cancellation_date=D(2025, 2, 1),
        beneficiary="Acme Nordic AS, Bergen",
    )
    return {"osl": osl, "bgo": bgo, "sto": sto, "go": go, "ppa": ppa, "rec": rec}


def _outcomes(quality):
    return [(c.criterion, c.outcome) for c in quality.checks]


# --- Coverage ----------------------------------------------------------------


def test_coverage_by_unit_and_kind_adds_up(org, scene):
    coverage = instrument_coverage(organisation=org, year=2024)
    assert [
        (u.code, u.consumed_kwh, u.offered_kwh, u.covered_kwh, u.share_pct)
        for u in coverage.by_unit
    ] == [
        ("BGO", Decimal(50000), Decimal(30000), Decimal(30000), Decimal(60)),
        ("OSL", Decimal(100000), Decimal(110000), Decimal(100000), Decimal(100)),
        ("STO", Decimal(50000), Decimal(0), Decimal(0), Decimal(0)),
    ]
    assert coverage.by_unit[1].over_covered_kwh == Decimal(10000)
    assert [
        (k.kind, k.label, k.instruments, k.covered_kwh, k.share_pct)
        for k in coverage.by_kind
    ] == [
        ("go", "Guarantee of origin", 1, Decimal(60000), Decimal(30)),
        ("rec", "Renewable energy certificate (REC)", 1, Decimal(30000), Decimal(15)),
        ("ppa", "Power purchase agreement (PPA)", 1, Decimal(40000), Decimal(20)),
    ]
    assert (coverage.consumed_kwh, coverage.covered_kwh, coverage.share_pct) == (
        Decimal(200000),
        Decimal(130000),
        Decimal(65),
    )
    assert sum(k.covered_kwh for k in coverage.by_kind) == coverage.covered_kwh
    assert sum(k.share_pct for k in coverage.by_kind) == coverage.share_pct
    # The instruments cover consumption in the order they were recorded.
    assert coverage.covered_kwh_by_instrument == {
        scene["go"].pk: Decimal(60000),
        scene["ppa"].pk: Decimal(40000),
        scene["rec"].pk: Decimal(30000),
    }


def test_coverage_of_some_units_only(org, scene):
    coverage = instrument_coverage(
        organisation=org, year=2024, unit_ids=[scene["bgo"].pk, scene["sto"].pk]
    )
    assert [u.code for u in coverage.by_unit] == ["BGO", "STO"]
    assert (coverage.consumed_kwh, coverage.covered_kwh, coverage.share_pct) == (
        Decimal(100000),
        Decimal(30000),
        Decimal(30),
    )
    assert [(k.kind, k.share_pct) for k in coverage.by_kind] == [("rec", Decimal(30))]


def test_a_year_without_consumption_has_no_share(org, scene):
    coverage = instrument_coverage(organisation=org, year=2023)
    assert (coverage.by_unit, coverage.by_kind, coverage.share_pct) == ([], [], None)


# --- Quality criteria ----------------------------------------------------------


def test_each_instrument_of_the_year_is_checked(org, scene):
    checked = instrument_quality_for_year(organisation=org, year=2024, today=TODAY)
    assert [(q.label, q.covered_kwh, _outcomes(q)) for q in checked] == [
        (
            f"Renewable energy certificate (REC) no. {scene['rec'].pk}",
            Decimal(30000),
            [
                ("vintage", "met"),
                ("same_market", "not_met"),
                ("cancelled", "met"),
                ("unique", "met"),
            ],
        ),
        (
            f"Guarantee of origin no. {scene['go'].pk}",
            Decimal(60000),
            [
                ("vintage", "met"),
                ("same_market", "met"),
                ("cancelled", "met"),
                ("unique", "met"),
            ],
        ),
        (
            f"Power purchase agreement (PPA) no. {scene['ppa'].pk}",
            Decimal(40000),
            [
                ("vintage", "unknown"),
                ("same_market", "unknown"),
                ("cancelled", "unknown"),
                ("unique", "unknown"),
            ],
        ),
    ]


def test_instruments_failing_quality_criteria(org, scene):
    failing = instruments_failing_quality_criteria(org, 2024, today=TODAY)
    assert [(q.instrument.pk, q.covered_kwh) for q in failing] == [
        (scene["rec"].pk, Decimal(30000))
    ]
    assert [(c.label, c.reason) for c in failing[0].failed] == [
        (
            "Same market as the consumption",
            "Produced in US, consumed in NO: not the same market for certificates.",
        )
    ]
    # Only the units asked for; none of STO's.
    assert (
        instruments_failing_quality_criteria(org, 2024, unit_ids=[scene["sto"].pk])
        == []
    )


def test_a_claim_recorded_before_the_register_fails_on_both_sides(
    org, other_org, editor, scene
):
    """Rows written before the register refused overlaps are found."""
    go = scene["go"]
    fields = {
        name: getattr(go, name)
        for name in (
            "scheme",
            "certificate_first",
            "certificate_last",
            "certificate_prefix",
            "certificate_from",
            "certificate_to",
        )
    }
    twin = ContractualInstrument.objects.create(
        organisation=org,
        business_unit=scene["bgo"],
        reporting_year=go.reporting_year,
        kind="go",
        mwh=Decimal(5),
        created_by=editor,
        updated_by=editor,
        **fields,
    )
    checked = {
        q.instrument.pk: q
        for q in instrument_quality(
            instruments_with_claims(organisation=org, year=2024), today=TODAY
        )
    }
    assert checked[go.pk].failed[0].reason == (
        f"NO-1001 – NO-1060 is also claimed for BGO in 2024 (Guarantee of "
        f"origin no. {twin.pk})."
    )
    assert checked[twin.pk].failed[0].reason == (
        f"NO-1001 – NO-1060 is also claimed for OSL in 2024 (Guarantee of "
        f"origin no. {go.pk})."
    )
    # A reader limited to OSL is not shown BGO's claim.
    (limited,) = instrument_quality(
        instruments_with_claims(organisation=org, unit_ids=[scene["osl"].pk]).filter(
            pk=go.pk
        ),
        unit_ids=[scene["osl"].pk],
        today=TODAY,
    )
    assert limited.failed[0].reason == (
        "NO-1001 – NO-1060 is also claimed for another business unit of this "
        "organisation."
    )
    # Another organisation's claim of a single certificate in the range.
    twin.delete()
    elsewhere_unit = BusinessUnitFactory(organisation=other_org, code="X")
    ContractualInstrument.objects.create(
        organisation=other_org,
        business_unit=elsewhere_unit,
        reporting_year=other_org.reporting_years.create(year=2024),
        kind="go",
        mwh=Decimal(1),
        certificate_first="NO-1030",
        certificate_prefix="NO-",
        certificate_from="1030".zfill(40),
        certificate_to="1030".zfill(40),
        created_by=editor,
        updated_by=editor,
    )
    (quality,) = instrument_quality(
        instruments_with_claims(organisation=org).filter(pk=go.pk), today=TODAY
    )
    assert [(c.criterion, c.reason) for c in quality.failed] == [
        (
            "unique",
            "NO-1001 – NO-1060 is also claimed by another organisation on this "
            "installation.",
        )
    ]


# --- Pages and API -------------------------------------------------------------


def test_the_instrument_pages_show_each_criterion(client_for, org, viewer, scene):
    client = client_for(viewer)
    page = client.get(reverse("instrument_list", args=[org.slug])).content.decode()
    rec = scene["rec"]
    assert page.count('class="badge criterion met"') == 7
    assert page.count('class="badge criterion not_met"') == 1
    assert page.count('class="badge criterion unknown"') == 4
    assert (
        "Produced in US, consumed in NO: not the same market for certificates." in page
    )
    assert reverse("instrument_detail", args=[org.slug, rec.pk]) in page
    detail = client.get(
        reverse("instrument_detail", args=[org.slug, rec.pk])
    ).content.decode()
    assert (
        '<tr><th scope="row">Same market as the consumption</th><td><span '
        'class="badge criterion not_met">not met</span></td><td>Produced in US, '
        "consumed in NO: not the same market for certificates.</td></tr>"
    ) in detail
    assert (
        "Covers 30,000 kWh of the 50,000 kWh of grid electricity BGO recorded for 2024."
    ) in detail


def test_the_year_page_flags_figures_relying_on_failing_instruments(
    client_for, org, viewer, scene
):
    page = client_for(viewer).get(reverse("year_detail", args=[org.slug, 2024]))
    text = page.content.decode()
    # The readiness review lists them; the separate warning is for members
    # limited to some units, who do not see the review.
    assert "Market-based scope 2 relies on instruments failing" not in text
    assert "Instruments failing the Scope 2 Quality Criteria" in text
    assert (
        f"Renewable energy certificate (REC) no. {scene['rec'].pk}</a>, BGO, covers "
        "30,000 kWh: Same market as the consumption: Produced in US, consumed "
        "in NO: not the same market for certificates.</li>"
    ) in text
    assert [q.instrument.pk for q in page.context["instruments_unknown"]] == [
        scene["ppa"].pk
    ]


def test_a_limited_member_sees_only_their_units_flags(client_for, org, scene):
    from accounts.models import Membership
    from tests.conftest import _member

    limited = _member(org, "viewer", "limited@acme.example")
    Membership.objects.get(user=limited).business_units.set([scene["osl"]])
    page = client_for(limited).get(reverse("year_detail", args=[org.slug, 2024]))
    assert page.context["instruments_failing"] == []
    assert [q.instrument.pk for q in page.context["instruments_unknown"]] == [
        scene["ppa"].pk
    ]
    listed = client_for(limited).get(reverse("instrument_list", args=[org.slug]))
    assert [q.instrument.pk for q in listed.context["instruments"]] == [
        scene["go"].pk,
        scene["ppa"].pk,
    ]
    assert (
        client_for(limited)
        .get(reverse("instrument_detail", args=[org.slug, scene["rec"].pk]))
        .status_code
        == 403
    )


def test_the_api_represents_the_criteria(org, viewer, scene):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(viewer)
    url = f"/api/v1/organisations/acme/instruments/{scene['rec'].pk}/"
    body = client.get(url).json()
    assert body["quality_criteria"] == [
        {
            "criterion": "vintage",
            "name": "Vintage close to the consumption",
            "outcome": "met",
            "reason": "Produced 2024-01-01 to 2024-06-30, overlapping 2024.",
        },
        {
            "criterion": "same_market",
            "name": "Same market as the consumption",
            "outcome": "not_met",
            "reason": "Produced in US, consumed in NO: not the same market for "
            "certificates.",
        },
        {
            "criterion": "cancelled",
            "name": "Cancelled for this consumer",
            "outcome": "met",
            "reason": "Cancelled on 2025-02-01 for Acme Nordic AS, Bergen.",
        },
        {
            "criterion": "unique",
            "name": "Not claimed elsewhere",
            "outcome": "met",
            "reason": "No other claim of MRETS-500 – MRETS-529 on this installation.",
        },
    ]
    listed = client.get("/api/v1/organisations/acme/instruments/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [[c["outcome"] for c in row["quality_criteria"]] for row in rows] == [
        ["met", "met", "met", "met"],
        ["unknown", "unknown", "unknown", "unknown"],
        ["met", "not_met", "met", "met"],
    ]


# --- The annual report ------------------------------------------------------


def test_the_report_shows_coverage_and_failing_instruments(org, scene):
    from reports.kinds.annual_pdf import render_html
    from reports.selectors import annual_report_data

    html = render_html(annual_report_data(organisation=org, year=2024), language="en")
    section = html[html.index('id="scope2"') : html.index('id="intensity"')]
    for row in (
        '<td>BGO Bergen</td><td class="num">50,000</td><td class="num">30,000'
        '</td><td class="num">60.0 %</td>',
        '<td>STO Stockholm</td><td class="num">50,000</td><td class="num">0</td>'
        '<td class="num">0.0 %</td>',
        '<td>Total</td><td class="num">200,000</td><td class="num">130,000</td>'
        '<td class="num">65.0 %</td>',
        '<td>Power purchase agreement (PPA)</td><td class="num">1</td><td '
        'class="num">40,000</td><td class="num">20.0 %</td>',
        '<td>Total</td><td class="num">3</td><td class="num">130,000</td><td '
        'class="num">65.0 %</td>',
    ):
        assert row in section
    assert "Instruments failing a Scope 2 Quality Criterion" in section
    assert (
        f"Renewable energy certificate (REC) no. {scene['rec'].pk}<br><span "
        'class="muted">BGO · MRETS-500 – MRETS-529</span>'
    ) in section
    assert (
        "<strong>Same market as the consumption</strong>: Produced in US, consumed "
        "in NO: not the same market for certificates."
    ) in section
    assert (
        f"Power purchase agreement (PPA) no. {scene['ppa'].pk} (OSL: No production "
        "period entered."
    ) in section
    # A report of BGO alone.
    html = render_html(
        annual_report_data(organisation=org, year=2024, business_unit=scene["bgo"]),
        language="en",
    )
    section = html[html.index('id="scope2"') : html.index('id="intensity"')]
    assert '<td>Total</td><td class="num">50,000</td>' in section
    assert "STO Stockholm" not in section and "Power purchase" not in section


def test_the_report_tables_workbook_has_the_coverage(org, scene):
    from reports.kinds.tables_workbook import report_tables_xlsx
    from reports.selectors import annual_report_data

    workbook = load_workbook(
        io.BytesIO(
            report_tables_xlsx(
                annual_report_data(organisation=org, year=2024), language="en"
            )
        )
    )
    by_unit = [list(row) for row in workbook["Instrument coverage by unit"].values]
    assert by_unit == [
        [
            "Code",
            "Business unit",
            "Grid electricity (kWh)",
            "Covered by instruments (kWh)",
            "Share covered (%)",
        ],
        ["BGO", "Bergen", 50000, 30000, 60],
        ["OSL", "Oslo", 100000, 100000, 100],
        ["STO", "Stockholm", 50000, 0, 0],
        ["Total", None, 200000, 130000, 65],
    ]
    by_kind = [list(row) for row in workbook["Instrument coverage by type"].values]
    assert by_kind[1:] == [
        ["Guarantee of origin", 1, 60000, 30],
        ["Renewable energy certificate (REC)", 1, 30000, 15],
        ["Power purchase agreement (PPA)", 1, 40000, 20],
        ["Total", 3, 130000, 65],
    ]


# --- The entry grid's marker ------------------------------------------------


def test_the_grid_marks_lines_whose_factor_is_unverified(
    client_for, org, editor, scene
):
    factor_set = FactorSet.objects.create(
        kind="curated", publisher="Test", name="Grid", edition_year=2024
    )
    checked = EmissionFactor.objects.create(
        factor_set=factor_set,
        key="grid_location|NO",
        unit="kWh",
        co2e=Decimal("0.0119"),
        verification="source",
    )
    unchecked = EmissionFactor.objects.create(
        factor_set=factor_set,
        key="grid_location|SE",
        unit="kWh",
        co2e=Decimal("0.03"),
        verification="unverified",
    )
    osl_line = scene["osl"].entries.first()
    osl_line.factor = checked
    osl_line.save()
    sto_line = scene["sto"].entries.get()
    sto_line.factor = unchecked
    sto_line.save()
    client = client_for(editor)
    osl = client.get(reverse("entry_grid", args=[org.slug, 2024, "OSL"]))
    assert 'class="badge unverified"' not in osl.content.decode()
    sto = client.get(reverse("entry_grid", args=[org.slug, 2024, "STO"])).content
    marker = (
        f'<a class="badge unverified" href="/o/acme/factors/{unchecked.pk}/" '
        'title="Unverified: not checked against the publication. Figures '
        "calculated with it may change; a year using it is approved only with a "
        'confirmation.">unverified'
    )
    assert sto.decode().count(marker) == 1
    # The residual mix a grid line is priced at in the market-based figure.
    mix = EmissionFactor.objects.create(
        factor_set=factor_set,
        key="residual_mix|SE|aib",
        unit="kWh",
        co2e=Decimal("0.08552"),
        verification="unverified",
    )
    sto = client.get(reverse("entry_grid", args=[org.slug, 2024, "STO"])).content
    assert (
        f'<a class="badge unverified" href="/o/acme/factors/{mix.pk}/" title="'
        "Unverified: not checked against the publication. Figures calculated with "
        'it may change; a year using it is approved only with a confirmation.">'
        "residual mix unverified"
    ) in sto.decode()
    osl = client.get(reverse("entry_grid", args=[org.slug, 2024, "OSL"]))
    assert "residual mix unverified" not in osl.content.decode()
