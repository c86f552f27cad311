"""Roles of a membership and what each may do.

One table decides every permission in the pages, the API and the admin, so that
no second set of rules can drift from the first.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")
    AUDITOR = "auditor", _("Auditor")


class Capability(models.TextChoices):
    VIEW = "view", _("View the inventory and reports")
    EDIT = "edit", _("Enter and change activity data")
    SUBMIT = "submit", _("Submit a year for approval")
    APPROVE = "approve", _("Approve, lock and unlock years")
    MANAGE = "manage", _("Manage business units, members and factor sets")
    AUDIT = "audit", _("Record audit findings")
    ANSWER = "answer", _("Answer audit findings")


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            Capability.VIEW,
            Capability.EDIT,
            Capability.SUBMIT,
            Capability.APPROVE,
            Capability.MANAGE,
            Capability.ANSWER,
        }
    ),
    Role.EDITOR: frozenset(
        {Capability.VIEW, Capability.EDIT, Capability.SUBMIT, Capability.ANSWER}
    ),
    Role.VIEWER: frozenset({Capability.VIEW}),
    Role.AUDITOR: frozenset({Capability.VIEW, Capability.AUDIT}),
}


# What a member named approver (Membership.may_approve) may do besides the
# role's own capabilities. Auditors are never named approvers: they review.
NAMED_APPROVER_CAPABILITIES: frozenset[str] = frozenset({Capability.APPROVE})
NAMED_APPROVER_ROLES: frozenset[str] = frozenset({Role.EDITOR, Role.VIEWER})


def role_can(role: str, capability: str, *, named_approver: bool = False) -> bool:
    """Return whether a role (of a named approver or not) carries a capability."""
    if capability in ROLE_CAPABILITIES.get(role, frozenset()):
        return True
    return (
        named_approver
        and role in NAMED_APPROVER_ROLES
        and capability in NAMED_APPROVER_CAPABILITIES
    )
