"""The guarantee-of-origin register: a certificate is claimed once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from emissions.certificates import (
    CertificateRange,
    CertificateRangeError,
    certificate_range,
)
from emissions.models import ContractualInstrument
from emissions.services import records
from tests.factories import BusinessUnitFactory

FIRST = "NO-643002406000000101"
LAST = "NO-643002406000000200"


# --- Ranges (no database) ----------------------------------------------------


def test_a_range_is_its_prefix_and_numbers():
    claimed = certificate_range(FIRST, LAST)
    assert claimed == CertificateRange(
        "NO-", Decimal("643002406000000101"), Decimal("643002406000000200")
    )
    assert claimed.count == 100
    assert certificate_range(" no-6430 0240 6000000150 ").overlaps(claimed)
    assert not certificate_range("NO-643002406000000201").overlaps(claimed)
    assert not certificate_range("SE-643002406000000150").overlaps(claimed)
    assert certificate_range("") is None
    statement = certificate_range("CANCEL-ABC")
    assert statement == CertificateRange("CANCEL-ABC", None, None)
    assert statement.overlaps(certificate_range("cancel-abc"))
    assert not statement.overlaps(claimed)


@pytest.mark.parametrize(
    ("first", "last", "detail"),
    [
        ("", LAST, "a last id needs a first id"),
        (FIRST, "SE-643002406000000200", "differ only in their trailing number"),
        (LAST, FIRST, "the last id comes before the first"),
        ("ABC", "ABD", "differ only in their trailing number"),
    ],
)
def test_ids_that_make_no_range_are_refused(first, last, detail):
    with pytest.raises(CertificateRangeError, match=detail):
        certificate_range(first, last)


# --- Service, page and API ---------------------------------------------------


def _claim(org, actor, unit, first=FIRST, last=LAST, year=2024, **extra):
    return records.instrument_create(
        organisation=org,
        actor=actor,
        business_unit=unit,
        year=year,
        kind="go",
        mwh="100",
        scheme="EECS, Statnett GO registry",
        certificate_first=first,
        certificate_last=last,
        **extra,
    )


@pytest.mark.django_db
def test_the_register_keeps_what_was_cancelled(org, editor, unit):
    instrument = _claim(
        org,
        editor,
        unit,
        production_device="Demo kraftverk",
        production_country="no",
        technology="Hydro, run-of-river",
        production_start=datetime.date(2024, 1, 1),
        production_end=datetime.date(2024, 12, 31),
        cancellation_date=datetime.date(2025, 3, 1),
        beneficiary="Acme AS",
    )
    stored = ContractualInstrument.objects.get(pk=instrument.pk)
    assert (
        stored.certificate_prefix,
        stored.certificate_from,
        stored.certificate_to,
    ) == (
        "NO-",
        "643002406000000101".zfill(40),
        "643002406000000200".zfill(40),
    )
    assert (stored.production_country, stored.beneficiary) == ("NO", "Acme AS")
    with pytest.raises(ValidationError, match="production period ends before"):
        _claim(
            org,
            editor,
            unit,
            first="X-1",
            last="",
            production_start=datetime.date(2024, 2, 1),
            production_end=datetime.date(2024, 1, 1),
        )
    with pytest.raises(ValidationError, match="do not make a range"):
        _claim(org, editor, unit, first="X-9", last="X-1")


def _earlier_claim(instrument, unit="OSL Oslo", year=2024, mwh="100"):
    """The message naming a claim of the organisation, as the service writes it."""
    return (
        f"Certificates {FIRST} to {LAST} were already claimed for {unit} in "
        f"{year}: Guarantee of origin no. {instrument.pk}, {mwh} MWh, EECS, "
        f"Statnett GO registry, recorded {timezone.localdate():%Y-%m-%d}. A "
        "guarantee of origin is claimed once."
    )


@pytest.mark.django_db
def test_an_overlapping_range_is_refused_across_units_and_years(org, editor, unit):
    earlier = _claim(org, editor, unit)
    bergen = BusinessUnitFactory(organisation=org, code="BGO", country="NO")
    with pytest.raises(ValidationError) as error:
        _claim(
            org,
            editor,
            bergen,
            first="NO-643002406000000150",
            last="NO-643002406000000250",
            year=2023,
        )
    # The earlier claim is named precisely: unit, year and instrument.
    assert error.value.messages == [_earlier_claim(earlier)]
    assert ContractualInstrument.objects.count() == 1
    # The next range is free, and a correction of the claim itself is not a
    # second claim.
    second = _claim(org, editor, bergen, first="NO-643002406000000201", last="")
    records.instrument_update(
        organisation=org,
        actor=editor,
        instrument=second,
        version=1,
        business_unit=bergen,
        year=2024,
        kind="go",
        mwh="1",
        certificate_first="NO-643002406000000201",
        certificate_last="NO-643002406000000201",
    )
    with pytest.raises(ValidationError) as error:
        records.instrument_update(
            organisation=org,
            actor=editor,
            instrument=second,
            version=2,
            business_unit=bergen,
            year=2024,
            kind="go",
            mwh="1",
            certificate_first="NO-643002406000000200",
        )
    assert error.value.messages == [_earlier_claim(earlier)]
    second.refresh_from_db()
    assert (second.version, second.certificate_first) == (2, "NO-643002406000000201")


@pytest.mark.django_db
def test_a_cancellation_id_is_claimed_once(org, editor, unit):
    earlier = _claim(org, editor, unit, first="CANCEL-ABC", last="")
    with pytest.raises(ValidationError, match=f"no. {earlier.pk}, 100 MWh"):
        _claim(org, editor, unit, first="cancel-abc", last="", year=2023)
    assert ContractualInstrument.objects.count() == 1


@pytest.mark.django_db
def test_a_limited_member_is_not_shown_another_units_claim(org, editor, unit):
    from accounts.models import Membership
    from tests.conftest import _member

    _claim(org, editor, unit)
    bergen = BusinessUnitFactory(organisation=org, code="BGO", country="NO")
    limited = _member(org, "editor", "limited@acme.example")
    Membership.objects.get(user=limited).business_units.set([bergen])
    with pytest.raises(ValidationError) as error:
        _claim(org, limited, bergen, first=LAST, last="")
    assert error.value.messages == [
        f"Certificates {FIRST} to {LAST} were already claimed for another business "
        "unit of this organisation (EECS, Statnett GO registry, recorded "
        f"{timezone.localdate():%Y-%m-%d}); a guarantee of origin is claimed once."
    ]
    assert ContractualInstrument.objects.count() == 1


@pytest.mark.django_db
def test_another_organisations_claim_is_refused_without_naming_it(
    org, other_org, editor, unit
):
    from tests.conftest import _member

    _claim(org, editor, unit)
    outsider = _member(other_org, "editor", "editor@other.example")
    elsewhere = BusinessUnitFactory(organisation=other_org, code="X", country="NO")
    with pytest.raises(ValidationError) as error:
        _claim(other_org, outsider, elsewhere, first=LAST, last="")
    message = error.value.messages[0]
    assert message.startswith(
        f"Certificates {FIRST} to {LAST} were already claimed by another "
        "organisation on this installation (EECS, Statnett GO registry, recorded "
    )
    assert org.name not in message and "OSL" not in message


@pytest.mark.django_db
def test_the_page_refuses_a_double_claim(client_for, org, editor, unit):
    earlier = _claim(org, editor, unit)
    response = client_for(editor).post(
        reverse("instrument_list", args=[org.slug]),
        {
            "business_unit": "OSL",
            "year": "2023",
            "kind": "go",
            "mwh": "10",
            "kg_co2e_per_kwh": "0",
            "certificate_first": "NO-643002406000000110",
        },
    )
    assert response.status_code == 200
    assert _earlier_claim(earlier) in response.content.decode()
    assert ContractualInstrument.objects.count() == 1


@pytest.mark.django_db
def test_the_correction_page_refuses_a_double_claim(client_for, org, editor, unit):
    earlier = _claim(org, editor, unit)
    second = _claim(org, editor, unit, first="NO-643002406000000300", last="")
    response = client_for(editor).post(
        reverse("instrument_edit", args=[org.slug, second.pk]),
        {
            "business_unit": "OSL",
            "year": "2024",
            "kind": "go",
            "mwh": "100",
            "kg_co2e_per_kwh": "0",
            "certificate_first": "NO-643002406000000150",
            "version": "1",
        },
    )
    assert response.status_code == 200
    assert _earlier_claim(earlier) in response.content.decode()
    second.refresh_from_db()
    assert (second.version, second.certificate_first) == (1, "NO-643002406000000300")


@pytest.mark.django_db
def test_the_api_refuses_a_double_claim(org, editor, unit):
    from rest_framework.test import APIClient

    earlier = _claim(org, editor, unit)
    client = APIClient()
    client.force_authenticate(editor)
    url = "/api/v1/organisations/acme/instruments/"
    payload = {
        "business_unit": "OSL",
        "year": 2023,
        "kind": "go",
        "mwh": "10",
        "scheme": "EECS",
        "certificate_first": "NO-643002406000000199",
        "certificate_last": "NO-643002406000000300",
        "cancellation_date": "2024-03-01",
    }
    refused = client.post(url, payload, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"errors": {"non_field_errors": [_earlier_claim(earlier)]}}
    assert ContractualInstrument.objects.count() == 1
    payload["certificate_first"] = "NO-643002406000000201"
    created = client.post(url, payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["certificate_last"] == "NO-643002406000000300"
    assert created.json()["cancellation_date"] == "2024-03-01"
