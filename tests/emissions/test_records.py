import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from emissions.models import (
    BaseYearRecalculation,
    CarbonCredit,
    ContractualInstrument,
    Finding,
    Metric,
    ReportingYear,
)
from emissions.services import findings, records

pytestmark = pytest.mark.django_db


def test_instrument_rules(org, editor, unit):
    with pytest.raises(ValidationError, match="MWh covered must be a number greater"):
        records.instrument_create(
            organisation=org,
            actor=editor,
            business_unit=unit,
            year=2024,
            kind="go",
            mwh="0",
        )
    with pytest.raises(ValidationError, match="Unknown kind"):
        records.instrument_create(
            organisation=org,
            actor=editor,
            business_unit=unit,
            year=2024,
            kind="voucher",
            mwh="5",
        )
    instrument = records.instrument_create(
        organisation=org,
        actor=editor,
        business_unit=unit,
        year=2024,
        kind="go",
        mwh="12,5",
        kg_co2e_per_kwh="0",
    )
    assert instrument.mwh == Decimal("12.5")


def test_locked_year_refuses_instruments_credits_and_metrics(org, editor, unit):
    ReportingYear.objects.create(organisation=org, year=2023, status="approved")
    for call in (
        lambda: records.instrument_create(
            organisation=org,
            actor=editor,
            business_unit=unit,
            year=2023,
            kind="go",
            mwh="1",
        ),
        lambda: records.credit_create(
            organisation=org,
            actor=editor,
            year=2023,
            tonnes="1",
            standard="Gold Standard",
            project="p",
            vintage=2022,
            retirement_date=datetime.date(2024, 1, 1),
        ),
        lambda: records.metric_set(
            organisation=org,
            actor=editor,
            business_unit=unit,
            year=2023,
            kind="fte",
            value="10",
        ),
    ):
        with pytest.raises(ValidationError, match="approved and locked"):
            call()
    assert ContractualInstrument.objects.count() == 0
    assert CarbonCredit.objects.count() == 0
    assert Metric.objects.count() == 0


def test_credit_vintage_cannot_follow_the_claimed_year(org, editor):
    with pytest.raises(
        ValidationError, match="The vintage 2025 is after the year 2024"
    ):
        records.credit_create(
            organisation=org,
            actor=editor,
            year=2024,
            tonnes="5",
            standard="Verra VCS",
            project="p",
            vintage=2025,
            retirement_date=datetime.date(2025, 1, 1),
        )


def test_viewer_cannot_write_records(org, viewer, unit):
    with pytest.raises(ValidationError, match="Your role does not allow this change."):
        records.metric_set(
            organisation=org,
            actor=viewer,
            business_unit=unit,
            year=2024,
            kind="fte",
            value="1",
        )


def test_metric_set_updates_and_detects_stale_versions(org, editor, unit):
    metric = records.metric_set(
        organisation=org,
        actor=editor,
        business_unit=unit,
        year=2024,
        kind="fte",
        value="10",
    )
    records.metric_set(
        organisation=org,
        actor=editor,
        business_unit=unit,
        year=2024,
        kind="fte",
        value="12",
        version=1,
    )
    with pytest.raises(ValidationError, match="Someone else changed this record"):
        records.metric_set(
            organisation=org,
            actor=editor,
            business_unit=unit,
            year=2024,
            kind="fte",
            value="14",
            version=1,
        )
    metric.refresh_from_db()
    assert metric.value == Decimal("12")
    assert metric.version == 2


def test_recalculation_needs_another_admin(org, admin, admin2):
    recalculation = records.recalculation_create(
        organisation=org,
        actor=admin,
        reason="structural",
        description="Bought X",
        effective_date=datetime.date(2022, 1, 1),
        scope1_t="3.5",
    )
    with pytest.raises(ValidationError, match="another administrator"):
        records.recalculation_approve(
            organisation=org, actor=admin, recalculation=recalculation
        )
    records.recalculation_approve(
        organisation=org, actor=admin2, recalculation=recalculation
    )
    assert BaseYearRecalculation.objects.get().approved_by == admin2


def test_findings_are_allowed_on_a_locked_year(org, auditor, editor):
    year = ReportingYear.objects.create(organisation=org, year=2022, status="approved")
    finding = findings.finding_create(
        organisation=org, actor=auditor, text="Check", reporting_year=year
    )
    with pytest.raises(ValidationError, match="Your role does not allow this change."):
        findings.finding_create(
            organisation=org, actor=editor, text="x", reporting_year=year
        )
    findings.finding_answer(
        organisation=org, actor=editor, finding=finding, answer="Invoice attached"
    )
    findings.finding_resolve(organisation=org, actor=auditor, finding=finding)
    finding.refresh_from_db()
    assert (finding.status, finding.answer) == ("resolved", "Invoice attached")


def test_pages_create_records(client_for, org, editor, auditor, unit):
    client = client_for(editor)
    response = client.post(
        reverse("instrument_list", args=[org.slug]),
        {
            "business_unit": "OSL",
            "year": "2024",
            "kind": "go",
            "mwh": "100",
            "kg_co2e_per_kwh": "0",
        },
    )
    assert response.status_code == 302
    assert ContractualInstrument.objects.get().mwh == Decimal("100")
    response = client.post(
        reverse("credit_list", args=[org.slug]),
        {
            "year": "2024",
            "tonnes": "-3",
            "standard": "Gold Standard",
            "project": "p",
            "vintage": "2023",
            "retirement_date": "2024-02-01",
        },
    )
    assert "Tonnes must be a number greater than zero." in response.content.decode()
    assert CarbonCredit.objects.count() == 0
    auditor_client = client_for(auditor)
    auditor_client.post(
        reverse("finding_list", args=[org.slug]),
        {"text": "Where is the GO?", "year": "2024"},
    )
    assert Finding.objects.get().reporting_year.year == 2024


def test_viewer_post_to_a_record_page_changes_nothing(client_for, org, viewer, unit):
    response = client_for(viewer).post(
        reverse("metric_list", args=[org.slug]),
        {"business_unit": "OSL", "year": "2024", "kind": "fte", "value": "5"},
    )
    assert response.status_code == 403
    assert Metric.objects.count() == 0


def test_admin_adds_an_own_factor_override_in_the_browser(
    client_for, org, admin, editor
):
    from emissions.models import ActivityType, EmissionFactor, FactorOverride, FactorSet

    activity = ActivityType.objects.create(
        code="district_heating_test",
        name="District heating",
        scope=2,
        iso_category=2,
        allowed_units=["kWh"],
        default_unit="kWh",
        factor_source="district_heating",
    )
    own = FactorSet.objects.create(
        organisation=org,
        kind="generic",
        publisher="Oslo Fjernvarme",
        name="Declared 2024",
        edition_year=2024,
    )
    factor = EmissionFactor.objects.create(
        factor_set=own, key="dh|oslo", unit="kWh", co2e=Decimal("0.0123")
    )
    url = reverse("factor_override", args=[org.slug])
    assert client_for(editor).post(url, {}).status_code == 403
    response = client_for(admin).post(
        url, {"activity_type": activity.pk, "factor": factor.pk, "from_year": "2024"}
    )
    assert response.status_code == 302
    override = FactorOverride.objects.get()
    assert (override.factor, override.from_year) == (factor, 2024)
