"""The year workflow: submit, return, approve (four eyes), unlock with a reason."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from emissions.models import ReportingYear, YearStatus
from emissions.services.years import year_approve, year_return, year_submit, year_unlock


def _year(org):
    return ReportingYear.objects.get(organisation=org, year=2024)


def test_submit_then_approve_by_another_admin_locks_the_year(org, editor, admin):
    year_submit(organisation=org, actor=editor, year=2024)
    assert _year(org).status == YearStatus.SUBMITTED
    year_approve(organisation=org, actor=admin, year=2024)
    reporting_year = _year(org)
    assert reporting_year.status == YearStatus.APPROVED
    assert (reporting_year.submitted_by, reporting_year.approved_by) == (editor, admin)
    assert reporting_year.is_locked


def test_the_submitter_cannot_approve(org, admin):
    year_submit(organisation=org, actor=admin, year=2024)
    with pytest.raises(ValidationError) as error:
        year_approve(organisation=org, actor=admin, year=2024)
    assert "four-eyes" in error.value.messages[0]
    assert _year(org).status == YearStatus.SUBMITTED


def test_an_editor_cannot_approve(org, editor, admin):
    year_submit(organisation=org, actor=admin, year=2024)
    with pytest.raises(ValidationError):
        year_approve(organisation=org, actor=editor, year=2024)


def test_unlock_needs_a_reason_and_keeps_it_in_the_history(org, editor, admin, admin2):
    year_submit(organisation=org, actor=editor, year=2024)
    year_approve(organisation=org, actor=admin, year=2024)
    with pytest.raises(ValidationError) as error:
        year_unlock(organisation=org, actor=admin2, year=2024, reason="  ")
    assert "Give a reason" in error.value.messages[0]
    assert _year(org).status == YearStatus.APPROVED
    year_unlock(organisation=org, actor=admin2, year=2024, reason="Invoice corrected")
    reporting_year = _year(org)
    assert reporting_year.status == YearStatus.OPEN
    assert reporting_year.unlock_reason == "Invoice corrected"
    last = reporting_year.history.order_by("-history_id").first()
    assert last.history_user == admin2
    assert last.history_change_reason == "unlocked: Invoice corrected"


def test_return_needs_a_reason_and_reopens(org, editor, admin):
    year_submit(organisation=org, actor=editor, year=2024)
    with pytest.raises(ValidationError):
        year_return(organisation=org, actor=admin, year=2024, reason="")
    year_return(organisation=org, actor=admin, year=2024, reason="Scope 3 missing")
    assert _year(org).status == YearStatus.OPEN
    assert _year(org).submitted_by is None


def test_transitions_from_the_wrong_status_are_refused(org, editor, admin):
    with pytest.raises(ValidationError, match="Only a submitted year"):
        year_approve(organisation=org, actor=admin, year=2024)
    with pytest.raises(ValidationError, match="Only an approved year"):
        year_unlock(organisation=org, actor=admin, year=2024, reason="x")
    year_submit(organisation=org, actor=editor, year=2024)
    with pytest.raises(ValidationError, match="Only an open year"):
        year_submit(organisation=org, actor=editor, year=2024)


def test_a_year_outside_the_range_cannot_be_submitted(org, editor):
    with pytest.raises(ValidationError, match="outside"):
        year_submit(organisation=org, actor=editor, year=1990)


# --- Pages -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "editor", "viewer", "auditor"])
def test_every_member_sees_the_year_pages(request, client_for, org, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(reverse("year_index", args=["acme"])).status_code == 200
    assert client.get(reverse("year_detail", args=["acme", 2024])).status_code == 200
    # GET never writes: the year row is not created by looking at it.
    assert not ReportingYear.objects.filter(organisation=org).exists()


def test_outsider_gets_404_and_anonymous_a_login_redirect(
    client, client_for, org, outsider
):
    urls = [
        reverse("year_index", args=["acme"]),
        reverse("year_detail", args=["acme", 2024]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    outside = client_for(outsider)
    for url in urls:
        assert outside.get(url).status_code == 404
    assert outside.post(reverse("year_submit", args=["acme", 2024])).status_code == 404


def test_year_actions_by_role(client_for, org, editor, viewer, auditor, admin, admin2):
    submit = reverse("year_submit", args=["acme", 2024])
    approve = reverse("year_approve", args=["acme", 2024])
    unlock = reverse("year_unlock", args=["acme", 2024])
    ret = reverse("year_return", args=["acme", 2024])
    assert client_for(viewer).post(submit).status_code == 403
    assert client_for(auditor).post(submit).status_code == 403
    assert client_for(editor).post(submit).status_code == 302
    assert client_for(editor).post(approve).status_code == 403
    assert client_for(editor).post(ret, {"return-reason": "x"}).status_code == 403
    assert client_for(admin).post(approve).status_code == 302
    assert _year(org).status == YearStatus.APPROVED
    response = client_for(admin2).post(unlock, {"unlock-reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert _year(org).status == YearStatus.APPROVED
    response = client_for(admin2).post(unlock, {"unlock-reason": "Late invoice"})
    assert response.status_code == 302
    assert _year(org).status == YearStatus.OPEN


def test_submitter_sees_the_four_eyes_message_when_approving(client_for, org, admin):
    client = client_for(admin)
    client.post(reverse("year_submit", args=["acme", 2024]))
    response = client.post(reverse("year_approve", args=["acme", 2024]), follow=True)
    assert "four-eyes" in response.content.decode()
    assert _year(org).status == YearStatus.SUBMITTED


def test_year_action_urls_refuse_get(client_for, admin):
    client = client_for(admin)
    for name in ["year_submit", "year_change_comments", "year_return", "year_unlock"]:
        assert client.get(reverse(name, args=["acme", 2024])).status_code == 405
    # The approval's GET is its confirmation; a year not submitted has none.
    response = client.get(reverse("year_approve", args=["acme", 2024]))
    assert response.status_code == 302
    assert response["Location"] == reverse("year_detail", args=["acme", 2024])
    assert client.post(reverse("year_index", args=["acme"])).status_code == 405
    assert client.post(reverse("year_detail", args=["acme", 2024])).status_code == 405


# --- Unverified factors ------------------------------------------------------


@pytest.fixture
def unverified_year(org, unit, editor):
    """A 2024 NO electricity line: NVE's 2024 figure is shipped unverified."""
    from emissions.catalogue import load_activity_types, load_curated_factors
    from tests.emissions.entries_support import make_entry

    load_activity_types()
    load_curated_factors()
    from emissions.models import ActivityType

    catalogue = {t.code: t for t in ActivityType.objects.filter(organisation=None)}
    make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue)
    year_submit(organisation=org, actor=editor, year=2024)
    return org


