"""The dashboard, and the entries behind each of its figures."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from accounts.roles import Capability
from accounts.selectors import unit_subtree_ids
from accounts.tenancy import is_limited, limited_unit_ids, org_view, require_unit
from emissions.forms_entries import EntryFilterForm
from emissions.selectors_entries import (
    EntryFilter,
    activity_types_for,
    entries_matching,
    units_for_member,
)
from reports.charts import (
    inventory_scope_chart,
    inventory_source_chart,
    inventory_unit_chart,
    units_largest_first,
)
from reports.forms import DashboardFilterForm
from reports.selectors import FigureTotals, figure_totals, inventory_for_year
from reports.views.common import readable_units, years_with_entries


@require_GET
@org_view(Capability.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Headline figures, charts and tables for a year (and a business unit)."""
    organisation = request.organisation
    years = years_with_entries(organisation)
    units = readable_units(request)
    # A member limited to some units sees one of them at a time, never the
    # whole organisation.
    whole = not is_limited(request.membership)
    form = DashboardFilterForm(
        request.GET or None, years=years, units=units, whole_organisation=whole
    )
    year = years[0] if years else None
    code = "" if whole or not units else units[0][0]
    if form.is_bound and form.is_valid():
        year = form.cleaned_data.get("year") or year
        code = form.cleaned_data.get("unit") or code
    unit = None
    if code:
        unit = get_object_or_404(organisation.business_units, code=code)
        require_unit(request.membership, unit.pk)
    elif not whole:
        require_unit(request.membership, None)
    context = {"form": form, "year": year, "unit": unit}
    if year is not None:
        inventory = inventory_for_year(
            organisation=organisation, year=year, business_unit=unit
        )
        language = (get_language() or "en")[:2]
        entries_url = reverse("entry_list", kwargs={"org_slug": organisation.slug})

        def drill(**params) -> str:
            """Return the link to the entries behind a figure of the page."""
            params = {"year": year, "unit": unit.code if unit else "", **params}
            return f"{entries_url}?{urlencode({k: v for k, v in params.items() if v})}"

        unit_order = units_largest_first(inventory)
        context.update(
            inventory=inventory,
            scope_chart=inventory_scope_chart(
                inventory,
                language=language,
                chart_id="dash-scopes",
                up_to_year=False,
                hrefs={y: drill(year=y) for y in inventory.series},
            ),
            drill_base=drill(),
            unit_chart=inventory_unit_chart(
                inventory,
                language=language,
                chart_id="dash-units",
                links=[drill(unit=code) for code, _t in unit_order],
            ),
            source_chart=inventory_source_chart(
                inventory,
                language=language,
                chart_id="dash-sources",
                links=[drill(activity=line.code) for line in inventory.top_sources],
            ),
        )
    return render(request, "reports/dashboard.html", context)


@require_GET
@org_view(Capability.VIEW)
def entry_list(request: HttpRequest) -> HttpResponse:
    """The entries behind a figure: by year, unit, scope, category and activity."""
    organisation = request.organisation
    allowed = units_for_member(organisation=organisation, membership=request.membership)
    activities = [
        (activity.code, activity.display_name)
        for activity in activity_types_for(organisation=organisation)
    ]
    form = EntryFilterForm(
        request.GET,
        units=[(u.code, f"{u.code} {u.name}") for u in allowed],
        activities=activities,
    )
    if not form.is_valid():
        return render(
            request,
            "reports/entry_list.html",
            {"form": form, "entries": None},
            status=400,
        )
    data = form.cleaned_data
    unit = allowed.filter(code=data["unit"]).first() if data["unit"] else None
    units = (
        unit_subtree_ids(organisation=organisation, business_unit=unit)
        if unit is not None
        else None
    )
    limit = limited_unit_ids(request.membership)
    if limit is not None:
        # A limited member's lines and totals are those of their own units.
        units = sorted(limit if units is None else limit.intersection(units))
    filters = EntryFilter(
        year=data["year"],
        units=units,
        scope=data["scope"],
        scope3_category=data["category"],
        activity=data["activity"] or None,
        without_evidence=data["evidence"] == "missing",
    )
    entries = list(
        entries_matching(
            organisation=organisation, filters=filters, allowed_units=allowed
        )
    )
    if filters.without_evidence:
        # Not a figure of the dashboard: the listed lines as entered, as the
        # readiness review counts them.
        totals = FigureTotals(
            lines_t=sum((e.kg_co2e for e in entries), Decimal(0)) / 1000,
            headline_t=None,
        )
    else:
        totals = figure_totals(
            organisation=organisation,
            year=filters.year,
            units=units,
            scope=filters.scope,
            scope3_category=filters.scope3_category,
            activity=filters.activity,
            business_unit=unit,
        )
    return render(
        request,
        "reports/entry_list.html",
        {
            "form": form,
            "filters": filters,
            "unit": unit,
            "activity_name": dict(activities).get(filters.activity or ""),
            "entries": entries,
            "totals": totals,
        },
    )
