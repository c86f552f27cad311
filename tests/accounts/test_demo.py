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
