"""The Scope 2 Quality Criteria of one instrument: each outcome and its reason.

Pure checks, no database: the facts are written out as the selector would
gather them.
"""

import datetime
from dataclasses import replace

import pytest

from emissions.quality_criteria import (
    CRITERIA,
    InstrumentFacts,
    OtherClaim,
    check_instrument,
    market_of,
    vintage_window,
)

D = datetime.date
TODAY = D(2025, 6, 1)
FACTS = InstrumentFacts(
    year=2024,
    consumption_country="SE",
    production_country="NO",
    production_start=D(2024, 1, 1),
    production_end=D(2024, 12, 31),
    cancellation_date=D(2025, 3, 15),
    beneficiary="Acme Nordic AS",
    organisation_name="Acme Nordic AS",
    organisation_number="923 609 016",
    unit_code="STO",
    unit_name="Stockholm office",
    certificates="NO-101 – NO-200",
)


def _check(criterion: str, facts: InstrumentFacts, today=TODAY):
    checks = {c.criterion: c for c in check_instrument(facts, today=today)}
    return checks[criterion].outcome, checks[criterion].reason


def test_every_criterion_is_checked_in_order():
    checks = check_instrument(FACTS, today=TODAY)
    assert [c.criterion for c in checks] == list(CRITERIA)
    assert [c.label for c in checks] == [
        "Vintage close to the consumption",
        "Same market as the consumption",
        "Cancelled for this consumer",
        "Not claimed elsewhere",
    ]
    assert [c.outcome for c in checks] == ["met"] * 4


def test_the_vintage_window_is_six_months_before_to_three_after():
    assert vintage_window(2024) == (D(2023, 7, 1), D(2025, 3, 31))
    assert vintage_window(2020) == (D(2019, 7, 1), D(2021, 3, 31))


@pytest.mark.parametrize(
    ("start", "end", "outcome", "reason"),
    [
        (
            D(2024, 1, 1),
            D(2024, 12, 31),
            "met",
            "Produced 2024-01-01 to 2024-12-31, overlapping 2024.",
        ),
        # Overlapping the year is enough, wherever it starts.
        (
            D(2022, 10, 1),
            D(2024, 1, 31),
            "met",
            "Produced 2022-10-01 to 2024-01-31, overlapping 2024.",
        ),
        (
            D(2023, 7, 1),
            D(2023, 12, 31),
            "met",
            "Produced 2023-07-01 to 2023-12-31, within the window around 2024 "
            "(2023-07-01 to 2025-03-31).",
        ),
        (
            D(2025, 1, 1),
            D(2025, 3, 31),
            "met",
            "Produced 2025-01-01 to 2025-03-31, within the window around 2024 "
            "(2023-07-01 to 2025-03-31).",
        ),
        # One day outside the window on either side.
        (
            D(2023, 6, 30),
            D(2023, 12, 31),
            "not_met",
            "Produced 2023-06-30 to 2023-12-31: outside 2024 and the window around "
            "it (2023-07-01 to 2025-03-31).",
        ),
        (
            D(2025, 1, 1),
            D(2025, 4, 1),
            "not_met",
            "Produced 2025-01-01 to 2025-04-01: outside 2024 and the window around "
            "it (2023-07-01 to 2025-03-31).",
        ),
        (
            D(2022, 1, 1),
            D(2022, 6, 30),
            "not_met",
            "Produced 2022-01-01 to 2022-06-30: outside 2024 and the window around "
            "it (2023-07-01 to 2025-03-31).",
        ),
        # One date stands for a single production month or day.
        (
            D(2024, 5, 1),
            None,
            "met",
            "Produced 2024-05-01 to 2024-05-01, overlapping 2024.",
        ),
        (None, None, "unknown", "No production period entered."),
    ],
)
def test_vintage(start, end, outcome, reason):
    facts = replace(FACTS, production_start=start, production_end=end)
    assert _check("vintage", facts) == (outcome, reason)


