"""Change history: per object (who, when, before → after) and organisation-wide."""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from emissions.models import ActivityEntry, ReportingYear, YearStatus
from emissions.selectors_entries import history_for
from emissions.services.entries import entry_update
from emissions.services.years import year_submit
from tests.emissions.entries_support import load_reference, make_entry
from tests.factories import UserFactory


@pytest.fixture
def catalogue(db):
    return load_reference()


@pytest.fixture
def entry(org, unit, editor, catalogue):
    return make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)


def test_entry_history_shows_who_and_each_field_before_and_after(
    org, editor, admin, entry
):
    entry_update(
        organisation=org,
        actor=admin,
        entry=entry,
        version=1,
        quantity=Decimal("12000"),
        comment="Corrected from the meter",
    )
    items = history_for(ActivityEntry.objects.get())
    assert [item.change_type for item in items] == ["changed", "created"]
    newest = items[0]
    assert newest.user == admin
    changes = {change.field: (change.old, change.new) for change in newest.changes}
    assert changes["quantity"] == (Decimal("10000"), Decimal("12000"))
    # 10 000 and 12 000 kWh x 0.0119 kg/kWh (NO 2024)
    assert changes["kg_co2e"] == (Decimal("119"), Decimal("142.8"))
    assert changes["comment"] == ("—", "Corrected from the meter")
    assert items[1].user == editor


def test_history_page_for_auditors_and_admins_only(
    client, client_for, org, editor, viewer, auditor, admin, outsider, entry
):
    year_submit(organisation=org, actor=editor, year=2024)
    url = reverse("history_index", args=["acme"])
    for user in (auditor, admin):
        html = client_for(user).get(url).content.decode()
        assert "Activity entry" in html and "Reporting year" in html
    assert client_for(editor).get(url).status_code == 403
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(admin).post(url).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302


def test_history_page_filters_by_model_and_user(client_for, org, editor, admin, entry):
    year_submit(organisation=org, actor=admin, year=2024)
    url = reverse("history_index", args=["acme"])
    client = client_for(admin)
    only_years = client.get(url, {"model": "year"}).content.decode()
    assert "submitted" in only_years
    assert "Electricity (grid)" not in only_years
    by_editor = client.get(url, {"user": editor.pk}).content.decode()
    assert "Electricity (grid)" in by_editor
    assert "submitted" not in by_editor.split("<main", 1)[1].split("history-list")[1]


def test_history_page_paginates(client_for, org, unit, editor, admin, catalogue):
    for n in range(55):
        make_entry(
            org=org, actor=editor, unit=unit, catalogue=catalogue, quantity=str(n + 1)
        )
    url = reverse("history_index", args=["acme"])
    first = client_for(admin).get(url).content.decode()
    assert "Page 1 of 2" in first
    second = client_for(admin).get(url, {"page": 2}).content.decode()
    # 55 entries and the year row created by the first one: 56 records.
    assert second.count('class="history-item"') == 6


def test_admin_refuses_changes_to_a_locked_year(org, unit, editor, entry):
    ReportingYear.objects.filter(pk=entry.reporting_year_id).update(
        status=YearStatus.APPROVED
    )
    superuser = UserFactory(email="root@acme.example", is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    entry_admin = site._registry[ActivityEntry]
    assert entry_admin.has_change_permission(request, entry) is False
    assert entry_admin.has_delete_permission(request, entry) is False
    year_admin = site._registry[ReportingYear]
    assert year_admin.has_delete_permission(request, entry.reporting_year) is False
