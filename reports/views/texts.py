"""The report-texts page: key messages and scope 3 exclusions of a year."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Capability
from accounts.tenancy import org_view, require_whole_organisation
from carbonledger.lib.forms import add_service_errors
from emissions.models import ReportingYear
from emissions.services.locks import year_range
from emissions.totals import entries_for
from reports.categories import scope3_category_names
from reports.forms import ExclusionForm, NarrativeForm
from reports.models import ReportLanguage, ReportNarrative, Scope3Exclusion
from reports.selectors import scope3_exclusions_for
from reports.services import (
    report_narrative_set,
    scope3_exclusion_set,
)
from reports.services import scope3_exclusion_delete as scope3_exclusion_delete_service
from reports.views.common import years_with_entries


def _texts_context(request: HttpRequest, year: int, **forms_in) -> dict:
    organisation = request.organisation
    names = scope3_category_names()
    stored = {
        n.language: n
        for n in ReportNarrative.objects.filter(organisation=organisation, year=year)
    }
    narrative_forms = []
    for code, label in ReportLanguage.choices:
        form = forms_in.get(f"narrative_{code}")
        if form is None:
            narrative = stored.get(code)
            form = NarrativeForm(
                initial={
                    "language": code,
                    "key_messages": narrative.key_messages if narrative else "",
                    "highlights": narrative.highlights if narrative else "",
                    "actions": narrative.actions if narrative else "",
                },
                auto_id=f"id_{code}_%s",
            )
        narrative_forms.append((code, label, stored.get(code), form))
    missing = [
        (code, label)
        for code, label in ReportLanguage.choices
        if code not in stored or stored[code].is_empty
    ]
    exclusions = scope3_exclusions_for(organisation=organisation, year=year)
    reported = _reported_categories(organisation, year)
    exclusion_form = forms_in.get("exclusion") or ExclusionForm(
        categories=_category_choices()
    )
    # The form offers the categories without emissions only; a posted one is
    # validated against all of them, so that the service says why not.
    exclusion_form.fields["category"].choices = [
        choice for choice in _category_choices() if choice[0] not in reported
    ]
    reporting_year = ReportingYear.objects.filter(
        organisation=organisation, year=year
    ).first()
    lock_reason = ""
    if reporting_year is not None and reporting_year.status != "open":
        lock_reason = _(
            "%(year)s is submitted or approved: its scope 3 boundary cannot change "
            "until the year is open again."
        ) % {"year": year}
    return {
        "lock_reason": lock_reason,
        "year": year,
        "years": years_with_entries(organisation),
        "narratives": narrative_forms,
        "missing_codes": [code for code, _label in missing],
        # Norwegian and Swedish write language names in lower case in a sentence.
        "missing_languages": [
            str(label) if get_language() == "en" else str(label).lower()
            for _code, label in missing
        ],
        "exclusions": [(e, names.get(e.category, "")) for e in exclusions],
        "reported": [(n, names[n]) for n in sorted(reported) if n in names],
        "exclusion_form": exclusion_form,
    }


def _reported_categories(organisation, year: int) -> set[int]:
    return set(
        entries_for(organisation=organisation)
        .filter(reporting_year__year=year, scope=3)
        .values_list("scope3_category", flat=True)
        .distinct()
    )


def _category_choices() -> list[tuple[int, str]]:
    return [(n, f"{n}. {name}") for n, name in scope3_category_names().items()]


def _text_year(request: HttpRequest, year: int) -> int:
    first, last = year_range(request.organisation)
    if not first <= year <= last:
        raise Http404("Year outside the organisation's range.")
    return year


@require_GET
@org_view(Capability.VIEW)
def report_texts_index(request: HttpRequest) -> HttpResponse:
    """Open the report texts of the latest year that has emissions."""
    years = years_with_entries(request.organisation)
    year = years[0] if years else year_range(request.organisation)[1]
    return redirect("report_texts", org_slug=request.organisation.slug, year=year)


@require_GET
@org_view(Capability.VIEW)
def report_texts(request: HttpRequest, year: int) -> HttpResponse:
    """A year's key messages, highlights, actions and scope 3 exclusions."""
    year = _text_year(request, year)
    return render(request, "reports/texts.html", _texts_context(request, year))


def _save_texts(
    request: HttpRequest,
    year: int,
    *,
    form: forms.Form,
    service: Callable[..., object],
    saved: str,
    form_name: str,
) -> HttpResponse:
    """Save a form of the report-texts page through its service.

    On success the page again, with a message; otherwise the page with the
    form, its errors and the service's, and status 400.
    """
    if form.is_valid():
        try:
            service(
                organisation=request.organisation,
                actor=request.user,
                year=year,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, saved)
            return redirect(
                "report_texts", org_slug=request.organisation.slug, year=year
            )
    return render(
        request,
        "reports/texts.html",
        _texts_context(request, year, **{form_name: form}),
        status=400,
    )


@require_POST
@org_view(Capability.MANAGE)
def report_narrative_save(request: HttpRequest, year: int) -> HttpResponse:
    """Save the year's texts in one language (administrators)."""
    year = _text_year(request, year)
    code = request.POST.get("language", "")
    if code not in dict(ReportLanguage.choices):
        code = "en"
    return _save_texts(
        request,
        year,
        form=NarrativeForm(request.POST, auto_id=f"id_{code}_%s"),
        service=report_narrative_set,
        saved=_("The report texts were saved."),
        form_name=f"narrative_{code}",
    )


@require_POST
@org_view(Capability.EDIT)
def scope3_exclusion_save(request: HttpRequest, year: int) -> HttpResponse:
    """Record why a scope 3 category is left out of the year (editors)."""
    # Scope 3 exclusions are the whole organisation's.
    require_whole_organisation(request.membership)
    year = _text_year(request, year)
    return _save_texts(
        request,
        year,
        form=ExclusionForm(request.POST, categories=_category_choices()),
        service=scope3_exclusion_set,
        saved=_("The exclusion was saved."),
        form_name="exclusion",
    )


@require_POST
@org_view(Capability.EDIT)
def scope3_exclusion_delete(
    request: HttpRequest, year: int, category: int
) -> HttpResponse:
    """Take an exclusion back (editors)."""
    # Scope 3 exclusions are the whole organisation's.
    require_whole_organisation(request.membership)
    year = _text_year(request, year)
    exclusion = get_object_or_404(
        Scope3Exclusion, organisation=request.organisation, year=year, category=category
    )
    try:
        scope3_exclusion_delete_service(
            organisation=request.organisation, actor=request.user, exclusion=exclusion
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The exclusion was removed."))
    return redirect("report_texts", org_slug=request.organisation.slug, year=year)
