import datetime

import pytest
from django.urls import reverse

from accounts.models import Membership

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client, org):
    url = reverse("org_home", args=[org.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_member_sees_organisation_home(client_for, org, viewer, unit):
    response = client_for(viewer).get(reverse("org_home", args=[org.slug]))
    assert response.status_code == 200
    assert "Acme Nordic AS" in response.content.decode()
    assert "OSL" in response.content.decode()


def test_outsider_gets_404_not_403(client_for, org, outsider):
    response = client_for(outsider).get(reverse("org_home", args=[org.slug]))
    assert response.status_code == 404


def test_unknown_organisation_is_404_like_a_foreign_one(client_for, outsider):
    response = client_for(outsider).get(reverse("org_home", args=["no-such-org"]))
    assert response.status_code == 404


def test_expired_auditor_membership_is_treated_as_outsider(client_for, org, auditor):
    Membership.objects.filter(user=auditor).update(
        expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    response = client_for(auditor).get(reverse("org_home", args=[org.slug]))
    assert response.status_code == 404


def test_org_home_rejects_post_with_405(client_for, org, admin):
    response = client_for(admin).post(reverse("org_home", args=[org.slug]))
    assert response.status_code == 405


def test_home_redirects_single_membership_to_its_organisation(client_for, org, editor):
    response = client_for(editor).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("org_home", args=[org.slug])


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("nb", ["Logg inn i CarbonLedger", "Glemt passordet?"]),
        ("sv", ["Logga in i CarbonLedger", "Glömt lösenordet?"]),
    ],
)
def test_pages_speak_norwegian_and_swedish(client, language, texts):
    client.cookies["django_language"] = language
    body = client.get(reverse("login")).content.decode()
    for text in texts:
        assert text in body
