"""The API's list filters: exact rows, 400 with the field's message, the schema."""

from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator

from emissions.models import (
    ActivityEntry,
    CarbonCredit,
    ContractualInstrument,
    EmissionFactor,
    FactorSet,
    Metric,
)
from reports.models import GeneratedReport
from tests.factories import BusinessUnitFactory, ReportingYearFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/organisations/acme"
YEAR_ERROR = "Give a whole number from 1990 to 2100, in digits 0-9."


@pytest.fixture
def bergen(org):
    return BusinessUnitFactory(organisation=org, code="BGO", country="NO")


@pytest.fixture
def client(admin, api_for):
    return api_for(admin)


@pytest.fixture
def entries(client, unit, bergen, catalogue):
    lines = [
        ("OSL", 2024, "electricity", "1000", "kWh"),
        ("OSL", 2023, "refrigerant_r32", "1", "kg"),
        ("BGO", 2024, "refrigerant_r32", "2", "kg"),
    ]
    for code, year, activity, quantity, unit_code in lines:
        response = client.post(
            f"{BASE}/entries/",
            {
                "business_unit": code,
                "year": year,
                "activity": activity,
                "quantity": quantity,
                "unit": unit_code,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
    return list(ActivityEntry.objects.order_by("pk").values_list("pk", flat=True))


def _ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, [0, 1, 2]),
        ({"year": "2024"}, [0, 2]),
        ({"business_unit": "OSL"}, [0, 1]),
        ({"scope": "1"}, [1, 2]),
        ({"activity": "electricity"}, [0]),
        ({"year": "2024", "scope": "1", "business_unit": "BGO"}, [2]),
        ({"year": "", "scope": "", "business_unit": "", "activity": ""}, [0, 1, 2]),
        ({"business_unit": "NOPE"}, []),
        ({"year": "2022"}, []),
    ],
)
def test_entries_are_filtered(client, entries, query, expected):
    response = client.get(f"{BASE}/entries/", query)
    assert _ids(response) == [entries[i] for i in expected]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"year": "abc"}, {"year": [YEAR_ERROR]}),
        ({"year": "1989"}, {"year": [YEAR_ERROR]}),
        ({"year": "2024.0"}, {"year": [YEAR_ERROR]}),
        (
            {"scope": "4"},
            {"scope": ["Give a whole number from 1 to 3, in digits 0-9."]},
        ),
        (
            {"year": "２０２４", "scope": "x"},
            {
                "year": [YEAR_ERROR],
                "scope": ["Give a whole number from 1 to 3, in digits 0-9."],
            },
        ),
    ],
)
def test_an_invalid_entry_filter_answers_400_with_the_fields_message(
    client, entries, query, errors
):
    response = client.get(f"{BASE}/entries/", query)
    assert response.status_code == 400
    assert response.json() == {"errors": errors}


def test_the_filter_message_is_in_the_readers_language(client, entries):
    response = client.get(
        f"{BASE}/entries/", {"year": "abc"}, HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"year": ["Oppgi et heltall fra 1990 til 2100, med sifrene 0–9."]}
    }


def test_an_invalid_filter_on_an_entrys_address_is_refused_too(client, entries):
    # The detail address reads through the same filtered list, as before.
    url = f"{BASE}/entries/{entries[0]}/"
    assert client.get(url, {"year": "abc"}).status_code == 400
    assert client.get(url, {"year": "2023"}).status_code == 404
    assert client.get(url, {"year": "2024"}).json()["id"] == entries[0]


def test_a_limited_member_filters_only_their_units_lines(entries, org, bergen, api_for):
    from accounts.models import Membership
    from tests.factories import UserFactory

    limited = UserFactory(email="limited@acme.example")
    Membership.objects.create(
        user=limited, organisation=org, role="editor"
    ).business_units.set([bergen])
    client = api_for(limited)
    assert _ids(client.get(f"{BASE}/entries/", {"scope": "1"})) == [entries[2]]
    assert _ids(client.get(f"{BASE}/entries/", {"business_unit": "OSL"})) == []


