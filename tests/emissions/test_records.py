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


# --- Corrections ---------------------------------------------------------------


def _instrument(org, editor, unit, year=2024):
    return records.instrument_create(
        organisation=org,
        actor=editor,
        business_unit=unit,
        year=year,
        kind="go",
        mwh="10",
        kg_co2e_per_kwh="0",
        supplier="Kraft AS",
    )


def _instrument_changes(unit, **extra):
    return {
        "business_unit": unit,
        "year": 2024,
        "kind": "go",
        "mwh": "12,5",
        "kg_co2e_per_kwh": "0",
        "energy_source": "hydro",
        "supplier": "Kraft AS",
        "certificate_ids": "NO-123",
        **extra,
    }


def test_an_instrument_is_corrected_with_its_version_and_history(org, editor, unit):
    instrument = _instrument(org, editor, unit)
    corrected = records.instrument_update(
        organisation=org,
        actor=editor,
        instrument=instrument,
        version=1,
        **_instrument_changes(unit),
    )
    assert corrected.mwh == Decimal("12.5")
    assert corrected.certificate_ids == "NO-123"
    assert corrected.version == 2
    history = list(corrected.history.order_by("history_id"))
    assert [(h.history_type, h.mwh) for h in history] == [
        ("+", Decimal("10")),
        ("~", Decimal("12.5")),
    ]
    assert history[1].history_change_reason == "corrected"
    with pytest.raises(ValidationError, match="Someone else changed this record"):
        records.instrument_update(
            organisation=org,
            actor=editor,
            instrument=instrument,
            version=1,
            **_instrument_changes(unit, mwh="99"),
        )
    instrument.refresh_from_db()
    assert instrument.mwh == Decimal("12.5")


def test_an_instrument_of_a_locked_year_cannot_be_corrected_or_moved_into_one(
    org, editor, unit
):
    instrument = _instrument(org, editor, unit)
    ReportingYear.objects.create(organisation=org, year=2023, status="approved")
    with pytest.raises(ValidationError, match="2023 is approved and locked"):
        records.instrument_update(
            organisation=org,
            actor=editor,
            instrument=instrument,
            version=1,
            **_instrument_changes(unit, year=2023),
        )
    ReportingYear.objects.filter(organisation=org, year=2024).update(status="approved")
    with pytest.raises(ValidationError, match="2024 is approved and locked"):
        records.instrument_update(
            organisation=org,
            actor=editor,
            instrument=instrument,
            version=1,
            **_instrument_changes(unit),
        )
    instrument.refresh_from_db()
    assert (instrument.mwh, instrument.version) == (Decimal("10"), 1)


def test_credits_are_corrected_under_the_same_rules(org, editor):
    credit = records.credit_create(
        organisation=org,
        actor=editor,
        year=2024,
        tonnes="100",
        standard="Gold Standard",
        project="Cookstoves",
        vintage=2022,
        retirement_date=datetime.date(2024, 11, 1),
    )
    changes = {
        "year": 2024,
        "tonnes": "120",
        "standard": "Gold Standard",
        "project": "Cookstoves, Kenya",
        "vintage": 2023,
        "retirement_date": datetime.date(2024, 11, 2),
    }
    corrected = records.credit_update(
        organisation=org, actor=editor, credit=credit, version=1, **changes
    )
    assert (corrected.tonnes, corrected.vintage, corrected.version) == (
        Decimal("120"),
        2023,
        2,
    )
    with pytest.raises(ValidationError, match="vintage"):
        records.credit_update(
            organisation=org,
            actor=editor,
            credit=credit,
            version=2,
            **{**changes, "vintage": 2025},
        )
    with pytest.raises(ValidationError, match="Someone else changed this record"):
        records.credit_update(
            organisation=org, actor=editor, credit=credit, version=1, **changes
        )
    assert CarbonCredit.objects.get().tonnes == Decimal("120")


