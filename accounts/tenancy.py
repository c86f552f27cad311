"""Resolve the organisation and the membership of an organisation page.

A non-member gets 404 (the organisation's existence is not revealed), a member
without the capability gets 403, and an anonymous visitor goes to the login page.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import Membership, Organisation
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


def unit_scope(membership: Membership):
    """Return the business units a membership may see (a queryset)."""
    units = membership.organisation.business_units.all()
    limited = membership.business_units.all()
    if limited.exists():
        return units.filter(pk__in=limited.values("pk"))
    return units


def current_organisation(request: HttpRequest) -> Organisation | None:
    return getattr(request, "organisation", None)
