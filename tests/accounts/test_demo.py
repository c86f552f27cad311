import pytest
from django.core.management import call_command

from accounts.models import BusinessUnit, Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (
        Organisation.objects.count(),
        BusinessUnit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Organisation.objects.count(),
        BusinessUnit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert counts[0] == 2


def test_demo_data_is_complete_and_not_duplicated():
    from decimal import Decimal

    from emissions.models import ActivityEntry, CarbonCredit, ReportingYear

    call_command("seed_demo")
    entries = ActivityEntry.objects.count()
    call_command("seed_demo")
    assert ActivityEntry.objects.count() == entries
    assert entries > 700
    credit = CarbonCredit.objects.get(organisation__slug="fjordkontakt")
    assert (credit.tonnes, credit.claimed_year.year) == (Decimal("138"), 2023)
    statuses = dict(
        ReportingYear.objects.filter(organisation__slug="nordsoft").values_list(
            "year", "status"
        )
    )
    assert statuses[2024] == "approved"
    assert statuses[2025] == "open"


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000/"),
        ("demo.example:8001", "http://demo.example:8001/"),
    ],
)
def test_demo_logins_print_the_address_the_server_listens_on(address, url):
    from io import StringIO

    out = StringIO()
    call_command("demo_logins", address=address, stdout=out)
    assert f"Open {url} and log in." in out.getvalue()


def test_demo_acquisition_belongs_to_tallinn_also_after_older_seeding():
    from emissions.models import BaseYearRecalculation

    call_command("seed_demo")
    recalculation = BaseYearRecalculation.objects.get(organisation__slug="nordsoft")
    assert recalculation.business_unit.code == "EE-TLL"
    # Seeded before recalculations had a unit: seeding again gives it one.
    BaseYearRecalculation.objects.update(business_unit=None)
    call_command("seed_demo")
    recalculation.refresh_from_db()
    assert recalculation.business_unit.code == "EE-TLL"


def test_the_demo_marks_the_figures_it_could_not_check():
    from emissions.models import EmissionFactor, ReportingYear

    call_command("seed_demo")
    heating = EmissionFactor.objects.filter(
        factor_set__organisation__slug="nordsoft", key__startswith="district_heating"
    )
    assert sorted(f.key for f in heating) == [
        "district_heating|DK",
        "district_heating|FI",
        "district_heating|NO",
        "district_heating|SE",
    ]
    assert {f.verification for f in heating} == {"unverified"}
    # Every closed year uses the invented heating figures: each approval
    # confirmed them, and says so in the year's history.
    for slug in ("nordsoft", "fjordkontakt"):
        years = ReportingYear.objects.filter(organisation__slug=slug, year__lt=2025)
        assert years.count() == 6
        for year in years:
            assert "District heating NO 2019 (Demo heating supplier's declaration)" in (
                year.unverified_factors_confirmed
            )
            last = year.history.order_by("-history_id").first()
            assert last.history_change_reason.startswith("approved, ")
    nordsoft_2024 = ReportingYear.objects.get(organisation__slug="nordsoft", year=2024)
    assert "Grid electricity, location-based NO 2024" in (
        nordsoft_2024.unverified_factors_confirmed
    )
