import re
from decimal import Decimal

import pytest

from api.models import ApiToken, hash_token
from emissions.models import ActivityEntry, ReportingYear
from tests.factories import BusinessUnitFactory

pytestmark = pytest.mark.django_db

ROLES = ("admin", "editor", "viewer", "auditor")
BASE = "/api/v1/organisations/acme"


@pytest.fixture
def members(admin, editor, viewer, auditor, outsider):
    return {
        "admin": admin,
        "editor": editor,
        "viewer": viewer,
        "auditor": auditor,
        "outsider": outsider,
    }


@pytest.fixture
def data(org, admin, unit, catalogue, api_for):
    client = api_for(admin)
    for year, kwh in ((2019, "20000"), (2024, "10000")):
        response = client.post(
            f"{BASE}/entries/",
            {
                "business_unit": "OSL",
                "year": year,
                "activity": "electricity",
                "quantity": kwh,
                "unit": "kWh",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
    return ActivityEntry.objects.order_by("pk")


READ_ENDPOINTS = [
    "",
    "/business-units/",
    "/business-units/OSL/",
    "/activity-types/",
    "/factor-sets/",
    "/entries/",
    "/instruments/",
    "/credits/",
    "/metrics/",
    "/years/",
    "/years/2024/",
    "/inventory/2024/",
    "/reports/",
]


@pytest.mark.parametrize("path", READ_ENDPOINTS)
def test_every_role_reads_and_outsiders_get_404(api_for, members, data, path):
    url = f"{BASE}{path}" if path else "/api/v1/organisations/acme/"
    for role in ROLES:
        assert api_for(members[role]).get(url).status_code == 200, (role, url)
    response = api_for(members["outsider"]).get(url)
    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Not found."]}}
    assert api_for(None).get(url).status_code == 401


def test_organisation_list_shows_only_own_organisations(
    api_for, members, org, other_org
):
    response = api_for(members["viewer"]).get("/api/v1/organisations/")
    assert [o["slug"] for o in response.json()["results"]] == ["acme"]
    assert response.json()["results"][0]["role"] == "viewer"


def test_inventory_payload_is_exact_and_uses_strings(api_for, members, data):
    body = api_for(members["viewer"]).get(f"{BASE}/inventory/2024/").json()
    # NO grid 2024: 10 000 kWh x 0.0119 = 0.119 t; NVE's residual mix 0.402
    # (2020, the latest published) -> 4.02 t market.
    assert body["scope2_location_t_co2e"] == "0.119000"
    assert body["scope2_market_t_co2e"] == "4.020000"
    assert body["total_t_co2e"] == "4.020000"
    assert body["base_year"] == 2019
    # 2019: no residual mix for Norway is published before 2020, so market-based
    # is the grid: 20 000 kWh x 0.017 = 0.34 t.
    assert body["base_year_total_t_co2e"] == "0.340000"
    # (4.02 - 0.34) / 0.34 = +1082.352941 %
    assert body["change_vs_base_year_pct"] == "1082.352941"
    assert body["by_business_unit"] == {"OSL": "4.020000"}
    assert body["credits_retired_t_co2e"] == "0.000000"
    assert body["net_after_credits_t_co2e"] == "4.020000"
    assert isinstance(body["total_t_co2e"], str)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 201), ("editor", 201), ("viewer", 403), ("auditor", 403)],
)
def test_entry_create_by_role(api_for, members, unit, catalogue, role, expected):
    response = api_for(members[role]).post(
        f"{BASE}/entries/",
        {
            "business_unit": "OSL",
            "year": 2024,
            "activity": "electricity",
            "quantity": "2500.5",
            "unit": "kWh",
        },
        format="json",
    )
    assert response.status_code == expected
    if expected == 201:
        # 2 500.5 kWh x 0.0119 kg/kWh (NO 2024)
        assert response.json()["kg_co2e"] == "29.7559500000"


