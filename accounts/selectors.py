"""Reads of the accounts area, always scoped by organisation."""

from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import BusinessUnit, Membership, Organisation
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


def unit_subtree_ids(
    *, organisation: Organisation, business_unit: BusinessUnit | None
) -> list[int] | None:
    """Return the unit and every unit below it (None: the whole organisation).

    A parent unit's figures are those of its whole subtree.
    """
    if business_unit is None:
        return None
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in BusinessUnit.objects.filter(
        organisation=organisation
    ).values_list("pk", "parent_id"):
        children[parent].append(pk)
    found: list[int] = []
    todo = [business_unit.pk]
    while todo:
        pk = todo.pop()
        if pk in found:
            continue
        found.append(pk)
        todo.extend(children[pk])
    return sorted(found)
