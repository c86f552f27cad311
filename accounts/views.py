from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.forms import EmailAuthenticationForm
from accounts.tenancy import org_view


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their organisation, or let them pick one."""
    today = timezone.localdate()
    memberships = [
        m
        for m in request.user.memberships.select_related("organisation").order_by(
            "organisation__name"
        )
        if m.is_current(today)
    ]
    if len(memberships) == 1:
        return redirect("org_home", org_slug=memberships[0].organisation.slug)
    return render(request, "accounts/home.html", {"current_memberships": memberships})


@require_GET
@org_view()
def org_home(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    return render(
        request,
        "accounts/org_home.html",
        {
            "business_units": organisation.business_units.all(),
            "years": organisation.reporting_years.order_by("-year")[:10],
        },
    )