@pytest.fixture
def records(org, admin, unit, bergen):
    years = {y: ReportingYearFactory(organisation=org, year=y) for y in (2023, 2024)}
    tracked = {"created_by": admin, "updated_by": admin}
    instruments = [
        ContractualInstrument.objects.create(
            organisation=org,
            business_unit=where,
            reporting_year=years[year],
            kind="go",
            mwh=Decimal("1"),
            **tracked,
        )
        for where, year in ((unit, 2024), (bergen, 2023))
    ]
    metrics = [
        Metric.objects.create(
            organisation=org,
            business_unit=where,
            reporting_year=years[year],
            kind="fte",
            value=Decimal("12"),
            **tracked,
        )
        for where, year in ((unit, 2023), (bergen, 2024))
    ]
    credits = [
        CarbonCredit.objects.create(
            organisation=org,
            claimed_year=years[year],
            tonnes=Decimal("5"),
            standard="Gold Standard",
            project="Cookstoves",
            vintage=2022,
            retirement_date="2024-05-01",
            **tracked,
        )
        for year in (2023, 2024)
    ]
    reports = [
        GeneratedReport.objects.create(
            organisation=org,
            kind="pdf",
            year=year,
            business_unit=where,
            requested_by=admin,
        )
        for where, year in ((None, 2024), (bergen, 2024), (unit, 2023))
    ]
    return {
        "instruments": [i.pk for i in instruments],
        "metrics": [m.pk for m in metrics],
        "credits": [c.pk for c in credits],
        "reports": [r.pk for r in reports],
    }


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("instruments", {"year": "2023"}, [1]),
        ("instruments", {"business_unit": "OSL"}, [0]),
        ("instruments", {"year": "2023", "business_unit": "OSL"}, []),
        ("metrics", {"year": "2024"}, [1]),
        ("metrics", {"business_unit": "OSL"}, [0]),
        ("credits", {"year": "2024"}, [1]),
        ("credits", {}, [0, 1]),
        # Reports: newest request first.
        ("reports", {"year": "2024"}, [1, 0]),
        ("reports", {"business_unit": "BGO"}, [1]),
        ("reports", {"year": "2023", "business_unit": "OSL"}, [2]),
    ],
)
def test_record_lists_are_filtered(client, records, path, query, expected):
    response = client.get(f"{BASE}/{path}/", query)
    assert _ids(response) == [records[path][i] for i in expected]


@pytest.mark.parametrize("path", ["instruments", "metrics", "credits", "reports"])
def test_a_record_list_refuses_a_year_that_is_not_one(client, records, path):
    response = client.get(f"{BASE}/{path}/", {"year": "abc"})
    assert response.status_code == 400
    assert response.json() == {"errors": {"year": [YEAR_ERROR]}}


@pytest.fixture
def factor_sets(org):
    curated = FactorSet.objects.create(
        kind="curated", publisher="Test", name="Grid 2024", edition_year=2024
    )
    FactorSet.objects.create(
        kind="desnz", publisher="DESNZ", name="DESNZ 2023", edition_year=2023
    )
    FactorSet.objects.create(
        organisation=org, kind="generic", publisher="Us", name="Own", edition_year=2024
    )
    for key in ("grid_location|NO", "grid_location|SE", "district_heating|NO"):
        EmissionFactor.objects.create(
            factor_set=curated, key=key, unit="kWh", co2e=Decimal("0.01")
        )
    return curated


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Grid 2024", "DESNZ 2023", "Own"]),
        ({"kind": "curated"}, ["Grid 2024"]),
        ({"year": "2024"}, ["Grid 2024", "Own"]),
        ({"kind": "desnz", "year": "2024"}, []),
    ],
)
def test_factor_sets_are_filtered_by_kind_and_edition(
    client, factor_sets, query, expected
):
    response = client.get(f"{BASE}/factor-sets/", query)
    assert [row["name"] for row in response.json()["results"]] == expected


