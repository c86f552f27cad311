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


def role_can(role: str, capability: str) -> bool:
    """Return whether a role carries a capability."""
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
