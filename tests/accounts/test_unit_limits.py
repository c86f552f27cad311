"""A membership limited to business units reads only those units.

Fjordkontakt's layout: BGO and TRD. An editor limited to BGO reads BGO's lines
and totals in the pages, the exports and the API, and nothing of TRD or of the
whole organisation; an unlimited member reads everything.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.roles import Role
from api.models import ApiToken
from reports.models import GeneratedReport
from tests.factories import BusinessUnitFactory, MembershipFactory, UserFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def units(org, admin):
    bgo = BusinessUnitFactory(organisation=org, code="BGO", name="Bergen")
    trd = BusinessUnitFactory(organisation=org, code="TRD", name="Trondheim")
    lines = {
        "BGO": [
            entry(organisation=org, unit=bgo, year=2024, code="natural_gas",
                  scope=1, kg="1500", user=admin),
            entry(organisation=org, unit=bgo, year=2023, code="natural_gas",
                  scope=1, kg="1700", user=admin),
        ],
        "TRD": [
            entry(organisation=org, unit=trd, year=2024, code="natural_gas",
                  scope=1, kg="9000", user=admin),
            entry(organisation=org, unit=trd, year=2024, code="flights",
                  scope=3, category=6, kg="4000", user=admin),
        ],
    }  # fmt: skip
    return bgo, trd, lines


@pytest.fixture
def limited(org, units):
    bgo, _trd, _lines = units
    user = UserFactory(email="bergen@acme.example")
    MembershipFactory(user=user, organisation=org, role=Role.EDITOR)
    Membership.objects.get(user=user).business_units.set([bgo])
    return user


def _api(user) -> APIClient:
    _token, raw = ApiToken.issue(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


BASE = "/api/v1/organisations/acme"


def test_limited_member_lists_exactly_their_units_entries_in_the_api(
    limited, units, viewer
):
    _bgo, _trd, lines = units
    client = _api(limited)
    listed = client.get(f"{BASE}/entries/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert sorted(row["id"] for row in rows) == sorted(e.pk for e in lines["BGO"])
    assert {row["business_unit"] for row in rows} == {"BGO"}
    # Asking for the other unit by filter or by id finds nothing.
    filtered = client.get(f"{BASE}/entries/?business_unit=TRD").json()
    assert (filtered["results"] if isinstance(filtered, dict) else filtered) == []
    assert client.get(f"{BASE}/entries/{lines['TRD'][0].pk}/").status_code == 404
    # An unlimited member lists all four.
    everything = _api(viewer).get(f"{BASE}/entries/").json()
    everything = everything["results"] if isinstance(everything, dict) else everything
    assert len(everything) == 4


def test_limited_member_reads_their_units_inventory_only(limited, units, viewer):
    client = _api(limited)
    own = client.get(f"{BASE}/inventory/2024/?business_unit=BGO")
    assert own.status_code == 200
    assert own.json()["total_t_co2e"] == "1.500000"
    assert own.json()["by_business_unit"] == {"BGO": "1.500000"}
    assert client.get(f"{BASE}/inventory/2024/?business_unit=TRD").status_code == 403
    whole = client.get(f"{BASE}/inventory/2024/")
    assert whole.status_code == 403
    assert "whole organisation" in str(whole.json())
    # The organisation: 1500 + 9000 + 4000 kg.
    assert _api(viewer).get(f"{BASE}/inventory/2024/").json()["total_t_co2e"] == (
        "14.500000"
    )


def test_limited_member_exports_exactly_their_units_rows(
    client_for, org, limited, units
):
    _bgo, _trd, lines = units
    client = client_for(limited)
    response = client.get(reverse("inventory_export", args=[org.slug, "csv"]))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(int(row["entry_id"]) for row in rows) == sorted(
        e.pk for e in lines["BGO"]
    )
    assert {row["business_unit"] for row in rows} == {"BGO"}

    response = client.get(reverse("inventory_export", args=[org.slug, "xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    # No total of the whole organisation; the unit sheet has BGO only.
    assert workbook.sheetnames == ["Entries", "By business unit", "About"]
    entries = list(workbook["Entries"].iter_rows(values_only=True))[1:]
    assert sorted(row[0] for row in entries) == sorted(e.pk for e in lines["BGO"])
    units_sheet = list(workbook["By business unit"].iter_rows(values_only=True))[1:]
    assert [(row[0], row[2]) for row in units_sheet] == [("BGO", 2023), ("BGO", 2024)]


def test_limited_member_pages_show_their_units_only(client_for, org, limited, units):
    _bgo, _trd, lines = units
    client = client_for(limited)
    dashboard = client.get(reverse("dashboard", args=[org.slug]))
    assert dashboard.status_code == 200
    assert dashboard.context["unit"].code == "BGO"
    assert dashboard.context["inventory"].total_t_co2e == D("1.5")
    assert [c[0] for c in dashboard.context["form"].fields["unit"].choices] == ["BGO"]
    # Choosing the other unit is not a choice: the page stays on BGO.
    other = client.get(reverse("dashboard", args=[org.slug]) + "?unit=TRD")
    assert other.context["inventory"].by_business_unit == {"BGO": D("1.5")}

    detail = reverse("entry_detail", args=[org.slug, lines["TRD"][0].pk])
    assert client.get(detail).status_code == 403
    own = reverse("entry_detail", args=[org.slug, lines["BGO"][0].pk])
    assert client.get(own).status_code == 200

    years = client.get(reverse("year_index", args=[org.slug])).context["years"]
    assert {y.year: (y.entry_count, y.kg_co2e) for y in years if y.entry_count} == {
        2024: (1, D("1500")),
        2023: (1, D("1700")),
    }


def test_limited_member_asks_for_reports_of_their_units_only(
    org, admin, limited, units
):
    bgo, trd, _lines = units
    client = _api(limited)
    whole = client.post(
        f"{BASE}/reports/", {"kind": "pdf", "year": 2024}, format="json"
    )
    assert whole.status_code == 400
    assert "whole organisation" in str(whole.json())
    other = client.post(
        f"{BASE}/reports/",
        {"kind": "pdf", "year": 2024, "business_unit": "TRD"},
        format="json",
    )
    assert other.status_code == 400
    assert GeneratedReport.objects.count() == 0
    theirs = GeneratedReport.objects.create(
        organisation=org, kind="pdf", year=2024, business_unit=bgo, requested_by=admin
    )
    GeneratedReport.objects.create(
        organisation=org, kind="pdf", year=2024, business_unit=trd, requested_by=admin
    )
    GeneratedReport.objects.create(
        organisation=org, kind="pdf", year=2024, requested_by=admin
    )
    listed = client.get(f"{BASE}/reports/").json()
    listed = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in listed] == [theirs.pk]


def test_limited_auditor_reads_the_history_and_findings_of_their_units(
    client_for, org, admin, units
):
    from emissions.models import Finding

    bgo, _trd, lines = units
    auditor = UserFactory(email="bergen-auditor@acme.example")
    MembershipFactory(user=auditor, organisation=org, role=Role.AUDITOR)
    Membership.objects.get(user=auditor).business_units.set([bgo])
    on_bgo = Finding.objects.create(
        organisation=org,
        reporting_year=lines["BGO"][0].reporting_year,
        entry=lines["BGO"][0],
        text="Invoice missing",
        raised_by=admin,
    )
    for finding in (
        Finding(entry=lines["TRD"][0], text="Meter reading"),
        Finding(entry=None, text="Year-wide scope 3 screening"),
    ):
        finding.organisation = org
        finding.reporting_year = lines["TRD"][0].reporting_year
        finding.raised_by = admin
        finding.save()
    client = client_for(auditor)
    listed = client.get(reverse("finding_list", args=[org.slug])).context["findings"]
    assert [f.pk for f in listed] == [on_bgo.pk]

    history = client.get(reverse("history_index", args=[org.slug]) + "?model=entry")
    records = [item.record for item in history.context["items"]]
    assert sorted(r.id for r in records) == sorted(e.pk for e in lines["BGO"])


def test_limited_member_neither_reads_nor_records_credits(limited, units):
    client = _api(limited)
    assert client.get(f"{BASE}/credits/").status_code == 403
    response = client.post(
        f"{BASE}/credits/",
        {
            "year": 2024,
            "tonnes": "5",
            "standard": "Gold Standard",
            "project": "P",
            "vintage": 2023,
            "retirement_date": "2024-05-01",
        },
        format="json",
    )
    assert response.status_code == 403
    from emissions.models import CarbonCredit

    assert CarbonCredit.objects.count() == 0


def test_the_credit_service_refuses_a_limited_member(org, limited, units):
    from django.core.exceptions import ValidationError

    from emissions.services.records import credit_create

    with pytest.raises(ValidationError, match="whole organisation"):
        credit_create(
            organisation=org,
            actor=limited,
            year=2024,
            tonnes="5",
            standard="Gold Standard",
            project="P",
            vintage=2023,
            retirement_date=None,
        )


def test_limited_member_drills_down_to_their_own_units_lines_only(
    client, limited, units
):
    _bgo, _trd, lines = units
    client.force_login(limited)
    url = reverse("entry_list", args=["acme"])
    response = client.get(url, {"year": 2024})
    assert response.status_code == 200
    assert [e.pk for e in response.context["entries"]] == [lines["BGO"][0].pk]
    assert response.context["totals"].lines_t == D("1.5")
    # Asking for the other unit is a filter the form does not offer.
    assert client.get(url, {"year": 2024, "unit": "TRD"}).status_code == 400
