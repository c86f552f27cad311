"""Reads of the accounts area, always scoped by organisation."""

from collections import defaultdict

from accounts.models import BusinessUnit, Organisation


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
