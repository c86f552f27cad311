"""The pages' tenancy and role rules, applied to the API (no second set of rules)."""

from django.http import Http404
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import Capability
from accounts.tenancy import membership_for


class OrganisationAccess(BasePermission):
    """Non-members get 404; reading needs VIEW, writing the view's capability."""

    def has_permission(self, request, view) -> bool:
        slug = view.kwargs.get("org_slug")
        if slug is None:
            return request.user.is_authenticated
        if not request.user.is_authenticated:
            return False
        membership = membership_for(request.user, slug)
        if membership is None:
            raise Http404("No such organisation.")
        request.membership = membership
        request.organisation = membership.organisation
        view.organisation = membership.organisation
        view.membership = membership
        if request.method in SAFE_METHODS:
            return membership.can(Capability.VIEW)
        needed = getattr(view, "write_capabilities", {}).get(
            getattr(view, "action", None),
            getattr(view, "write_capability", Capability.EDIT),
        )
        return membership.can(needed)
