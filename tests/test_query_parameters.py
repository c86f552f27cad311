"""Hostile values in every query parameter and every number in an address.

Every organisation page and every API endpoint answers them with 200, 302,
400 or 404: never a server error. The pages come from the URL patterns, as in
the permission matrix, so a new page is covered without a new line here.
"""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.test_permission_matrix import ARGUMENTS, _patterns, objects  # noqa: F401

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
HOSTILE = [
    HUGE,
    "-1",
    "-0",
    "abc",
    "",
    "²",  # a digit to str.isdigit(), not to int()
    "٣",  # ARABIC-INDIC DIGIT THREE
    "１",  # FULLWIDTH DIGIT ONE
    "1e400",
    " 1",
    "1.5",
    "9" * 400,
]
# Every query parameter a page or an endpoint reads.
PARAMETERS = [
    "year",
    "unit",
    "user",
    "model",
    "page",
    "q",
    "status",
    "old",
    "entry",
    "key",
    "business_unit",
    "scope",
    "activity",
    "page_size",
]
ALLOWED = {200, 302, 400, 404}


def _get_pages(org, objects):  # noqa: F811
    for route, pattern in _patterns():
        if route.startswith("o/<slug:org_slug>/"):
            kwargs = {"org_slug": org.slug, **ARGUMENTS[pattern.name](objects)}
            yield pattern.name, reverse(pattern.name, kwargs=kwargs)


@pytest.mark.parametrize("value", HOSTILE)
def test_no_page_fails_on_a_hostile_query_parameter(client, org, objects, value):  # noqa: F811
    client.force_login(objects["users"]["admin"])
    problems = []
    query = dict.fromkeys(PARAMETERS, value)
    for name, url in _get_pages(org, objects):
        status = client.get(url, query).status_code
        if status not in ALLOWED | {403, 405}:
            problems.append(f"{name}?…={value!r}: {status}")
    assert problems == []


def test_history_with_a_user_number_beyond_any_id_answers(client, org, objects):  # noqa: F811
    client.force_login(objects["users"]["admin"])
    response = client.get(reverse("history_index", args=[org.slug]), {"user": HUGE})
    assert response.status_code == 200


@pytest.mark.parametrize("number", [HUGE, "9" * 400, "2147483648", "32768"])
def test_no_page_fails_on_a_number_beyond_any_id_in_its_address(
    client,
    org,
    objects,  # noqa: F811
    number,
):
    client.force_login(objects["users"]["admin"])
    problems = []
    for name, url in _get_pages(org, objects):
        # Replace each number of the address in turn (ids, years, type ids).
        for match in re.finditer(r"/(\d+)/", url):
            hostile = url[: match.start(1)] + number + url[match.end(1) :]
            response = client.get(hostile)
            if response.status_code == 405:
                response = client.post(hostile)
            if response.status_code not in ALLOWED | {403}:
                problems.append(f"{name} {hostile}: {response.status_code}")
    assert problems == []


def _api_operations():
    """Every GET operation of the API schema with its path and query parameters."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in sorted(schema["paths"].items()):
        if "get" in operations:
            parameters = operations["get"].get("parameters", [])
            yield (
                path,
                [p["name"] for p in parameters if p["in"] == "path"],
                [p["name"] for p in parameters if p["in"] == "query"],
            )


def _api_path(path: str, objects, **hostile) -> str:  # noqa: F811
    ids = {
        "credits": objects["credit"].pk,
        "entries": objects["entry"].pk,
        "factor-sets": objects["factor_set"].pk,
        "instruments": objects["instrument"].pk,
        "metrics": 1,
        "reports": objects["report"].pk,
    }
    resource = path.split("/")[5] if path.count("/") > 5 else ""
    values = {
        "org_slug": "acme",
        "slug": "acme",
        "code": "OSL",
        "year": 2024,
        "id": ids.get(resource, 1),
        "fmt": "ixbrl",
        **hostile,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def test_the_api_schema_declares_every_query_parameter_read():
    declared = {name for _p, _path, query in _api_operations() for name in query}
    assert {"year", "scope", "business_unit", "activity", "key", "q", "page"} <= (
        declared
    )
    inventory = [q for p, _path, q in _api_operations() if "inventory" in p]
    assert inventory == [["business_unit"]]


@pytest.mark.parametrize("value", HOSTILE)
def test_no_api_operation_fails_on_a_hostile_query_parameter(org, objects, value):  # noqa: F811
    client = APIClient()
    client.force_authenticate(objects["users"]["admin"])
    problems = []
    for path, _path_parameters, query in _api_operations():
        url = _api_path(path, objects)
        for parameter in query:
            status = client.get(url, {parameter: value}).status_code
            if status not in ALLOWED:
                problems.append(f"{url}?{parameter}={value!r}: {status}")
    assert problems == []


def test_the_api_refuses_a_filter_that_is_not_a_number(org, objects):  # noqa: F811
    client = APIClient()
    client.force_authenticate(objects["users"]["admin"])
    response = client.get("/api/v1/organisations/acme/entries/", {"year": "²"})
    assert response.status_code == 400
    assert "year" in response.json()["errors"]
    response = client.get("/api/v1/organisations/acme/entries/", {"year": "2024"})
    assert [e["id"] for e in response.json()["results"]] == [objects["entry"].pk]


@pytest.mark.parametrize("number", [HUGE, "9" * 400, "2147483648", "32768", "0"])
def test_no_api_operation_fails_on_a_number_beyond_any_id(org, objects, number):  # noqa: F811
    client = APIClient()
    client.force_authenticate(objects["users"]["admin"])
    problems = []
    for path, path_parameters, _query in _api_operations():
        for parameter in {"id", "year"} & set(path_parameters):
            url = _api_path(path, objects, **{parameter: number})
            status = client.get(url).status_code
            if status not in ALLOWED:
                problems.append(f"{url[:120]}: {status}")
    assert problems == []
