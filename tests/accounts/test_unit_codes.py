"""Business-unit codes are part of page addresses: every entry point refuses
what an address cannot carry, and old codes that could not be reached are
renamed by the migration so the unit can be edited or deleted again."""

import importlib

import pytest
from django.apps import apps
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.demo import DEMO_ORGANISATIONS
from accounts.models import BusinessUnit, unit_code_validator
from accounts.services import business_unit_save
from tests.factories import BusinessUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Use letters A-Z, digits, hyphens and underscores only"
BAD_CODES = ["X/Y", "<b>C</b>", "A B", "-OSL", "OSL?", "OSL#1", "ØST", "..", "%2F"]


@pytest.mark.parametrize("code", BAD_CODES)
def test_the_unit_page_refuses_a_code_an_address_cannot_carry(
    client_for, org, admin, code
):
    response = client_for(admin).post(
        reverse("unit_create", args=[org.slug]),
        {"code": code, "name": "Bad", "country": "NO", "equity_share": "100"},
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not BusinessUnit.objects.filter(organisation=org).exists()


@pytest.mark.parametrize("code", BAD_CODES)
def test_the_api_refuses_a_code_an_address_cannot_carry(org, admin, code):
    client = APIClient()
    client.force_authenticate(admin)
    response = client.post(
        f"/api/v1/organisations/{org.slug}/business-units/",
        {"code": code, "name": "Bad", "country": "NO", "equity_share": "100"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert MESSAGE in str(response.json())
    assert not BusinessUnit.objects.filter(organisation=org).exists()


@pytest.mark.parametrize("code", BAD_CODES)
def test_the_service_refuses_a_code_an_address_cannot_carry(org, admin, code):
    with pytest.raises(ValidationError) as caught:
        business_unit_save(
            organisation=org, actor=admin, code=code, name="Bad", country="NO"
        )
    assert MESSAGE in str(caught.value.message_dict["code"])


def test_the_django_admin_refuses_a_code_an_address_cannot_carry(org):
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    form_class = site._registry[BusinessUnit].get_form(request, None)
    form = form_class(
        data={
            "organisation": org.pk,
            "code": "X/Y",
            "name": "Bad",
            "country": "NO",
            "equity_share": "100",
        }
    )
    assert not form.is_valid()
    assert MESSAGE in str(form.errors["code"])


@pytest.mark.parametrize("code", ["OSL", "SE-STO", "NORDICS", "de_ber", "2024A"])
def test_ordinary_codes_are_accepted(code):
    unit_code_validator(code)


def test_the_demo_codes_are_valid():
    for spec in DEMO_ORGANISATIONS:
        for unit in spec["units"]:
            unit_code_validator(unit[0])


def test_the_migration_renames_codes_no_address_could_carry(client_for, org, admin):
    migration = importlib.import_module(
        "accounts.migrations.0002_unit_codes_fit_addresses"
    )
    # Saved before codes were checked (the model's save does not validate).
    slash = BusinessUnitFactory(organisation=org, code="X/Y", name="Slash")
    markup = BusinessUnitFactory(organisation=org, code="<b>C</b>", name="Markup")
    BusinessUnitFactory(organisation=org, code="X-Y", name="Taken")
    fine = BusinessUnitFactory(organisation=org, code="OSL", name="Oslo")
    migration.rename_unsafe_codes(apps, None)
    slash.refresh_from_db()
    markup.refresh_from_db()
    fine.refresh_from_db()
    assert (slash.code, markup.code, fine.code) == ("X-Y-2", "B-C-B", "OSL")
    last = slash.history.order_by("-history_id").first()
    assert last.code == "X-Y-2"
    assert last.history_change_reason == (
        "code X/Y renamed X-Y-2: codes are part of page addresses"
    )
    client = client_for(admin)
    assert client.get(reverse("unit_list", args=[org.slug])).status_code == 200
    assert client.get(reverse("entry_index", args=[org.slug])).status_code == 200
    edit = reverse("unit_edit", args=[org.slug, slash.code])
    assert client.get(edit).status_code == 200
    delete = reverse("unit_delete", args=[org.slug, markup.code])
    assert client.post(delete).status_code == 302
    assert not BusinessUnit.objects.filter(pk=markup.pk).exists()