def test_correction_pages(client_for, org, editor, viewer, unit):
    instrument = _instrument(org, editor, unit)
    url = reverse("instrument_edit", args=[org.slug, instrument.pk])
    assert client_for(viewer).get(url).status_code == 403
    client = client_for(editor)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="version" value="1"' in page.content.decode()
    assert (
        reverse("instrument_edit", args=[org.slug, instrument.pk])
        in client.get(reverse("instrument_list", args=[org.slug])).content.decode()
    )
    form = {
        "business_unit": "OSL",
        "year": "2024",
        "kind": "go",
        "mwh": "11",
        "kg_co2e_per_kwh": "0",
        "version": "1",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert (instrument.mwh, instrument.version) == (Decimal("11"), 2)
    stale = client.post(url, {**form, "mwh": "50"})
    assert stale.status_code == 200
    assert "Someone else changed this record" in stale.content.decode()
    instrument.refresh_from_db()
    assert instrument.mwh == Decimal("11")


def test_credit_correction_page_in_norwegian(client_for, org, editor):
    credit = records.credit_create(
        organisation=org,
        actor=editor,
        year=2024,
        tonnes="100",
        standard="Gold Standard",
        project="Cookstoves",
        vintage=2022,
        retirement_date=datetime.date(2024, 11, 1),
    )
    client = client_for(editor)
    client.cookies["django_language"] = "nb"
    url = reverse("credit_edit", args=[org.slug, credit.pk])
    page = client.get(url).content.decode()
    assert "<h1>Korriger slettede klimakreditter</h1>" in page
    response = client.post(
        url,
        {
            "year": "2024",
            "tonnes": "90",
            "standard": "Gold Standard",
            "project": "Cookstoves",
            "vintage": "2022",
            "retirement_date": "2024-11-01",
            "version": "1",
        },
    )
    assert response.status_code == 302
    credit.refresh_from_db()
    assert (credit.tonnes, credit.version) == (Decimal("90"), 2)


def test_correction_pages_show_numbers_as_the_page_reads_them(
    client_for, org, editor, unit
):
    instrument = records.instrument_create(
        organisation=org,
        actor=editor,
        business_unit=unit,
        year=2024,
        kind="go",
        mwh="1250",
        kg_co2e_per_kwh="0.0125",
        supplier="Kraft AS",
    )
    client = client_for(editor)
    url = reverse("instrument_edit", args=[org.slug, instrument.pk])
    page = client.get(url).content.decode()
    assert 'name="mwh" value="1250"' in page  # not 1.25E+3
    assert 'name="kg_co2e_per_kwh" value="0.0125"' in page
    client.cookies["django_language"] = "nb"
    page = client.get(url).content.decode()
    assert 'name="kg_co2e_per_kwh" value="0,0125"' in page
    credit = records.credit_create(
        organisation=org,
        actor=editor,
        year=2024,
        tonnes="1.234",
        standard="Gold Standard",
        project="Cookstoves",
        vintage=2022,
        retirement_date=datetime.date(2024, 11, 1),
    )
    url = reverse("credit_edit", args=[org.slug, credit.pk])
    page = client.get(url).content.decode()
    assert 'name="tonnes" value="1,234"' in page
    # Sent back as shown, the figure is unchanged.
    response = client.post(
        url,
        {
            "year": "2024",
            "tonnes": "1,234",
            "standard": "Gold Standard",
            "project": "Cookstoves",
            "vintage": "2022",
            "retirement_date": "2024-11-01",
            "version": "1",
        },
    )
    assert response.status_code == 302
    credit.refresh_from_db()
    assert (credit.tonnes, credit.version) == (Decimal("1.234"), 2)


def test_a_recalculation_belongs_to_a_unit_of_the_organisation(
    client_for, org, other_org, admin, unit
):
    from tests.factories import BusinessUnitFactory

    foreign = BusinessUnitFactory(organisation=other_org, code="X")
    with pytest.raises(ValidationError, match="does not belong to this organisation"):
        records.recalculation_create(
            organisation=org,
            actor=admin,
            reason="structural",
            description="Bought X",
            effective_date=datetime.date(2022, 1, 1),
            scope1_t="1",
            business_unit=foreign,
        )
    assert BaseYearRecalculation.objects.count() == 0
    url = reverse("recalculation_list", args=[org.slug])
    client = client_for(admin)
    page = client.get(url).content.decode()
    assert "Not allocated to a unit (whole organisation)" in page
    response = client.post(
        url,
        {
            "reason": "structural",
            "business_unit": "OSL",
            "description": "Bought the Oslo office",
            "effective_date": "2022-01-01",
            "scope1_t": "2.5",
            "scope2_location_t": "0",
            "scope2_market_t": "0",
            "scope3_t": "0",
        },
    )
    assert response.status_code == 302
    assert BaseYearRecalculation.objects.get().business_unit == unit
    assert "<td>OSL</td>" in client.get(url).content.decode()
