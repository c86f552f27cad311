import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import BusinessUnit, Invitation, Membership, User
from accounts.roles import Role

pytestmark = pytest.mark.django_db

PAGES = [
    ("settings_organisation", []),
    ("unit_list", []),
    ("unit_create", []),
    ("member_list", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_admin_pages_for_admin_only(
    client_for, client, org, admin, editor, viewer, auditor, outsider, name, args
):
    url = reverse(name, args=[org.slug, *args])
    assert client_for(admin).get(url).status_code == 200
    for user in (editor, viewer, auditor):
        assert client_for(user).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_unit_list_rejects_post(client_for, org, admin):
    assert (
        client_for(admin).post(reverse("unit_list", args=[org.slug])).status_code == 405
    )


def test_admin_creates_a_business_unit(client_for, org, admin):
    response = client_for(admin).post(
        reverse("unit_create", args=[org.slug]),
        {"code": "trd", "name": "Trondheim", "country": "no", "equity_share": "100"},
    )
    assert response.status_code == 302
    unit = BusinessUnit.objects.get(organisation=org)
    assert (unit.code, unit.country, unit.name) == ("TRD", "NO", "Trondheim")


def test_duplicate_code_and_bad_country_are_refused(client_for, org, admin, unit):
    client = client_for(admin)
    url = reverse("unit_create", args=[org.slug])
    response = client.post(
        url, {"code": "BGO", "name": "Bergen", "country": "N1", "equity_share": "100"}
    )
    assert response.status_code == 200
    assert "Use the two-letter ISO 3166 code" in response.content.decode()
    response = client.post(
        url, {"code": "osl", "name": "Again", "country": "NO", "equity_share": "100"}
    )
    assert "The code OSL is already used in this organisation." in (
        response.content.decode()
    )
    assert BusinessUnit.objects.filter(organisation=org).count() == 1


def test_a_unit_cannot_be_its_own_ancestor(client_for, org, admin, unit):
    child = BusinessUnit.objects.create(
        organisation=org, code="CHILD", name="Child", country="NO", parent=unit
    )
    response = client_for(admin).post(
        reverse("unit_edit", args=[org.slug, unit.code]),
        {
            "code": "OSL",
            "name": "Oslo",
            "country": "NO",
            "equity_share": "100",
            "parent": child.pk,
        },
    )
    assert "cannot be its own parent" in response.content.decode()
    unit.refresh_from_db()
    assert unit.parent is None


def test_invitation_flow_creates_the_membership(client, client_for, org, admin):
    response = client_for(admin).post(
        reverse("member_list", args=[org.slug]),
        {
            "email": "New.Auditor@Example.com",
            "role": "auditor",
            "expires_on": "2030-01-31",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/invitations/" in line
    )
    token = link.rstrip("/").split("/")[-1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash
    client.logout()
    weak = client.post(
        reverse("invitation_accept", args=[token]),
        {"full_name": "Nina Revisor", "password": "12345678"},
    )
    assert weak.status_code == 200
    assert not User.objects.filter(email="new.auditor@example.com").exists()
    client.post(
        reverse("invitation_accept", args=[token]),
        {"full_name": "Nina Revisor", "password": "a-long-and-fine-passphrase"},
    )
    membership = Membership.objects.get(user__email="new.auditor@example.com")
    assert membership.role == Role.AUDITOR
    assert str(membership.expires_on) == "2030-01-31"
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 404


def test_expiry_only_for_auditors(client_for, org, admin):
    response = client_for(admin).post(
        reverse("member_list", args=[org.slug]),
        {"email": "x@example.com", "role": "editor", "expires_on": "2030-01-31"},
    )
    assert "Only auditor memberships carry an expiry date." in response.content.decode()
    assert Invitation.objects.count() == 0


def test_the_last_admin_cannot_remove_or_demote_themselves(client_for, org, admin):
    membership = Membership.objects.get(user=admin)
    client = client_for(admin)
    client.post(reverse("member_remove", args=[org.slug, membership.pk]))
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(
        reverse("member_edit", args=[org.slug, membership.pk]), {"role": "viewer"}
    )
    assert "at least one administrator" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_admin_changes_a_role_and_limits_units(client_for, org, admin, editor, unit):
    membership = Membership.objects.get(user=editor)
    client_for(admin).post(
        reverse("member_edit", args=[org.slug, membership.pk]),
        {"role": "viewer", "business_units": [unit.pk]},
    )
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    assert list(membership.business_units.all()) == [unit]


def test_member_of_another_organisation_is_404(client_for, org, admin, outsider):
    foreign = Membership.objects.get(user=outsider)
    response = client_for(admin).post(
        reverse("member_remove", args=[org.slug, foreign.pk])
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()
