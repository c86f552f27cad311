"""Fixtures: an organisation with a member in every role, and an outsider."""

import pytest

from accounts.roles import Role
from tests.factories import (
    BusinessUnitFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _english():
    """Start every test in English: a request in another language leaves that
    language active in the thread, and messages are asserted in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Plain static storage: tests do not need collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def org(db):
    return OrganisationFactory(slug="acme", name="Acme Nordic AS")


@pytest.fixture
def other_org(db):
    return OrganisationFactory(slug="other", name="Other Company AB")


@pytest.fixture
def unit(org):
    return BusinessUnitFactory(organisation=org, code="OSL", name="Oslo", country="NO")


def _member(org, role: str, email: str):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def admin(org):
    return _member(org, Role.ADMIN, "admin@acme.example")


@pytest.fixture
def admin2(org):
    return _member(org, Role.ADMIN, "admin2@acme.example")


@pytest.fixture
def editor(org):
    return _member(org, Role.EDITOR, "editor@acme.example")


@pytest.fixture
def viewer(org):
    return _member(org, Role.VIEWER, "viewer@acme.example")


@pytest.fixture
def auditor(org):
    return _member(org, Role.AUDITOR, "auditor@acme.example")


@pytest.fixture
def outsider(other_org):
    return _member(other_org, Role.ADMIN, "outsider@other.example")


@pytest.fixture
def client_for(client):
    """Return a function that logs a user in on the test client."""

    def login(user):
        client.force_login(user)
        return client

    return login
