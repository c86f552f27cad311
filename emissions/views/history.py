"""The organisation-wide change history, for auditors and administrators."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import Capability
from accounts.tenancy import org_view
from carbonledger.lib.params import parse_int
from emissions.selectors_entries import (
    HISTORY_MODELS,
    history_items_for_rows,
    history_users,
    organisation_history,
)

PAGE_SIZE = 50


@require_GET
@org_view(Capability.VIEW)
def history_index(request: HttpRequest) -> HttpResponse:
    """List every change to entries, years and evidence, newest first."""
    membership = request.membership
    if not (membership.can(Capability.AUDIT) or membership.can(Capability.MANAGE)):
        raise PermissionDenied("Only auditors and administrators see the history.")
    model = request.GET.get("model", "")
    if model not in HISTORY_MODELS:
        model = ""
    user_param = request.GET.get("user", "")
    user_id = parse_int(user_param)
    rows = organisation_history(
        organisation=request.organisation,
        model=model,
        user_id=user_id,
        membership=membership,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "emissions/entries/history.html",
        {
            "page": page,
            "items": history_items_for_rows(list(page.object_list)),
            "model": model,
            "user_id": user_id,
            "members": history_users(organisation=request.organisation),
            "query": query.urlencode(),
        },
    )
