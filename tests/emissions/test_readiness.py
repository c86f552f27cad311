"""The readiness review of a year: each section with exact figures and rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from emissions.models import (
    EmissionFactor,
    EvidenceDocument,
    FactorSet,
    Finding,
    FindingStatus,
)
from emissions.readiness import year_readiness
from emissions.readiness.changes import exceeds
from emissions.readiness.completeness import is_calendar_month, months_covered
from emissions.services import records
from tests.factories import BusinessUnitFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def units(org):
    nordics = BusinessUnitFactory(organisation=org, code="NORDICS", name="Nordics")
    return {
        "NORDICS": nordics,
        "OSL": BusinessUnitFactory(
            organisation=org, code="OSL", name="Oslo", parent=nordics
        ),
        "BGO": BusinessUnitFactory(organisation=org, code="BGO", name="Bergen"),
        # No lines in 2024: a gap.
        "TRD": BusinessUnitFactory(organisation=org, code="TRD", name="Trondheim"),
        # Sold in 2023: not expected in 2024.
        "SVG": BusinessUnitFactory(
            organisation=org, code="SVG", name="Stavanger", year_left=2023
        ),
    }


def _line(org, admin, unit, year, code, scope, kg, **extra):
    return entry(
        organisation=org,
        unit=unit,
        year=year,
        code=code,
        scope=scope,
        kg=kg,
        user=admin,
        **extra,
    )


@pytest.fixture
def lines(org, admin, units):
    """2023 and 2024 of Oslo and Bergen (kg CO2e; scope 2 market-based given)."""
    osl, bgo = units["OSL"], units["BGO"]
    _line(org, admin, osl, 2023, "natural_gas", 1, "10000")
    _line(org, admin, osl, 2023, "electricity", 2, "2000", market="3000")
    _line(org, admin, osl, 2023, "flight", 3, "20000", category=6)
    _line(org, admin, bgo, 2023, "taxi", 3, "500", category=6)
    _line(org, admin, bgo, 2023, "diesel", 1, "1000")
    _line(org, admin, units["SVG"], 2022, "diesel", 1, "700")
    made = {
        "gas": _line(org, admin, osl, 2024, "natural_gas", 1, "10500"),
        "electricity": _line(
            org, admin, osl, 2024, "electricity", 2, "2600", market="3600"
        ),
        "flight": _line(org, admin, osl, 2024, "flight", 3, "12000", category=6),
        "hotel": _line(org, admin, osl, 2024, "hotel", 3, "300", category=6),
        "diesel": _line(org, admin, bgo, 2024, "diesel", 1, "1050"),
    }
    # Bergen's electricity month by month: January to March and May.
    for month in (1, 2, 3, 5):
        line = _line(org, admin, bgo, 2024, "electricity", 2, "100", market="100")
        start = datetime.date(2024, month, 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
            days=1
        )
        line.period_start, line.period_end = start, end
        line.save(update_fields=["period_start", "period_end"])
        made[f"bgo-electricity-{month}"] = line
    return made


def test_scope_totals_against_last_year_ask_comments_above_the_threshold(org, lines):
    changes = year_readiness(organisation=org, year=2024).changes
    assert changes.has_previous and changes.headline_market
    assert changes.threshold_pct == D(10)
    assert [
        (c.key, c.previous_t, c.current_t, c.needs_comment) for c in changes.scopes
    ] == [
        ("scope1", D("11"), D("11.55"), False),  # +5 %
        ("scope2", D("3"), D("4"), True),  # market-based, +33.3 %
        ("scope3", D("20.5"), D("12.3"), True),  # -40 %
        ("total", D("34.5"), D("27.85"), True),  # -19.3 %
    ]
    assert changes.scopes[2].change_pct == D(-40)


def test_largest_changes_by_unit_and_activity_largest_first(org, lines):
    changes = year_readiness(organisation=org, year=2024).changes
    assert [
        (c.key, c.previous_t, c.current_t, c.needs_comment) for c in changes.lines
    ] == [
        ("line:OSL:flight", D("20"), D("12"), True),
        ("line:OSL:electricity", D("2"), D("2.6"), True),  # location-based
        ("line:BGO:taxi", D("0.5"), D("0"), True),  # gone: -100 %
        ("line:OSL:natural_gas", D("10"), D("10.5"), False),
        ("line:BGO:electricity", D("0"), D("0.4"), True),  # new
        ("line:OSL:hotel", D("0"), D("0.3"), True),  # new
        ("line:BGO:diesel", D("1"), D("1.05"), False),
    ]
    assert changes.lines[0].label == "OSL · Flight"
    assert changes.lines[4].change_pct is None
    assert [c.key for c in changes.missing_comments] == [
        "scope2",
        "scope3",
        "total",
        "line:OSL:flight",
        "line:OSL:electricity",
        "line:BGO:taxi",
        "line:BGO:electricity",
        "line:OSL:hotel",
    ]


def test_the_organisations_threshold_decides_which_changes_need_a_comment(org, lines):
    org.change_comment_threshold_pct = D("35")
    org.save()
    changes = year_readiness(organisation=org, year=2024).changes
    # -40 % and new or gone figures are above 35 %; +33.3 % and +30 % are not.
    assert [c.key for c in changes.needing_comments] == [
        "scope3",
        "line:OSL:flight",
        "line:BGO:taxi",
        "line:BGO:electricity",
        "line:OSL:hotel",
    ]


def test_stored_comments_fill_the_changes(org, lines):
    reporting_year = lines["gas"].reporting_year
    reporting_year.change_comments = {"scope3": "Fewer flights.", "line:OSL:hotel": "x"}
    reporting_year.save()
    changes = year_readiness(organisation=org, year=2024).changes
    assert {c.key: c.comment for c in changes.changes if c.comment} == {
        "scope3": "Fewer flights.",
        "line:OSL:hotel": "x",
    }
    assert "scope3" not in {c.key for c in changes.missing_comments}


def test_without_last_year_nothing_is_compared(org, admin, units):
    _line(org, admin, units["OSL"], 2024, "natural_gas", 1, "10500")
    changes = year_readiness(organisation=org, year=2024).changes
    assert not changes.has_previous
    assert changes.changes == [] and changes.missing_comments == []
    assert changes.lines == []
    assert [(c.key, c.current_t) for c in changes.scopes] == [
        ("scope1", D("10.5")),
        ("total", D("10.5")),
    ]


@pytest.mark.parametrize(
    ("previous", "current", "threshold", "expected"),
    [
        ("100", "110", "10", False),  # exactly the threshold
        ("100", "110.01", "10", True),
        ("100", "89.99", "10", True),
        ("0", "0.001", "10", True),  # a new figure
        ("0", "0", "10", False),
        ("5", "0", "100", False),  # gone, but not more than 100 %
        ("-10", "-12", "10", True),
    ],
)
def test_a_change_exceeds_the_threshold_of_last_years_figure(
    previous, current, threshold, expected
):
    assert exceeds(D(previous), D(current), D(threshold)) is expected


def test_completeness_names_missing_sources_months_and_units(org, lines):
    completeness = year_readiness(organisation=org, year=2024).completeness
    assert [
        (m.unit_code, m.activity_code, m.previous_t)
        for m in completeness.missing_sources
    ] == [("BGO", "taxi", D("0.5"))]
    assert [
        (m.unit_code, m.activity_code, m.months) for m in completeness.missing_months
    ] == [("BGO", "electricity", (4, 6, 7, 8, 9, 10, 11, 12))]
    assert completeness.missing_months[0].month_names[:2] == ["April", "June"]
    # Trondheim has no lines; Nordics has its child's; Stavanger left in 2023.
    assert [u.code for u in completeness.units_without_data] == ["TRD"]
    assert completeness.count == 3


def test_a_whole_year_line_covers_every_month(org, admin, units, lines):
    _line(org, admin, units["BGO"], 2024, "electricity", 2, "900", market="900")
    completeness = year_readiness(organisation=org, year=2024).completeness
    assert completeness.missing_months == []


@pytest.mark.parametrize(
    ("start", "end", "monthly", "months"),
    [
        ("2024-02-01", "2024-02-29", True, {2}),
        ("2024-02-01", "2024-02-28", False, {2}),
        ("2024-01-01", "2024-03-31", False, {1, 2, 3}),
        ("2023-12-01", "2024-01-31", False, {1}),
        (None, None, False, set(range(1, 13))),
    ],
)
def test_periods_and_the_months_they_cover(start, end, monthly, months):
    start = datetime.date.fromisoformat(start) if start else None
    end = datetime.date.fromisoformat(end) if end else None
    assert is_calendar_month(start, end) is monthly
    assert months_covered(2024, start, end) == months


def _document(org, admin, name: str) -> EvidenceDocument:
    document = EvidenceDocument(
        organisation=org,
        original_name=name,
        sha256=name[0] * 64,
        size=9,
        content_type="application/pdf",
        uploaded_by=admin,
    )
    document.file.save(name, ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    return document


def test_evidence_coverage_by_unit_counts_removed_documents_as_none(org, admin, lines):
    lines["flight"].evidence.add(_document(org, admin, "flight.pdf"))
    removed = _document(org, admin, "gas.pdf")
    removed.removed_at = timezone.now()
    removed.save()
    lines["gas"].evidence.add(removed)
    coverage = year_readiness(organisation=org, year=2024).evidence
    assert [
        (u.unit_code, u.entries, u.entries_without, u.t, u.t_without)
        for u in coverage.units
    ] == [
        ("BGO", 5, 5, D("1.45"), D("1.45")),
        ("OSL", 4, 3, D("25.4"), D("13.4")),
    ]
    assert (coverage.entries, coverage.entries_without) == (9, 8)
    assert coverage.t_without == D("14.85")


def test_open_and_answered_findings_are_open_for_the_approval(
    org, admin, auditor, lines
):
    reporting_year = lines["gas"].reporting_year
    on_entry = Finding.objects.create(
        organisation=org,
        reporting_year=reporting_year,
        entry=lines["flight"],
        text="No tickets attached.",
        raised_by=auditor,
    )
    answered = Finding.objects.create(
        organisation=org,
        reporting_year=reporting_year,
        text="Scope 3 screening missing.",
        raised_by=auditor,
        status=FindingStatus.ANSWERED,
    )
    Finding.objects.create(
        organisation=org,
        reporting_year=reporting_year,
        text="Done.",
        raised_by=auditor,
        status=FindingStatus.RESOLVED,
    )
    readiness = year_readiness(organisation=org, year=2024)
    assert readiness.findings == [on_entry, answered]
    assert readiness.warnings["findings"] == 2


def _factor(factor_set, key, **fields):
    return EmissionFactor.objects.create(
        factor_set=factor_set, key=key, unit="kWh", co2e=D("1"), **fields
    )


def test_factors_to_check_name_what_each_needs(org, lines):
    desnz_2021 = FactorSet.objects.create(
        kind="desnz", publisher="DESNZ", name="DESNZ 2021", edition_year=2021
    )
    desnz_2024 = FactorSet.objects.create(
        kind="desnz", publisher="DESNZ", name="DESNZ 2024", edition_year=2024
    )
    own = FactorSet.objects.create(
        kind="generic",
        publisher="Acme",
        name="Own",
        edition_year=2024,
        organisation=org,
    )
    curated = FactorSet.objects.create(
        kind="curated", publisher="Grid", name="Grid 2024", edition_year=2024
    )
    older = _factor(desnz_2021, "gas", level1="Natural gas", verification="source")
    approximate = _factor(
        desnz_2024, "flight", level1="Flights", source_note="Approximate value."
    )
    mine = _factor(own, "hotel", level1="Hotel")
    unverified = _factor(
        curated, "grid_location|NO", level1="Grid", verification="unverified"
    )
    fine = _factor(desnz_2024, "diesel", level1="Diesel", verification="source")
    for name, factor in (
        ("gas", older),
        ("flight", approximate),
        ("hotel", mine),
        ("electricity", unverified),
        ("diesel", fine),
    ):
        lines[name].factor = factor
        lines[name].factor_set = factor.factor_set
        lines[name].save()
    warnings = year_readiness(organisation=org, year=2024).factors
    assert [(w.factor, w.kinds, w.entries, w.t) for w in warnings] == [
        (approximate, ("approximate",), 1, D("12")),
        (older, ("older_edition",), 1, D("10.5")),
        (unverified, ("unverified",), 1, D("2.6")),
        (mine, ("own",), 1, D("0.3")),
    ]
    assert warnings[1].label == "Natural gas 2021 (DESNZ 2021)"
    assert warnings[2].kind_items == [
        ("unverified", "not checked against its publication")
    ]


def test_instruments_failing_the_quality_criteria_with_their_reasons(
    org, admin, units, lines
):
    assert year_readiness(organisation=org, year=2024).instruments == []
    rec = records.instrument_create(
        organisation=org,
        actor=admin,
        year=2024,
        business_unit=units["BGO"],
        kind="rec",
        mwh="30",
        scheme="M-RETS",
        certificate_first="MRETS-500",
        certificate_last="MRETS-529",
        production_country="US",
        production_start=datetime.date(2024, 1, 1),
        production_end=datetime.date(2024, 6, 30),
        cancellation_date=datetime.date(2025, 2, 1),
        beneficiary=org.name,
    )
    readiness = year_readiness(organisation=org, year=2024)
    assert [(i.instrument, i.reasons) for i in readiness.instruments] == [
        (
            rec,
            [
                "Same market as the consumption: Produced in US, consumed in NO: "
                "not the same market for certificates."
            ],
        )
    ]
    assert readiness.warnings["instruments"] == 1
