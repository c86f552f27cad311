from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Language, Organisation


class TransitionPlan(models.Model):
    """The organisation's transition plan for a year, in one language (VSME C3)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="transition_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    text = models.TextField(
        _("transition plan"),
        help_text=_(
            "The plan for climate change mitigation and how it contributes to "
            "reducing GHG emissions."
        ),
    )
    adopted = models.BooleanField(
        _("the plan is adopted"),
        default=True,
        help_text=_("Leave unticked when its adoption is planned."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-year", "language"]
        verbose_name = _("transition plan")
        verbose_name_plural = _("transition plans")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "language"],
                name="transition_plan_year_language_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year} ({self.language})"
