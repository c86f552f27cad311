"""Generated requests against every operation of the OpenAPI schema: no 5xx."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

# The project's WSGI module refuses the development key outside DEBUG; the
# test settings use it, so the application is built here directly.
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def token(db, django_db_blocker):
    from accounts.models import Membership, Organisation, User
    from api.models import ApiToken
    from tests.factories import BusinessUnitFactory

    organisation, _ = Organisation.objects.get_or_create(slug="acme", name="Acme")
    user, _ = User.objects.get_or_create(email="fuzz@example.com")
    Membership.objects.get_or_create(user=user, organisation=organisation, role="admin")
    if not organisation.business_units.exists():
        BusinessUnitFactory(organisation=organisation, code="OSL")
    _token, raw = ApiToken.issue(user=user, name="fuzz")
    return raw


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error(case, token):
    if "org_slug" in (case.path_parameters or {}):
        case.path_parameters["org_slug"] = "acme"
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, (
        case.method,
        case.formatted_path,
        response.text[:500],
    )
