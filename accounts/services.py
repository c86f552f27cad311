"""Writes of the accounts area: organisation settings, business units, members."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import BusinessUnit, Invitation, Membership, Organisation, User
from accounts.roles import NAMED_APPROVER_ROLES, Role

INVITATION_DAYS = 7
LAST_ADMIN = gettext_lazy(
    "An organisation needs at least one administrator: make someone else an "
    "administrator first."
)
UNIT_IN_USE = gettext_lazy(
    "%(code)s has recorded data and cannot be deleted; set the year it left instead."
)
PARENT_CYCLE = gettext_lazy("A business unit cannot be its own parent or ancestor.")
PARENT_ELSEWHERE = gettext_lazy("The parent must belong to the same organisation.")
CODE_TAKEN = gettext_lazy("The code %(code)s is already used in this organisation.")
ALREADY_MEMBER = gettext_lazy("%(email)s is already a member of this organisation.")
INVITATION_INVALID = gettext_lazy("This invitation link is invalid or has expired.")
EXPIRY_ONLY_AUDITORS = gettext_lazy("Only auditor memberships carry an expiry date.")
APPROVER_ROLE = gettext_lazy(
    "Only an editor or a viewer is named approver: administrators approve "
    "anyway, and auditors review the years they would approve."
)
APPROVER_LIMITED = gettext_lazy(
    "A named approver approves the whole organisation's years: leave the "
    "business units empty."
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, actor: User, **fields
) -> Organisation:
    """Change the organisation's settings (not its GWP set: see factors)."""
    allowed = {
        "name",
        "org_number",
        "country",
        "base_year",
        "consolidation_approach",
        "language",
        "scope2_headline",
        "include_wtt",
        "include_td_losses",
        "change_comment_threshold_pct",
        "allow_self_approval",
        "legal_name",
        "lei",
        "org_number_scheme",
        "reporting_currency",
    }
    for name, value in fields.items():
        if name not in allowed:
            raise ValidationError(
                _("The field %(name)s cannot be changed here.") % {"name": name}
            )
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation._change_reason = f"settings changed by {actor.email}"
    organisation.save()
    return organisation


def _check_parent(unit: BusinessUnit, parent: BusinessUnit | None) -> None:
    if parent is None:
        return
    if parent.organisation_id != unit.organisation_id:
        raise ValidationError({"parent": PARENT_ELSEWHERE})
    node: BusinessUnit | None = parent
    while node is not None:
        if unit.pk is not None and node.pk == unit.pk:
            raise ValidationError({"parent": PARENT_CYCLE})
        node = node.parent


@transaction.atomic
def business_unit_save(
    *,
    organisation: Organisation,
    actor: User,
    unit: BusinessUnit | None = None,
    **fields,
) -> BusinessUnit:
    """Create or change a business unit."""
    unit = unit or BusinessUnit(organisation=organisation)
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.code = unit.code.strip().upper()
    unit.country = (unit.country or "").strip().upper()
    clash = BusinessUnit.objects.filter(organisation=organisation, code=unit.code)
    if unit.pk:
        clash = clash.exclude(pk=unit.pk)
    if clash.exists():
        raise ValidationError({"code": CODE_TAKEN % {"code": unit.code}})
    _check_parent(unit, unit.parent)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def business_unit_delete(
    *, organisation: Organisation, actor: User, unit: BusinessUnit
) -> None:
    """Delete an unused business unit."""
    if unit.entries.exists() or unit.instruments.exists() or unit.metrics.exists():
        raise ValidationError(UNIT_IN_USE % {"code": unit.code})
    if unit.children.exists():
        raise ValidationError(
            _("%(code)s has business units under it; move them first.")
            % {"code": unit.code}
        )
    unit.delete()


def _admins_left(organisation: Organisation, excluding: Membership) -> int:
    return (
        organisation.memberships.filter(role=Role.ADMIN)
        .exclude(pk=excluding.pk)
        .count()
    )


@transaction.atomic
def member_change_role(
    *,
    organisation: Organisation,
    actor: User,
    membership: Membership,
    role: str,
    expires_on: datetime.date | None = None,
    business_units=None,
    may_approve: bool | None = None,
) -> Membership:
    """Change a member's role, business-unit limitation, expiry or approver flag."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    demoting = membership.role == Role.ADMIN and role != Role.ADMIN
    if demoting and _admins_left(organisation, membership) == 0:
        raise ValidationError(LAST_ADMIN)
    if expires_on and role != Role.AUDITOR:
        raise ValidationError({"expires_on": EXPIRY_ONLY_AUDITORS})
    if may_approve is None:
        may_approve = membership.may_approve and role in NAMED_APPROVER_ROLES
    if may_approve and role == Role.AUDITOR:
        raise ValidationError({"may_approve": APPROVER_ROLE})
    limited = (
        bool(business_units)
        if business_units is not None
        else membership.business_units.exists()
    )
    if may_approve and limited and role != Role.ADMIN:
        raise ValidationError({"may_approve": APPROVER_LIMITED})
    membership.role = role
    membership.expires_on = expires_on
    # An administrator approves by the role; the flag would only mislead.
    membership.may_approve = bool(may_approve) and role in NAMED_APPROVER_ROLES
    membership.save()
    if business_units is not None:
        membership.business_units.set(business_units)
    return membership


@transaction.atomic
def member_remove(
    *, organisation: Organisation, actor: User, membership: Membership
) -> None:
    """Remove a member; the last administrator stays."""
    if membership.role == Role.ADMIN and _admins_left(organisation, membership) == 0:
        raise ValidationError(LAST_ADMIN)
    membership.delete()


@transaction.atomic
def member_invite(
    *,
    organisation: Organisation,
    actor: User,
    email: str,
    role: str,
    expires_on: datetime.date | None = None,
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and its one-time link."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if expires_on and role != Role.AUDITOR:
        raise ValidationError({"expires_on": EXPIRY_ONLY_AUDITORS})
    if organisation.memberships.filter(user__email=email).exists():
        raise ValidationError({"email": ALREADY_MEMBER % {"email": email}})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
        expires_on=expires_on,
    )
    link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])
    send_mail(
        subject=_("Invitation to %(org)s on CarbonLedger") % {"org": organisation.name},
        message=_(
            "%(inviter)s invites you to join %(org)s on CarbonLedger as %(role)s.\n\n"
            "Open this link within %(days)s days to accept:\n%(link)s\n"
        )
        % {
            "inviter": actor.get_full_name(),
            "org": organisation.name,
            "role": Role(role).label,
            "days": INVITATION_DAYS,
            "link": link,
        },
        from_email=None,
        recipient_list=[email],
    )
    return invitation, link


def invitation_for_token(token: str) -> Invitation:
    """Return the open invitation of a token, or raise ValidationError."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_hash(token), accepted_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at < timezone.now():
        raise ValidationError(INVITATION_INVALID)
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
) -> Membership:
    """Accept an invitation, creating the account when the person has none."""
    invitation = invitation_for_token(token)
    if user is None:
        user = User.objects.filter(email=invitation.email).first()
    if user is None:
        candidate = User(email=invitation.email, full_name=full_name.strip())
        validate_password(password, user=candidate)
        user = User.objects.create_user(
            invitation.email, password, full_name=full_name.strip()
        )
    elif user.email != invitation.email:
        raise ValidationError(
            _(
                "This invitation was sent to %(email)s; log in as that user "
                "to accept it."
            )
            % {"email": invitation.email}
        )
    membership, _created = Membership.objects.update_or_create(
        user=user,
        organisation=invitation.organisation,
        defaults={"role": invitation.role, "expires_on": invitation.expires_on},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership
