from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved")


class Finding(models.Model):
    """An auditor's comment on an entry or a year, answered by the editors."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="findings"
    )
    reporting_year = models.ForeignKey(
        "emissions.ReportingYear", on_delete=models.CASCADE, related_name="findings"
    )
    entry = models.ForeignKey(
        "emissions.ActivityEntry",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
    )
    text = models.TextField(_("finding"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=FindingStatus.choices,
        default=FindingStatus.OPEN,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:60]
