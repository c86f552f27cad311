"""What the pages of the reports area share: the years and units offered."""

from django.http import HttpRequest

from accounts.tenancy import readable
from emissions.models import ReportingYear


def years_with_entries(organisation) -> list[int]:
    years = list(
        ReportingYear.objects.filter(organisation=organisation, entries__isnull=False)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return years


def readable_units(request: HttpRequest) -> list[tuple[str, str]]:
    """Return the units the member reads, as choices."""
    units = readable(
        request.organisation.business_units.all(), request.membership, unit_field="pk"
    )
    return [(u.code, f"{u.code} {u.name}") for u in units.order_by("code")]
