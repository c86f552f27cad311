"""The rules of a line: one problem, presented by the grid, the import and the API."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Membership
from emissions.imports.preview import import_preview
from emissions.models import ActivityEntry, ReportingYear
from emissions.rules import Line
from emissions.services.entries import entry_create
from tests.emissions.entries_support import load_reference
from tests.emissions.imports.support import xlsx
from tests.factories import BusinessUnitFactory

pytestmark = pytest.mark.django_db

NOT_YOURS = (
    "You may only enter data for the business units you are assigned to; "
    "BGO is not one of them."
)
LOCKED = (
    "The year 2024 is approved and locked; an administrator must unlock it "
    "with a reason before anything can change."
)


@pytest.fixture
def catalogue(db):
    return load_reference()


@pytest.fixture
def bergen(org, unit, editor):
    """A second unit, which the editor, limited to Oslo, may not write."""
    other = BusinessUnitFactory(organisation=org, code="BGO", country="NO")
    Membership.objects.get(user=editor, organisation=org).business_units.set([unit])
    return other


def _line(org, business_unit, catalogue, **changes):
    values = {
        "organisation": org,
        "membership": None,
        "business_unit": business_unit,
        "year": 2024,
        "activity_type": catalogue["electricity"],
        "unit": "kWh",
        **changes,
    }
    return Line(**values)


def _api_post(editor, item):
    client = APIClient()
    client.force_authenticate(editor)
    return client.post("/api/v1/organisations/acme/entries/", item, format="json")


def test_a_line_yields_every_problem_in_order_and_raises_the_first(
    org, unit, catalogue
):
    left = BusinessUnitFactory(organisation=org, code="OLD", year_left=2020)
    line = _line(
        org,
        left,
        catalogue,
        unit="litre",
        data_quality="guessed",
        period_start=datetime.date(2024, 3, 1),
        period_end=datetime.date(2023, 2, 1),
    )
    assert [(p.field, p.code, p.message) for p in line.problems()] == [
        (
            "business_unit",
            "unit_inactive",
            "The business unit OLD did not belong to the organisation in 2024.",
        ),
        (
            "unit",
            "unit_not_allowed",
            "The unit litre cannot be used for Electricity (grid); use one of: "
            "kWh, MWh.",
        ),
        (
            "data_quality",
            "data_quality_unknown",
            "“guessed” is not one of measured, calculated, estimated, spend_based.",
        ),
        (
            "period_end",
            "period_order",
            "The period must end on or after the day it starts.",
        ),
        ("period_end", "period_outside_year", "The date is outside the year 2024."),
    ]
    with pytest.raises(ValidationError) as raised:
        line.open_year()
    assert raised.value.error_list[0].code == "unit_inactive"
    assert raised.value.messages == [
        "The business unit OLD did not belong to the organisation in 2024."
    ]


def test_a_sound_line_gives_its_open_year(org, unit, catalogue):
    assert list(_line(org, unit, catalogue).problems()) == []
    reporting_year = _line(org, unit, catalogue).open_year()
    assert (reporting_year.year, reporting_year.status) == (2024, "open")


def test_a_problem_is_read_in_the_active_language(org, unit, catalogue):
    (problem,) = _line(org, unit, catalogue, unit="furlong").problems()
    with translation.override("nb"):
        assert problem.message == "«furlong» er ikke en kjent enhet."
    with translation.override("sv"):
        assert problem.message == "”furlong” är inte en känd enhet."


def test_a_problem_names_the_activity_in_the_reader_s_language(org, unit, catalogue):
    with translation.override("nb"):
        (problem,) = _line(org, unit, catalogue, unit="litre").problems()
        assert problem.message == (
            "Enheten litre kan ikke brukes for Elektrisitet (nett); "
            "bruk en av: kWh, MWh."
        )


def test_a_unit_the_member_may_not_write_reads_the_same_everywhere(
    org, unit, editor, catalogue, bergen
):
    with pytest.raises(ValidationError) as raised:
        entry_create(
            organisation=org,
            actor=editor,
            business_unit=bergen,
            year=2024,
            activity_type=catalogue["electricity"],
            quantity=Decimal("10"),
            unit="kWh",
        )
    assert raised.value.error_list[0].code == "unit_not_yours"
    assert raised.value.messages == [NOT_YOURS]
    preview = import_preview(
        organisation=org,
        actor=editor,
        file_name="b.xlsx",
        data=xlsx([["BGO", 2024, "electricity", 10, "kWh"]]),
    )
    assert preview.error_rows[0].errors == [("business_unit", NOT_YOURS)]
    response = _api_post(
        editor,
        {
            "business_unit": "BGO",
            "year": 2024,
            "activity": "electricity",
            "quantity": "10",
            "unit": "kWh",
        },
    )
    assert (response.status_code, response.json()) == (
        400,
        {"errors": {"non_field_errors": [NOT_YOURS]}},
    )
    assert ActivityEntry.objects.count() == 0


def test_a_locked_year_reads_the_same_everywhere_and_is_a_conflict_in_the_api(
    org, unit, editor, catalogue
):
    ReportingYear.objects.create(organisation=org, year=2024, status="approved")
    with pytest.raises(ValidationError) as raised:
        entry_create(
            organisation=org,
            actor=editor,
            business_unit=unit,
            year=2024,
            activity_type=catalogue["electricity"],
            quantity=Decimal("10"),
            unit="kWh",
        )
    assert raised.value.error_list[0].code == "year_locked"
    assert raised.value.messages == [LOCKED]
    preview = import_preview(
        organisation=org,
        actor=editor,
        file_name="y.xlsx",
        data=xlsx([["OSL", 2024, "electricity", 10, "kWh"]]),
    )
    assert preview.error_rows[0].errors == [("year", LOCKED)]
    response = _api_post(
        editor,
        {
            "business_unit": "OSL",
            "year": 2024,
            "activity": "electricity",
            "quantity": "10",
            "unit": "kWh",
        },
    )
    assert (response.status_code, response.json()) == (
        409,
        {"errors": {"non_field_errors": [LOCKED]}},
    )


def test_an_unknown_code_is_named_in_the_api_in_the_member_s_language(
    org, unit, editor, catalogue
):
    client = APIClient()
    client.force_authenticate(editor)
    response = client.post(
        "/api/v1/organisations/acme/entries/",
        {
            "business_unit": "OSL",
            "year": 2024,
            "activity": "unicorns",
            "quantity": "10",
            "unit": "kWh",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert (response.status_code, response.json()) == (
        400,
        {"errors": {"activity": ["Ukjent aktivitet «unicorns»."]}},
    )