def test_bad_entry_gives_field_errors_and_saves_nothing(
    api_for, members, unit, catalogue
):
    response = api_for(members["editor"]).post(
        f"{BASE}/entries/",
        {
            "business_unit": "OSL",
            "year": 2024,
            "activity": "electricity",
            "quantity": "-1",
            "unit": "kWh",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"non_field_errors": ["The quantity cannot be negative."]}
    }
    response = api_for(members["editor"]).post(
        f"{BASE}/entries/", {"business_unit": "OSL"}, format="json"
    )
    assert set(response.json()["errors"]) == {"year", "activity", "quantity", "unit"}
    assert ActivityEntry.objects.count() == 0


def test_update_with_a_stale_version_is_409_with_both_values(api_for, members, data):
    entry = data[1]
    client = api_for(members["editor"])
    ok = client.patch(
        f"{BASE}/entries/{entry.pk}/",
        {"version": 1, "quantity": "11000"},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = client.patch(
        f"{BASE}/entries/{entry.pk}/",
        {"version": 1, "quantity": "12000"},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()["stored"]["quantity"] == "11000.0000000000"
    entry.refresh_from_db()
    assert entry.quantity == Decimal("11000")


def test_bulk_create_is_all_or_nothing(api_for, members, unit, catalogue):
    good = {
        "business_unit": "OSL",
        "year": 2024,
        "activity": "electricity",
        "quantity": "10",
        "unit": "kWh",
    }
    bad = {**good, "unit": "litre"}
    client = api_for(members["editor"])
    response = client.post(f"{BASE}/entries/bulk/", [good, bad, good], format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["1"]
    assert ActivityEntry.objects.count() == 0
    response = client.post(
        f"{BASE}/entries/bulk/", [good, {**good, "quantity": "20"}], format="json"
    )
    assert response.status_code == 201
    assert ActivityEntry.objects.count() == 2


def test_bulk_errors_carry_the_index_of_each_bad_item(
    api_for, members, unit, catalogue
):
    good = {
        "business_unit": "OSL",
        "year": 2024,
        "activity": "electricity",
        "quantity": "10",
        "unit": "kWh",
    }
    items = [good, good, {**good, "quantity": "lots"}, good, {**good, "year": "x"}]
    response = api_for(members["editor"]).post(
        f"{BASE}/entries/bulk/", items, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert sorted(errors) == ["2", "4"]
    assert list(errors["2"]) == ["quantity"]
    assert list(errors["4"]) == ["year"]
    assert ActivityEntry.objects.count() == 0


def test_bulk_into_a_locked_year_answers_409_and_writes_nothing(api_for, members, data):
    ReportingYear.objects.filter(year=2024).update(status="approved")
    before = ActivityEntry.objects.count()
    item = {
        "business_unit": "OSL",
        "activity": "electricity",
        "quantity": "10",
        "unit": "kWh",
    }
    response = api_for(members["editor"]).post(
        f"{BASE}/entries/bulk/",
        [{**item, "year": 2023}, {**item, "year": 2024}],
        format="json",
    )
    assert response.status_code == 409
    errors = response.json()["errors"]
    assert list(errors) == ["1"]
    assert "approved and locked" in errors["1"][0]
    assert ActivityEntry.objects.count() == before


def test_an_editor_limited_to_one_unit_cannot_write_another_through_the_api(
    api_for, org, members, unit, catalogue
):
    from accounts.models import BusinessUnit, Membership

    bergen = BusinessUnit.objects.create(
        organisation=org, code="BGO", name="Bergen", country="NO"
    )
    Membership.objects.get(user=members["editor"], organisation=org).business_units.set(
        [unit]
    )
    client = api_for(members["editor"])
    item = {"year": 2024, "activity": "electricity", "quantity": "10", "unit": "kWh"}
    response = client.post(
        f"{BASE}/entries/", {**item, "business_unit": bergen.code}, format="json"
    )
    assert response.status_code == 400
    assert "BGO" in str(response.json()["errors"])
    response = client.post(
        f"{BASE}/entries/bulk/",
        [{**item, "business_unit": "OSL"}, {**item, "business_unit": "BGO"}],
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["1"]
    assert ActivityEntry.objects.count() == 0
    response = client.post(
        f"{BASE}/entries/", {**item, "business_unit": "OSL"}, format="json"
    )
    assert response.status_code == 201


def test_locked_year_answers_409(api_for, members, data, editor):
    ReportingYear.objects.filter(year=2024).update(status="approved")
    response = api_for(members["editor"]).delete(f"{BASE}/entries/{data[1].pk}/")
    assert response.status_code == 409
    assert "approved and locked" in response.json()["errors"]["non_field_errors"][0]
    assert ActivityEntry.objects.count() == 2


def test_year_workflow_by_role(api_for, members, data):
    assert (
        api_for(members["viewer"]).post(f"{BASE}/years/2024/submit/").status_code == 403
    )
    assert (
        api_for(members["editor"]).post(f"{BASE}/years/2024/submit/").json()["status"]
        == "submitted"
    )
    assert (
        api_for(members["editor"]).post(f"{BASE}/years/2024/approve/").status_code
        == 403
    )
    # The year's NO 2024 grid factor is shipped unverified: approving it
    # needs the confirmation.
    refused = api_for(members["admin"]).post(f"{BASE}/years/2024/approve/")
    assert refused.status_code == 400
    approved = api_for(members["admin"]).post(
        f"{BASE}/years/2024/approve/", {"confirm_unverified": True}, format="json"
    )
    assert approved.json()["status"] == "approved"
    unlock = api_for(members["admin"]).post(
        f"{BASE}/years/2024/unlock/", {}, format="json"
    )
    assert unlock.status_code == 400
    assert unlock.json()["errors"]["reason"] == ["This field is required."]


def test_admin_creates_business_units_others_cannot(api_for, members, org):
    payload = {"code": "BGO", "name": "Bergen", "country": "NO", "equity_share": "100"}
    assert (
        api_for(members["editor"])
        .post(f"{BASE}/business-units/", payload, format="json")
        .status_code
        == 403
    )
    response = api_for(members["admin"]).post(
        f"{BASE}/business-units/", payload, format="json"
    )
    assert response.status_code == 201
    assert org.business_units.get(code="BGO").name == "Bergen"


def test_report_request_status_and_download(
    api_for, members, data, django_capture_on_commit_callbacks
):
    client = api_for(members["viewer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/reports/",
            {"kind": "xlsx", "year": 2024, "language": "sv"},
            format="json",
        )
    assert response.status_code == 201
    report_id = response.json()["id"]
    status = client.get(f"{BASE}/reports/{report_id}/").json()
    assert status["status"] == "done"
    download = client.get(f"{BASE}/reports/{report_id}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_tokens_are_hashed_and_revocable(api_for, members, data):
    token, raw = ApiToken.issue(user=members["viewer"], name="erp")
    assert raw not in token.token_hash
    assert token.token_hash == hash_token(raw)
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get(f"{BASE}/entries/").status_code == 200
    token.revoked_at = token.created_at
    token.save()
    assert client.get(f"{BASE}/entries/").status_code == 401


def test_factor_sets_never_show_another_organisations_private_set(
    api_for, members, org, other_org
):
    from emissions.models import FactorSet

    FactorSet.objects.create(
        organisation=other_org,
        kind="generic",
        publisher="X",
        name="Secret",
        edition_year=2024,
    )
    names = [
        s["name"]
        for s in api_for(members["viewer"])
        .get(f"{BASE}/factor-sets/")
        .json()["results"]
    ]
    assert "Secret" not in names


def test_schema_and_docs_are_served(client, api_for, members, org):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert (
        "/api/v1/organisations/{org_slug}/inventory/{year}/" in schema.json()["paths"]
    )
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "inventory" in body
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body) is None


def test_token_page(client_for, viewer):
    client = client_for(viewer)
    response = client.post("/accounts/api-tokens/", {"name": "ERP"})
    token = ApiToken.objects.get(user=viewer)
    assert token.prefix in response.content.decode()
    client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_unit_codes_of_other_organisations_are_unknown(
    api_for, members, other_org, catalogue, org
):
    BusinessUnitFactory(organisation=other_org, code="FOREIGN")
    response = api_for(members["editor"]).post(
        f"{BASE}/entries/",
        {
            "business_unit": "FOREIGN",
            "year": 2024,
            "activity": "electricity",
            "quantity": "1",
            "unit": "kWh",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["business_unit"] == [
        "Unknown business unit “FOREIGN”."
    ]
