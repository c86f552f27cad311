"""Resolve the organisation and the membership of an organisation page.

A non-member gets 404 (the organisation's existence is not revealed), a member
without the capability gets 403, and an anonymous visitor goes to the login page.

A membership limited to some business units reads, as it writes, only those
units: their lines (entries, instruments, metrics, findings and evidence on
them, their history) and their totals, one unit at a time. Figures of the whole
organisation (its totals, whole-organisation reports and exports, carbon
credits, base-year recalculations) would show the other units' sum by
difference, so they need a membership without a limit, whatever the role. The
functions below are the one place this rule is written; pages, exports,
reports and the API call them.

Services check the writer with `membership_for_write`, which raises a
ValidationError (not a member, or a role without the capability); which
business units a limited member may write is a rule of a line
(`emissions.rules.unit_writable`), written with `may_read_unit`.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, User
from accounts.roles import Capability


def membership_for(user, slug: str) -> Membership | None:
    """Return the user's current membership of the organisation, or None."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=slug)
        .first()
    )
    if membership is None or not membership.is_current(timezone.localdate()):
        return None
    return membership


def resolve_membership(request: HttpRequest, slug: str, capability: str) -> Membership:
    """Return the membership for an organisation page or raise 404/403."""
    membership = membership_for(request.user, slug)
    if membership is None:
        raise Http404("No such organisation.")
    if not membership.can(capability):
        raise PermissionDenied("Your role does not allow this.")
    return membership


def org_view(capability: str = Capability.VIEW) -> Callable:
    """Decorate a view taking ``org_slug``; set request.organisation, .membership."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(
            request: HttpRequest, org_slug: str, *args, **kwargs
        ) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = resolve_membership(request, org_slug, capability)
            request.membership = membership
            request.organisation = membership.organisation
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


NOT_A_MEMBER = _("You are not a member of this organisation.")
NO_CAPABILITY = _("Your role does not allow this change.")


def membership_for_write(
    *,
    organisation: Organisation,
    actor: User,
    capability: str = Capability.EDIT,
) -> Membership | None:
    """Return the actor's membership, or raise if the actor may not write.

    Superusers acting outside the pages (admin, commands) have no membership and
    are let through; their writes still obey the locked-year rule.
    """
    membership = (
        Membership.objects.filter(organisation=organisation, user=actor)
        .prefetch_related("business_units")
        .first()
    )
    if membership is None or not membership.is_current():
        if getattr(actor, "is_superuser", False):
            return None
        raise ValidationError(NOT_A_MEMBER, code="not_a_member")
    if not membership.can(capability):
        raise ValidationError(NO_CAPABILITY, code="no_capability")
    return membership


def unit_scope(membership: Membership):
    """Return the business units a membership may see (a queryset)."""
    return readable(
        membership.organisation.business_units.all(), membership, unit_field="pk"
    )


UNIT_NOT_YOURS = _("Your membership is limited to other business units.")
WHOLE_ORGANISATION = _(
    "Your membership is limited to some business units; figures of the whole "
    "organisation need a membership for every unit. Choose one of your units."
)


def limited_unit_ids(membership: Membership | None) -> frozenset[int] | None:
    """Return the units a limited membership may read; None: every unit."""
    if membership is None:
        return None
    if not hasattr(membership, "_limited_unit_ids"):
        ids = frozenset(membership.business_units.values_list("pk", flat=True))
        membership._limited_unit_ids = ids or None
    return membership._limited_unit_ids


def is_limited(membership: Membership | None) -> bool:
    return limited_unit_ids(membership) is not None


def may_read_unit(membership: Membership | None, unit_id: int | None) -> bool:
    """Return whether the member reads a unit (None: the whole organisation)."""
    limit = limited_unit_ids(membership)
    if limit is None:
        return True
    return unit_id is not None and unit_id in limit


def require_unit(membership: Membership | None, unit_id: int | None) -> None:
    """Raise PermissionDenied unless the member reads the unit (None: the whole)."""
    if not may_read_unit(membership, unit_id):
        raise PermissionDenied(UNIT_NOT_YOURS if unit_id else WHOLE_ORGANISATION)


def require_whole_organisation(membership: Membership | None) -> None:
    """Raise PermissionDenied for a membership limited to some units."""
    if is_limited(membership):
        raise PermissionDenied(WHOLE_ORGANISATION)


def readable(
    queryset: QuerySet, membership: Membership | None, *, unit_field="business_unit"
) -> QuerySet:
    """Return the rows of the queryset the member reads (their units' only).

    `unit_field` is the path to the business unit; rows without one belong to
    the whole organisation and are left out for a limited member.
    """
    limit = limited_unit_ids(membership)
    if limit is None:
        return queryset
    return queryset.filter(**{f"{unit_field}__in": limit})


def current_organisation(request: HttpRequest) -> Organisation | None:
    return getattr(request, "organisation", None)
