"""Writes of the disclosures: the transition plan (the figures are read only)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, Organisation, User
from accounts.roles import Capability
from accounts.tenancy import require_whole_organisation
from disclosures.models import TransitionPlan
from disclosures.selectors import year_exists

PLAN_LIMIT = 20000
NO_YEAR = _("The organisation has no reporting year %(year)s.")
PLAN_TOO_LONG = _("Keep the transition plan under %(limit)s characters.")
UNKNOWN_PLAN_LANGUAGE = _("Choose English, Norwegian or Swedish.")


@transaction.atomic
def transition_plan_set(
    *,
    organisation: Organisation,
    actor: User,
    year: int,
    language: str,
    text: str,
    adopted: bool = True,
) -> TransitionPlan | None:
    """Write the year's transition plan in a language; an empty text removes it."""
    from emissions.services.entries import membership_for_write

    membership = membership_for_write(
        organisation=organisation, actor=actor, capability=Capability.MANAGE
    )
    require_whole_organisation(membership)
    if not year_exists(organisation=organisation, year=year):
        raise ValidationError(NO_YEAR, code="no_year", params={"year": year})
    if language not in Language.values:
        raise ValidationError({"language": ValidationError(UNKNOWN_PLAN_LANGUAGE)})
    text = text.strip()
    if len(text) > PLAN_LIMIT:
        raise ValidationError(
            {"text": ValidationError(PLAN_TOO_LONG, params={"limit": PLAN_LIMIT})}
        )
    plan = (
        TransitionPlan.objects.select_for_update()
        .filter(organisation=organisation, year=year, language=language)
        .first()
    )
    if not text:
        if plan is not None:
            plan._history_user = actor
            plan.delete()
        return None
    if plan is None:
        plan = TransitionPlan(organisation=organisation, year=year, language=language)
    elif plan.text == text and plan.adopted == adopted:
        return plan  # nothing changed: no history row
    plan.text = text
    plan.adopted = adopted
    plan.updated_by = actor
    plan._history_user = actor
    plan.save()
    return plan
