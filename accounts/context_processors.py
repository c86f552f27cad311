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
    if membership is not None:
        caps = {cap.value: membership.can(cap) for cap in Capability}
    return {
        "organisation": getattr(request, "organisation", None),
        "membership": membership,
        "my_memberships": memberships,
        "can": caps,
        # Pages of the whole organisation are not offered to a limited member.
        "limited_to_units": is_limited(membership),
    }