@pytest.mark.parametrize(
    ("produced", "consumed", "outcome", "reason"),
    [
        ("NO", "NO", "met", "Produced and consumed in NO."),
        (
            "NO",
            "SE",
            "met",
            "Produced in NO, consumed in SE: both in the European market for "
            "guarantees of origin (AIB, EECS).",
        ),
        (
            "FI",
            "DE",
            "met",
            "Produced in FI, consumed in DE: both in the European market for "
            "guarantees of origin (AIB, EECS).",
        ),
        (
            "US",
            "CA",
            "met",
            "Produced in US, consumed in CA: both in the North American market "
            "for RECs.",
        ),
        (
            "US",
            "NO",
            "not_met",
            "Produced in US, consumed in NO: not the same market for certificates.",
        ),
        # Outside the AIB's registries: a national market.
        (
            "NO",
            "PL",
            "not_met",
            "Produced in NO, consumed in PL: not the same market for certificates.",
        ),
        (
            "GB",
            "IN",
            "not_met",
            "Produced in GB, consumed in IN: not the same market for certificates.",
        ),
        ("", "NO", "unknown", "No production country entered."),
        ("NO", "", "unknown", "The business unit has no country."),
    ],
)
def test_same_market(produced, consumed, outcome, reason):
    facts = replace(FACTS, production_country=produced, consumption_country=consumed)
    assert _check("same_market", facts) == (outcome, reason)


def test_markets():
    assert {market_of(c) for c in ("NO", "SE", "FI", "DK", "EE", "DE", "no")} == {
        "EECS"
    }
    assert market_of("PL") == "PL"


@pytest.mark.parametrize(
    ("beneficiary", "cancelled", "outcome", "reason"),
    [
        ("Acme Nordic AS", D(2025, 3, 15), "met", None),
        # Company forms, case and punctuation aside.
        ("ACME NORDIC", D(2025, 3, 15), "met", None),
        ("Acme Nordic A/S", D(2025, 3, 15), "met", None),
        ("Stockholm office", D(2025, 3, 15), "met", None),
        ("sto", D(2025, 3, 15), "met", None),
        ("Acme Nordic AS, Stockholm office", D(2025, 3, 15), "met", None),
        ("Org. nr. 923609016", D(2025, 3, 15), "met", None),
        (
            "Acme Nordic Holding AS",
            D(2025, 3, 15),
            "not_met",
            "Cancelled for Acme Nordic Holding AS, which names neither Acme "
            "Nordic AS nor Stockholm office.",
        ),
        (
            "Other Company AB",
            None,
            "not_met",
            "Cancelled for Other Company AB, which names neither Acme Nordic AS "
            "nor Stockholm office.",
        ),
        (
            "Acme Nordic AS",
            D(2025, 6, 2),
            "not_met",
            "The cancellation date 2025-06-02 has not come yet.",
        ),
        ("", None, "unknown", "No cancellation date or beneficiary entered."),
        ("Acme Nordic AS", None, "unknown", "No cancellation date entered."),
        ("", D(2025, 3, 15), "unknown", "No beneficiary entered."),
    ],
)
def test_cancelled_for_this_consumer(beneficiary, cancelled, outcome, reason):
    facts = replace(FACTS, beneficiary=beneficiary, cancellation_date=cancelled)
    expected = reason or f"Cancelled on 2025-03-15 for {beneficiary}."
    assert _check("cancelled", facts) == (outcome, expected)


@pytest.mark.parametrize(
    ("certificates", "other", "outcome", "reason"),
    [
        (
            "NO-101 – NO-200",
            None,
            "met",
            "No other claim of NO-101 – NO-200 on this installation.",
        ),
        (
            "NO-101 – NO-200",
            OtherClaim(
                same_organisation=True,
                readable=True,
                unit="BGO",
                year=2023,
                instrument="Guarantee of origin no. 7",
            ),
            "not_met",
            "NO-101 – NO-200 is also claimed for BGO in 2023 (Guarantee of origin "
            "no. 7).",
        ),
        (
            "NO-101 – NO-200",
            OtherClaim(
                same_organisation=True,
                readable=False,
                unit="BGO",
                year=2023,
                instrument="Guarantee of origin no. 7",
            ),
            "not_met",
            "NO-101 – NO-200 is also claimed for another business unit of this "
            "organisation.",
        ),
        (
            "CANCEL-ABC",
            OtherClaim(same_organisation=False, readable=False),
            "not_met",
            "CANCEL-ABC is also claimed by another organisation on this installation.",
        ),
        (
            "",
            None,
            "unknown",
            "No certificate id or range entered: the register cannot check it.",
        ),
    ],
)
def test_not_claimed_elsewhere(certificates, other, outcome, reason):
    facts = replace(FACTS, certificates=certificates, other_claim=other)
    assert _check("unique", facts) == (outcome, reason)


def test_reasons_are_in_the_readers_language():
    from django.utils import translation

    facts = replace(FACTS, production_start=None, production_end=None)
    with translation.override("nb"):
        checks = check_instrument(facts, today=TODAY)
        assert checks[0].outcome_label == "ukjent"
        assert checks[0].reason == "Ingen produksjonsperiode er oppgitt."
