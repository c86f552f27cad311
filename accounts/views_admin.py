"""Organisation administration pages: settings, business units, members."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.forms import (
    AcceptInvitationForm,
    BusinessUnitForm,
    InviteForm,
    MemberForm,
    OrganisationSettingsForm,
)
from accounts.models import BusinessUnit, Invitation, Membership
from accounts.roles import Capability
from accounts.tenancy import org_view
from carbonledger.lib.forms import add_service_errors
from emissions.year_settings import closed_years


@require_http_methods(["GET", "POST"])
@org_view(Capability.MANAGE)
def settings_organisation(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    form = OrganisationSettingsForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("settings_organisation", org_slug=organisation.slug)
    return render(
        request,
        "accounts/settings_organisation.html",
        {"form": form, "closed_years": closed_years(organisation=organisation)},
    )


@require_GET
@org_view(Capability.MANAGE)
def unit_list(request: HttpRequest) -> HttpResponse:
    units = request.organisation.business_units.select_related("parent").order_by(
        "code"
    )
    return render(request, "accounts/unit_list.html", {"units": units})


@require_http_methods(["GET", "POST"])
@org_view(Capability.MANAGE)
def unit_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    organisation = request.organisation
    unit = (
        get_object_or_404(BusinessUnit, organisation=organisation, code=code)
        if code
        else None
    )
    form = BusinessUnitForm(
        request.POST or None, instance=unit, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.business_unit_save(
                organisation=organisation,
                actor=request.user,
                unit=unit,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The business unit was saved."))
            return redirect("unit_list", org_slug=organisation.slug)
    return render(
        request,
        "accounts/unit_form.html",
        {
            "form": form,
            "unit": unit,
            "closed_years": closed_years(organisation=organisation),
        },
    )


@require_POST
@org_view(Capability.MANAGE)
def unit_delete(request: HttpRequest, code: str) -> HttpResponse:
    organisation = request.organisation
    unit = get_object_or_404(BusinessUnit, organisation=organisation, code=code)
    try:
        services.business_unit_delete(
            organisation=organisation, actor=request.user, unit=unit
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The business unit was deleted."))
    return redirect("unit_list", org_slug=organisation.slug)


@require_http_methods(["GET", "POST"])
@org_view(Capability.MANAGE)
def member_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_invite(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % form.cleaned_data,
            )
            return redirect("member_list", org_slug=organisation.slug)
    memberships = (
        organisation.memberships.select_related("user")
        .prefetch_related("business_units")
        .order_by("user__email")
    )
    invitations = Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True
    )
    return render(
        request,
        "accounts/member_list.html",
        {"form": form, "memberships": memberships, "invitations": invitations},
    )


@require_http_methods(["GET", "POST"])
@org_view(Capability.MANAGE)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation
    membership = get_object_or_404(Membership, organisation=organisation, pk=pk)
    form = MemberForm(
        request.POST or None,
        organisation=organisation,
        initial={
            "role": membership.role,
            "expires_on": membership.expires_on,
            "business_units": membership.business_units.all(),
            "may_approve": membership.may_approve,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_change_role(
                organisation=organisation,
                actor=request.user,
                membership=membership,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The membership was changed."))
            return redirect("member_list", org_slug=organisation.slug)
    return render(
        request, "accounts/member_form.html", {"form": form, "member": membership}
    )


@require_POST
@org_view(Capability.MANAGE)
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = request.organisation
    membership = get_object_or_404(Membership, organisation=organisation, pk=pk)
    try:
        services.member_remove(
            organisation=organisation, actor=request.user, membership=membership
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(user)s was removed.") % {"user": membership.user}
        )
    return redirect("member_list", org_slug=organisation.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: a logged-in user at once, a new person with a password."""
    try:
        invitation = services.invitation_for_token(token)
    except ValidationError as exc:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"message": exc.messages[0]},
            status=404,
        )
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        if user is not None or form.is_valid():
            try:
                membership = services.invitation_accept(
                    token=token,
                    user=user,
                    full_name=form.cleaned_data.get("full_name", "")
                    if user is None
                    else "",
                    password=form.cleaned_data.get("password", "")
                    if user is None
                    else "",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Welcome to %(org)s.") % {"org": membership.organisation.name},
                )
                if user is None:
                    return redirect("login")
                return redirect("org_home", org_slug=membership.organisation.slug)
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation},
    )
