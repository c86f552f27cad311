"""The Django admin writes entries through the entry services.

An approved year refuses a new or moved entry with the services' message (not
a server error), the calculated figures cannot be typed, and evidence of an
approved year cannot be renamed there.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.models import ActivityEntry, EvidenceDocument, ReportingYear
from emissions.services.evidence import evidence_attach, evidence_upload
from tests.factories import UserFactory

from .entries_support import load_reference, make_entry

pytestmark = pytest.mark.django_db

D = Decimal
LOCKED = "The year 2023 is approved and locked"


@pytest.fixture
def catalogue(db):
    return load_reference()


@pytest.fixture
def root(client):
    user = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def approved_2023(org, unit, editor, catalogue):
    make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue, year=2023)
    ReportingYear.objects.filter(organisation=org, year=2023).update(status="approved")
    return ReportingYear.objects.get(organisation=org, year=2023)


def _form(org, unit, catalogue, **changes) -> dict:
    data = {
        "organisation": org.pk,
        "business_unit": unit.pk,
        "year": 2024,
        "activity_type": catalogue["electricity"].pk,
        "quantity": "2500",
        "unit": "kWh",
        "period_start": "",
        "period_end": "",
        "data_quality": "measured",
        "comment": "",
        "source_reference": "",
    }
    data.update(changes)
    return data


def _message(response) -> str:
    return response.content.decode()


def test_adding_an_entry_to_an_approved_year_shows_the_services_message(
    root, org, unit, catalogue, approved_2023
):
    before = ActivityEntry.objects.count()
    response = root.post(
        reverse("admin:emissions_activityentry_add"),
        _form(org, unit, catalogue, year=2023),
    )
    assert response.status_code == 200
    assert LOCKED in _message(response)
    assert ActivityEntry.objects.count() == before


def test_moving_an_entry_into_an_approved_year_shows_the_message(
    root, org, unit, editor, catalogue, approved_2023
):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    response = root.post(
        reverse("admin:emissions_activityentry_change", args=[entry.pk]),
        _form(org, unit, catalogue, year=2023, quantity="10000"),
    )
    assert response.status_code == 200
    assert LOCKED in _message(response)
    entry.refresh_from_db()
    assert (entry.reporting_year.year, entry.version) == (2024, 1)


def test_an_entry_added_in_the_admin_is_calculated_by_the_service(
    root, org, unit, catalogue
):
    response = root.post(
        reverse("admin:emissions_activityentry_add"),
        _form(org, unit, catalogue, kg_co2e="999", quantity="2500"),
    )
    assert response.status_code == 302, _message(response)[:2000]
    entry = ActivityEntry.objects.get()
    # 2 500 kWh x 0.0119 kg CO2e/kWh (NVE's Norwegian grid 2024, location-based).
    assert entry.kg_co2e == D("29.75")
    assert entry.created_by.email == "root@example.com"
    assert entry.history.first().history_user.email == "root@example.com"


def test_the_calculated_figures_cannot_be_set_in_the_admin(
    root, org, unit, editor, catalogue
):
    entry = make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    url = reverse("admin:emissions_activityentry_change", args=[entry.pk])
    page = _message(root.get(url))
    assert 'name="kg_co2e"' not in page
    assert 'name="quantity"' in page
    response = root.post(
        url, _form(org, unit, catalogue, quantity="20000", kg_co2e="1")
    )
    assert response.status_code == 302, _message(response)[:2000]
    entry.refresh_from_db()
    # 20 000 kWh x 0.0119: recalculated, the typed 1 kg ignored.
    assert (entry.quantity, entry.kg_co2e, entry.version) == (D("20000"), D("238"), 2)


def test_an_entry_of_an_approved_year_cannot_be_deleted_in_the_admin(
    root, org, approved_2023
):
    entry = ActivityEntry.objects.get(reporting_year=approved_2023)
    page = root.get(reverse("admin:emissions_activityentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert 'name="quantity"' not in page.content.decode()
    url = reverse("admin:emissions_activityentry_delete", args=[entry.pk])
    assert root.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:emissions_activityentry_changelist")
    response = root.post(
        changelist, {"action": "delete_selected", "_selected_action": [entry.pk]}
    )
    assert response.status_code in (200, 302)
    assert ActivityEntry.objects.filter(pk=entry.pk).exists()


def test_evidence_of_an_approved_year_cannot_be_renamed_in_the_admin(
    root, org, editor, approved_2023
):
    document = evidence_upload(
        organisation=org,
        actor=editor,
        uploaded_file=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%0\n%%EOF\n"),
        kind="invoice",
    )
    ReportingYear.objects.filter(pk=approved_2023.pk).update(status="open")
    evidence_attach(
        organisation=org,
        actor=editor,
        document=document,
        target=ReportingYear.objects.get(pk=approved_2023.pk),
    )
    ReportingYear.objects.filter(pk=approved_2023.pk).update(status="approved")
    url = reverse("admin:emissions_evidencedocument_change", args=[document.pk])
    page = root.get(url)
    assert page.status_code == 200
    assert 'name="original_name"' not in page.content.decode()
    response = root.post(
        url, {"original_name": "renamed.pdf", "kind": "invoice", "description": ""}
    )
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.original_name == "invoice.pdf"
    assert EvidenceDocument.objects.count() == 1
