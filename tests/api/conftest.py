import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from emissions.catalogue import load_activity_types, load_curated_factors


@pytest.fixture
def catalogue(db):
    load_activity_types()
    load_curated_factors()


@pytest.fixture
def api_for():
    """Return a function giving an API client authenticated by a real token."""

    def make(user):
        client = APIClient()
        if user is not None:
            _token, raw = ApiToken.issue(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return make