def test_an_unknown_factor_set_kind_is_refused(client, factor_sets):
    response = client.get(f"{BASE}/factor-sets/", {"kind": "ipcc"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "kind": ["Select a valid choice. ipcc is not one of the available choices."]
        }
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["district_heating|NO", "grid_location|NO", "grid_location|SE"]),
        ({"key": "grid_location|SE"}, ["grid_location|SE"]),
        ({"key": "grid_location"}, []),
        ({"q": "GRID"}, ["grid_location|NO", "grid_location|SE"]),
        ({"q": "|no"}, ["district_heating|NO", "grid_location|NO"]),
    ],
)
def test_a_sets_factors_are_filtered_by_key_and_text(
    client, factor_sets, query, expected
):
    response = client.get(f"{BASE}/factor-sets/{factor_sets.pk}/factors/", query)
    assert [row["key"] for row in response.json()["results"]] == expected


def test_the_factors_of_another_organisations_set_stay_hidden(
    client, other_org, factor_sets
):
    theirs = FactorSet.objects.create(
        organisation=other_org,
        kind="generic",
        publisher="Them",
        name="Theirs",
        edition_year=2024,
    )
    response = client.get(f"{BASE}/factor-sets/{theirs.pk}/factors/", {"q": "x"})
    assert response.status_code == 404


def _list_parameters(path: str) -> dict[str, dict]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = schema["paths"][path]["get"]["parameters"]
    return {p["name"]: p["schema"] for p in parameters if p["in"] == "query"}


YEAR_SCHEMA = {"type": "integer", "minimum": 1990, "maximum": 2100}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "entries/",
            {
                "activity": {"type": "string"},
                "business_unit": {"type": "string"},
                "page": {"type": "integer"},
                "scope": {"type": "integer", "minimum": 1, "maximum": 3},
                "year": YEAR_SCHEMA,
            },
        ),
        (
            "instruments/",
            {
                "business_unit": {"type": "string"},
                "page": {"type": "integer"},
                "year": YEAR_SCHEMA,
            },
        ),
        (
            "metrics/",
            {
                "business_unit": {"type": "string"},
                "page": {"type": "integer"},
                "year": YEAR_SCHEMA,
            },
        ),
        ("credits/", {"page": {"type": "integer"}, "year": YEAR_SCHEMA}),
        (
            "reports/",
            {
                "business_unit": {"type": "string"},
                "page": {"type": "integer"},
                "year": YEAR_SCHEMA,
            },
        ),
        (
            "factor-sets/{id}/factors/",
            {
                "key": {"type": "string"},
                "page": {"type": "integer"},
                "q": {"type": "string"},
            },
        ),
    ],
)
def test_the_schema_shows_each_lists_filters(path, expected):
    found = _list_parameters(f"/api/v1/organisations/{{org_slug}}/{path}")
    assert found == expected


def test_the_schema_lists_the_factor_set_kinds():
    kind = _list_parameters("/api/v1/organisations/{org_slug}/factor-sets/")["kind"]
    assert kind == {
        "type": "string",
        "enum": ["curated", "desnz", "epa", "generic", "grid"],
    }


def test_the_reference_page_describes_each_filter(client):
    import lxml.html

    doc = lxml.html.fromstring(client.get("/api/v1/docs/").content.decode())
    (entries,) = [
        section
        for section in doc.xpath("//section")
        if " ".join(section.xpath("./h2")[0].text_content().split())
        == "GET /api/v1/organisations/{org_slug}/entries/"
    ]
    assert [
        " ".join(li.text_content().split()) for li in entries.xpath(".//ul/li")
    ] == [
        "activity (query, string) Activity type code.",
        "business_unit (query, string) Business unit code (exact).",
        "org_slug (path, string, required)",
        "page (query, integer) A page number within the paginated result set.",
        "scope (query, integer 1–3) GHG scope (1-3).",
        "year (query, integer 1990–2100) Reporting year.",
    ]
    (sets,) = [
        section
        for section in doc.xpath("//section")
        if " ".join(section.xpath("./h2")[0].text_content().split())
        == "GET /api/v1/organisations/{org_slug}/factor-sets/"
    ]
    kind = " ".join(sets.xpath(".//ul/li")[0].text_content().split())
    assert kind == (
        "kind (query, string) Publisher kind. "
        "One of: curated, desnz, epa, generic, grid"
    )
