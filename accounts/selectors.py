"""Reads of the accounts area, scoped by organisation."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, Organisation
from accounts.roles import NAMED_APPROVER_ROLES, Role


def year_approvers(*, organisation: Organisation) -> QuerySet[Membership]:
    """Return the current memberships that may approve the organisation's years.

    Administrators and named approvers, not limited to some business units: a
    year is the whole organisation's.
    """
    today = timezone.localdate()
    return (
        Membership.objects.filter(organisation=organisation)
        .filter(Q(role=Role.ADMIN) | Q(may_approve=True, role__in=NAMED_APPROVER_ROLES))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .filter(business_units__isnull=True)
        .select_related("user")
        .order_by("user__email")
        .distinct()
    )