UNVERIFIED_LABEL = (
    "Grid electricity, location-based NO 2024 "
    "(NVE Klimadeklarasjon for fysisk levert strøm)"
)


def test_a_year_using_an_unverified_factor_needs_a_confirmation(unverified_year, admin):
    org = unverified_year
    with pytest.raises(ValidationError) as error:
        year_approve(organisation=org, actor=admin, year=2024)
    assert error.value.messages == [
        "2024 uses factors that were not checked against their publication: "
        f"{UNVERIFIED_LABEL}. Confirm that you approve the year with them."
    ]
    assert _year(org).status == YearStatus.SUBMITTED
    year_approve(organisation=org, actor=admin, year=2024, confirm_unverified=True)
    reporting_year = _year(org)
    assert reporting_year.status == YearStatus.APPROVED
    assert reporting_year.unverified_factors_confirmed == UNVERIFIED_LABEL
    last = reporting_year.history.order_by("-history_id").first()
    assert last.history_change_reason == "approved, 1 unverified factor(s) confirmed"
    assert last.unverified_factors_confirmed == UNVERIFIED_LABEL
    assert last.history_user == admin


def test_an_unverified_residual_mix_needs_a_confirmation_too(org, unit, editor, admin):
    from emissions.catalogue import load_activity_types, load_curated_factors
    from emissions.models import ActivityType, EmissionFactor
    from tests.emissions.entries_support import make_entry

    load_activity_types()
    load_curated_factors()
    catalogue = {t.code: t for t in ActivityType.objects.filter(organisation=None)}
    # 2023: NVE's location figure is checked; its residual mix (2020) is not.
    make_entry(org=org, actor=editor, unit=unit, catalogue=catalogue, year=2023)
    year_submit(organisation=org, actor=editor, year=2023)
    EmissionFactor.objects.filter(key="residual_mix|NO|national").update(
        verification="unverified"
    )
    with pytest.raises(ValidationError, match="Residual mix \\(national authority\\)"):
        year_approve(organisation=org, actor=admin, year=2023)
    EmissionFactor.objects.filter(key="residual_mix|NO|national").update(
        verification="secondary"
    )
    year_approve(organisation=org, actor=admin, year=2023)
    assert ReportingYear.objects.get(organisation=org, year=2023).status == "approved"


def test_the_year_page_lists_unverified_factors_and_asks_to_confirm(
    client_for, unverified_year, admin, admin2
):
    url = reverse("year_detail", args=["acme", 2024])
    html = client_for(admin2).get(url).content.decode()
    assert "Unverified factors" in html
    assert UNVERIFIED_LABEL in html
    approve = reverse("year_approve", args=["acme", 2024])
    # The approval's confirmation lists them again and asks to confirm.
    html = client_for(admin2).get(approve).content.decode()
    assert UNVERIFIED_LABEL in html
    assert 'name="confirm_unverified"' in html
    response = client_for(admin2).post(approve, follow=True)
    assert "Confirm that you approve the year with them" in response.content.decode()
    assert _year(unverified_year).status == YearStatus.SUBMITTED
    client_for(admin2).post(approve, {"confirm_unverified": "on"})
    assert _year(unverified_year).status == YearStatus.APPROVED
    html = client_for(admin).get(url).content.decode()
    assert "Unverified factors confirmed at approval" in html


def test_the_api_approves_an_unverified_year_only_when_confirmed(
    unverified_year, admin
):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(admin)
    url = "/api/v1/organisations/acme/years/2024/approve/"
    refused = client.post(url, {}, format="json")
    assert refused.status_code == 400
    assert "Confirm that you approve" in str(refused.json())
    done = client.post(url, {"confirm_unverified": True}, format="json")
    assert done.status_code == 200
    assert done.json()["unverified_factors_confirmed"] == UNVERIFIED_LABEL
