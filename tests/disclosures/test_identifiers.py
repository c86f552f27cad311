"""The organisation's identifiers for disclosures, and the ETS flag of a unit."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import BusinessUnit, lei_is_valid

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("5493001KJTIIGC8Y1R12", True),
        ("7LTWFZYICNSX8D621K86", True),
        ("529900T8BM49AURSDO55", True),
        ("5493001KJTIIGC8Y1R13", False),  # check digits off by one
        ("5493001KJTIIGC8Y1R1", False),  # 19 characters
        ("5493001kjtiigc8y1r12", False),  # lower case
        ("5493001KJTIIGC8Y1RA2", False),  # a letter among the check digits
        ("5493001KJTIIGC8Y1R-2", False),
        ("٥493001KJTIIGC8Y1R12", False),  # another script's digit
    ],
)
def test_lei_check_digits(code, valid):
    assert lei_is_valid(code) is valid


def test_settings_save_the_identifiers(client_for, org, admin):
    client = client_for(admin)
    data = {
        "name": org.name,
        "org_number": "918 273 645",
        "country": "NO",
        "base_year": 2019,
        "consolidation_approach": "operational",
        "language": "en",
        "scope2_headline": "market",
        "legal_name": "Acme Nordic AS",
        "lei": " 5493001kjtiigc8y1r12 ",
        "org_number_scheme": "NO:ORG",
        "reporting_currency": "nok",
        "change_comment_threshold_pct": "10",
    }
    response = client.post(f"/o/{org.slug}/settings/", data)
    assert response.status_code == 302, response.context["form"].errors
    org.refresh_from_db()
    assert (org.lei, org.org_number_scheme, org.reporting_currency) == (
        "5493001KJTIIGC8Y1R12",
        "NO:ORG",
        "NOK",
    )
    assert org.history.first().lei == "5493001KJTIIGC8Y1R12"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lei", "5493001KJTIIGC8Y1R13", "check digits"),
        ("org_number", "918 273 64", "has 9 digits"),
        ("reporting_currency", "KRONER", "ISO 4217"),
    ],
)
def test_settings_refuse_bad_identifiers(client_for, org, admin, field, value, message):
    client = client_for(admin)
    data = {
        "name": org.name,
        "org_number": "918273645",
        "country": "NO",
        "base_year": 2019,
        "consolidation_approach": "operational",
        "language": "en",
        "scope2_headline": "market",
        "org_number_scheme": "NO:ORG",
        field: value,
    }
    response = client.post(f"/o/{org.slug}/settings/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    org.refresh_from_db()
    assert org.org_number_scheme == ""


def test_a_swedish_number_has_ten_digits(org):
    org.org_number_scheme = "SE:ORGNR"
    org.org_number = "556036-0793"
    org.full_clean()
    org.org_number = "55603607"
    with pytest.raises(ValidationError):
        org.full_clean()


def test_a_unit_is_flagged_as_an_ets_installation(client_for, org, admin):
    client = client_for(admin)
    response = client.post(
        f"/o/{org.slug}/settings/units/new/",
        {
            "code": "PLANT",
            "name": "Plant",
            "country": "NO",
            "equity_share": "100",
            "ets_installation": "on",
        },
    )
    assert response.status_code == 302
    assert BusinessUnit.objects.get(organisation=org, code="PLANT").ets_installation
