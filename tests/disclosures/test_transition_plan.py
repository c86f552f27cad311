"""The transition plan: written by administrators, disclosed in C3."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from disclosures.exports import disclosure_file
from disclosures.models import TransitionPlan
from disclosures.selectors import disclosure_for_year
from disclosures.services import transition_plan_set
from tests.factories import BusinessUnitFactory, MembershipFactory, UserFactory
from tests.reports.factories import entry

pytestmark = pytest.mark.django_db
PLAN = "Electrify the fleet by 2027.\nBuy guarantees of origin for every office."


@pytest.fixture
def year(org, admin):
    unit = BusinessUnitFactory(organisation=org, code="OSL")
    entry(
        organisation=org,
        unit=unit,
        year=2024,
        code="natural_gas",
        scope=1,
        kg="1000",
        user=admin,
    )
    return 2024


def test_an_administrator_writes_the_plan_with_its_history(
    client_for, org, admin, year
):
    response = client_for(admin).post(
        f"/o/{org.slug}/disclosures/2024/transition-plan/",
        {"language": "en", "text": PLAN, "adopted": "on"},
    )
    assert response.status_code == 302
    plan = TransitionPlan.objects.get(organisation=org, year=2024, language="en")
    assert (plan.text, plan.adopted, plan.updated_by) == (PLAN, True, admin)
    assert plan.history.first().history_user == admin
    points = disclosure_for_year(organisation=org, year=2024).by_key()
    assert points["c3.transition_plan"].value == PLAN
    assert points["c3.transition_plan"].language == "en"
    assert points["c3.transition_plan_status"].value == "adopted"
    page = client_for(admin).get(f"/o/{org.slug}/disclosures/2024/").content.decode()
    assert "Electrify the fleet by 2027." in page


def test_editors_and_viewers_cannot_write_it(client_for, org, editor, viewer, year):
    for user in (editor, viewer):
        response = client_for(user).post(
            f"/o/{org.slug}/disclosures/2024/transition-plan/",
            {"language": "en", "text": PLAN},
        )
        assert response.status_code == 403
    with pytest.raises(ValidationError):
        transition_plan_set(
            organisation=org, actor=editor, year=2024, language="en", text=PLAN
        )
    assert not TransitionPlan.objects.exists()


def test_a_limited_administrator_cannot_write_it(client_for, org, year):
    user = UserFactory(email="limited-admin@acme.example")
    MembershipFactory(user=user, organisation=org, role=Role.ADMIN).business_units.set(
        [org.business_units.get(code="OSL")]
    )
    response = client_for(user).post(
        f"/o/{org.slug}/disclosures/2024/transition-plan/",
        {"language": "en", "text": PLAN},
    )
    assert response.status_code == 403
    assert not TransitionPlan.objects.exists()


def test_bad_input_is_refused_with_the_reason(client_for, org, admin, year):
    client = client_for(admin)
    response = client.post(
        f"/o/{org.slug}/disclosures/2024/transition-plan/",
        {"language": "en", "text": "x" * 20001},
    )
    assert response.status_code == 400
    assert (
        "Keep the transition plan under 20000 characters." in response.content.decode()
    )
    response = client.post(
        f"/o/{org.slug}/disclosures/2024/transition-plan/",
        {"language": "de", "text": PLAN},
    )
    assert response.status_code == 400
    assert not TransitionPlan.objects.exists()
    with pytest.raises(ValidationError, match="no reporting year 2023"):
        transition_plan_set(
            organisation=org, actor=admin, year=2023, language="en", text=PLAN
        )


def test_an_empty_text_removes_the_plan(org, admin, year):
    transition_plan_set(
        organisation=org, actor=admin, year=2024, language="en", text=PLAN
    )
    transition_plan_set(
        organisation=org, actor=admin, year=2024, language="en", text="  "
    )
    assert not TransitionPlan.objects.exists()
    points = disclosure_for_year(organisation=org, year=2024).by_key()
    assert points["c3.transition_plan"].value is None


def test_the_exports_carry_the_plan(org, admin, year, vsme_files):
    org.org_number = "918273645"
    org.org_number_scheme = "NO:ORG"
    org.save()
    transition_plan_set(
        organisation=org,
        actor=admin,
        year=2024,
        language="nb",
        text="Elektrifisere bilparken.",
        adopted=False,
    )
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            disclosure_file(
                organisation=org, year=2024, fmt="vsme-xlsx", language="en"
            ).content
        ),
        read_only=True,
    )
    sheet = workbook["Environmental Disclosures"]
    assert sheet["D58"].value == "Elektrifisere bilparken."
    assert (
        sheet["D57"].value == "Adoption of a transition plan is planned in the future"
    )
    xhtml = disclosure_file(
        organisation=org, year=2024, fmt="ixbrl", language="en"
    ).content.decode()
    assert 'xml:lang="nb">Elektrifisere bilparken.</ix:nonNumeric>' in xhtml
