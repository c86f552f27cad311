"""Entry picker, grid, row saves (HTMX and plain), detail, edit and delete pages."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.roles import Role
from emissions.models import ActivityEntry, YearStatus
from tests.emissions.entries_support import load_reference, make_entry
from tests.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    ReportingYearFactory,
    UserFactory,
)

D = Decimal


@pytest.fixture
def catalogue(db):
    return load_reference()


@pytest.fixture
def entry(org, unit, editor, catalogue):
    return make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)


def _grid_url(year=2024, code="OSL"):
    return reverse(
        "entry_grid", kwargs={"org_slug": "acme", "year": year, "unit_code": code}
    )


def _row_url(type_pk, year=2024, code="OSL"):
    return reverse(
        "entry_row_save",
        kwargs={
            "org_slug": "acme",
            "year": year,
            "unit_code": code,
            "type_pk": type_pk,
        },
    )


def _row_data(type_pk, quantity, unit="kWh", quality="measured", comment=""):
    prefix = f"t{type_pk}"
    return {
        f"{prefix}-quantity": quantity,
        f"{prefix}-unit": unit,
        f"{prefix}-data_quality": quality,
        f"{prefix}-comment": comment,
    }


# --- Permission matrix -------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "editor", "viewer", "auditor"])
def test_every_member_sees_the_picker_grid_and_entry(
    request, client_for, unit, entry, role
):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("entry_index", args=["acme"])).status_code == 200
    assert client.get(_grid_url()).status_code == 200
    detail = reverse("entry_detail", args=["acme", entry.pk])
    assert client.get(detail).status_code == 200


def test_outsider_gets_404_on_every_entry_page(client_for, outsider, unit, entry):
    client = client_for(outsider)
    urls = [
        reverse("entry_index", args=["acme"]),
        _grid_url(),
        reverse("entry_detail", args=["acme", entry.pk]),
        reverse("entry_delete", args=["acme", entry.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(_row_url(entry.activity_type_id), {}).status_code == 404
    assert (
        client.post(reverse("entry_edit", args=["acme", entry.pk])).status_code == 404
    )


def test_anonymous_is_sent_to_login(client, unit, entry):
    for url in [
        reverse("entry_index", args=["acme"]),
        _grid_url(),
        reverse("entry_detail", args=["acme", entry.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_read_only_members_get_403_on_writes(request, client_for, unit, entry, role):
    client = client_for(request.getfixturevalue(role))
    data = _row_data(entry.activity_type_id, "5")
    assert client.post(_row_url(entry.activity_type_id), data).status_code == 403
    edit = reverse("entry_edit", args=["acme", entry.pk])
    assert client.post(edit, {"version": 1, "quantity": "1"}).status_code == 403
    delete = reverse("entry_delete", args=["acme", entry.pk])
    assert client.post(delete).status_code == 403
    assert ActivityEntry.objects.count() == 1


def test_wrong_methods_get_405(client_for, editor, unit, entry):
    client = client_for(editor)
    assert client.post(reverse("entry_index", args=["acme"])).status_code == 405
    assert client.post(_grid_url()).status_code == 405
    assert client.get(_row_url(entry.activity_type_id)).status_code == 405
    assert (
        client.post(reverse("entry_detail", args=["acme", entry.pk])).status_code == 405
    )
    assert client.get(reverse("entry_edit", args=["acme", entry.pk])).status_code == 405
    assert (
        client.put(reverse("entry_delete", args=["acme", entry.pk])).status_code == 405
    )


def test_unknown_unit_code_and_year_out_of_range_are_404(client_for, editor, unit):
    client = client_for(editor)
    assert client.get(_grid_url(code="NOPE")).status_code == 404
    assert client.get(_grid_url(year=1990)).status_code == 404


def test_member_limited_to_other_units_gets_403_on_their_grid(client_for, org, unit):
    bergen = BusinessUnitFactory(organisation=org, code="BGO")
    user = UserFactory(email="limited@acme.example")
    membership = MembershipFactory(user=user, organisation=org, role=Role.EDITOR)
    membership.business_units.add(bergen)
    client = client_for(user)
    assert client.get(_grid_url(code="OSL")).status_code == 403
    assert client.get(_grid_url(code="BGO")).status_code == 200


# --- Grid and row saves ------------------------------------------------------


def test_grid_lists_types_by_scope_with_existing_entries(client_for, viewer, entry):
    response = client_for(viewer).get(_grid_url())
    html = response.content.decode()
    assert "Electricity (grid)" in html
    assert "Scope 2" in html and "Scope 1" in html
    assert reverse("entry_detail", args=["acme", entry.pk]) in html
    assert 'name="t' not in html  # a viewer gets no inputs


def test_htmx_row_save_returns_the_row_and_the_new_totals(
    client_for, editor, unit, catalogue
):
    electricity = catalogue["electricity"]
    response = client_for(editor).post(
        _row_url(electricity.pk),
        _row_data(electricity.pk, "10 000"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="type-{electricity.pk}"' in html
    assert 'id="scope-totals"' in html and 'hx-swap-oob="true"' in html
    assert "119.0" in html  # 10 000 kWh x 0.0119 kg/kWh
    entry = ActivityEntry.objects.get()
    assert entry.kg_co2e == D("119")
    assert entry.created_by == editor


def test_decimal_comma_is_accepted_in_the_grid(client_for, editor, unit, catalogue):
    electricity = catalogue["electricity"]
    client_for(editor).post(
        _row_url(electricity.pk),
        _row_data(electricity.pk, "2,5", unit="MWh"),
        HTTP_HX_REQUEST="true",
    )
    assert ActivityEntry.objects.get().kg_co2e == D("29.75")  # 2 500 kWh x 0.0119


@pytest.mark.parametrize(
    ("language", "typed", "kg"),
    [
        # x 0.0119 kg/kWh (NO 2024)
        ("nb", "1,250", "14.875"),  # the page's decimal comma: 1.25 MWh
        ("en", "1.250", "14.875"),  # the page's decimal point
        ("en", "1.234,5", "14690.55"),  # both signs: the last one is the decimal
        ("sv", "1 250", "14875"),
    ],
)
def test_the_grid_reads_numbers_in_the_page_language(
    client_for, editor, unit, catalogue, language, typed, kg
):
    electricity = catalogue["electricity"]
    client_for(editor).post(
        _row_url(electricity.pk),
        _row_data(electricity.pk, typed, unit="MWh"),
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert ActivityEntry.objects.get().kg_co2e == D(kg)


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        (
            "en",
            "1,250",
            "“1,250” could mean 1.25 or 1250: write 1250 (or 1 250), or 1.25.",
        ),
        (
            "nb",
            "1.250",
            "«1.250» kan bety 1,25 eller 1250: skriv 1250 (eller 1 250), eller 1,25.",
        ),
    ],
)
def test_a_number_that_reads_two_ways_in_the_grid_is_refused(
    client_for, editor, unit, catalogue, language, typed, message
):
    electricity = catalogue["electricity"]
    response = client_for(editor).post(
        _row_url(electricity.pk),
        _row_data(electricity.pk, typed, unit="MWh"),
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert ActivityEntry.objects.count() == 0


def test_htmx_row_error_is_shown_in_the_row_and_nothing_saved(
    client_for, editor, unit, catalogue
):
    electricity = catalogue["electricity"]
    response = client_for(editor).post(
        _row_url(electricity.pk),
        _row_data(electricity.pk, "-4"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "cannot be negative" in response.content.decode()
    assert ActivityEntry.objects.count() == 0


def test_plain_row_post_redirects_back_to_the_grid(client_for, editor, unit, catalogue):
    electricity = catalogue["electricity"]
    client = client_for(editor)
    response = client.post(_row_url(electricity.pk), _row_data(electricity.pk, "500"))
    assert response.status_code == 302
    assert response["Location"].startswith(_grid_url())
    assert ActivityEntry.objects.get().kg_co2e == D("5.95")  # 500 x 0.0119
    bad = client.post(
        _row_url(electricity.pk), _row_data(electricity.pk, "lots"), follow=True
    )
    assert "must be a number" in bad.content.decode()
    assert ActivityEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "text"),
    [(YearStatus.APPROVED, "approved and locked"), (YearStatus.SUBMITTED, "submitted")],
)
def test_locked_or_submitted_year_grid_is_read_only_with_a_banner(
    client_for, org, editor, unit, catalogue, status, text
):
    ReportingYearFactory(organisation=org, year=2024, status=status)
    client = client_for(editor)
    html = client.get(_grid_url()).content.decode()
    assert text in html
    assert "js-row-form" not in html
    electricity = catalogue["electricity"]
    response = client.post(
        _row_url(electricity.pk), _row_data(electricity.pk, "1"), follow=True
    )
    assert text in response.content.decode()
    assert ActivityEntry.objects.count() == 0


# --- Detail, edit, delete ----------------------------------------------------


def test_detail_shows_the_snapshot_and_history(client_for, auditor, entry):
    html = (
        client_for(auditor)
        .get(reverse("entry_detail", args=["acme", entry.pk]))
        .content.decode()
    )
    assert "grid_location|NO" in html
    assert "0.0119" in html
    assert "History" in html and "created" in html


def test_edit_saves_and_recalculates(client_for, editor, entry):
    url = reverse("entry_edit", args=["acme", entry.pk])
    response = client_for(editor).post(
        url,
        {"version": 1, "quantity": "20000", "unit": "kWh", "data_quality": "estimated"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.kg_co2e, entry.version) == (D("238"), 2)  # 20 000 kWh x 0.0119


def test_edit_page_shows_the_quantity_as_the_page_reads_it(
    client_for, org, unit, editor, catalogue
):
    entry = make_entry(
        org=org, actor=editor, unit=unit, catalogue=catalogue, quantity="1.234"
    )
    client = client_for(editor)
    client.cookies["django_language"] = "nb"
    url = reverse("entry_edit", args=["acme", entry.pk])
    detail = reverse("entry_detail", args=["acme", entry.pk])
    assert 'name="quantity" value="1,234"' in client.get(detail).content.decode()
    data = {"version": 1, "unit": "kWh", "data_quality": "estimated"}
    assert client.post(url, {**data, "quantity": "1,234"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.quantity, entry.data_quality) == (D("1.234"), "estimated")
    client.cookies["django_language"] = "en"
    assert 'name="quantity" value="1.234"' in client.get(detail).content.decode()


def test_edit_with_a_stale_version_shows_both_values_and_saves_nothing(
    client_for, editor, admin, entry
):
    url = reverse("entry_edit", args=["acme", entry.pk])
    data = {"version": 1, "unit": "kWh", "data_quality": "measured"}
    client_for(admin).post(url, {**data, "quantity": "12000"})
    response = client_for(editor).post(url, {**data, "quantity": "15000"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "12000" in html and "15000" in html
    assert 'name="version" value="2"' in html
    entry.refresh_from_db()
    assert entry.quantity == D("12000")


def test_delete_asks_first_then_deletes(client_for, editor, entry):
    client = client_for(editor)
    url = reverse("entry_delete", args=["acme", entry.pk])
    assert "Delete" in client.get(url).content.decode()
    assert ActivityEntry.objects.count() == 1
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == _grid_url()
    assert ActivityEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "name"),
    [("en", "Electricity (grid)"), ("nb", "Elektrisitet (nett)"), ("sv", "El (elnät)")],
)
def test_activity_names_follow_the_language(client_for, viewer, entry, language, name):
    client = client_for(viewer)
    client.cookies["django_language"] = language
    detail = client.get(reverse("entry_detail", args=["acme", entry.pk]))
    assert f"<h1>{name}:" in detail.content.decode()
    grid = client.get(_grid_url())
    assert name in grid.content.decode()
