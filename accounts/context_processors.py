from django.http import HttpRequest

from accounts.roles import Capability
from accounts.tenancy import is_limited


def tenancy(request: HttpRequest) -> dict:
    """Expose the current organisation, membership and the user's organisations."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = list(
            user.memberships.select_related("organisation").order_by(
                "organisation__name"
            )
        )
    caps = {}
    awaiting: list[int] = []
    if membership is not None:
        caps = {cap.value: membership.can(cap) for cap in Capability}
        if caps[Capability.APPROVE] and not is_limited(membership):
            awaiting = _awaiting_approval(membership)
    return {
        "organisation": getattr(request, "organisation", None),
        "membership": membership,
        "my_memberships": memberships,
        "can": caps,
        # Pages of the whole organisation are not offered to a limited member.
        "limited_to_units": is_limited(membership),
        # Submitted years, for the members who may approve them.
        "awaiting_approval": awaiting,
    }


def _awaiting_approval(membership) -> list[int]:
    from emissions.models import ReportingYear, YearStatus

    return list(
        ReportingYear.objects.filter(
            organisation_id=membership.organisation_id, status=YearStatus.SUBMITTED
        )
        .order_by("year")
        .values_list("year", flat=True)
    )
