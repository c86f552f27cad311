from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation


class YearStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved (locked)")


class ReportingYear(models.Model):
    """An organisation's inventory year: open, submitted, approved (locked)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="reporting_years"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=YearStatus.choices, default=YearStatus.OPEN
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    unlock_reason = models.TextField(_("reason for the last unlock"), blank=True)
    # The settings that change figures (consolidation approach, equity shares,
    # GWP set, ...) as they were when the year was submitted; the year's
    # figures keep using them until it is returned or unlocked. Empty while
    # the year is open: it follows the organisation's settings.
    # See emissions.year_settings.
    fixed_settings = models.JSONField(
        _("settings the figures use"), default=dict, blank=True
    )
    unverified_factors_confirmed = models.TextField(
        _("unverified factors confirmed at approval"), blank=True
    )
    # The readiness review's comments on the changes against the previous
    # year, by the change's key (emissions.readiness.changes): {"scope2": "..."}.
    change_comments = models.JSONField(
        _("comments on changes against last year"), default=dict, blank=True
    )
    open_findings_at_approval = models.TextField(
        _("audit findings open at approval"), blank=True
    )
    open_findings_reason = models.TextField(
        _("reason for approving with open findings"), blank=True
    )
    approved_without_second_person = models.BooleanField(
        _("approved without a second person"), default=False
    )
    evidence = models.ManyToManyField(
        "emissions.EvidenceDocument", blank=True, related_name="reporting_years"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation", "year"]
        verbose_name = _("reporting year")
        verbose_name_plural = _("reporting years")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="reporting_year_unique"
            ),
            # The submitter approves only where the organisation allows a sole
            # administrator to, and the year says so.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(submitted_by__isnull=True)
                | ~Q(approved_by=F("submitted_by"))
                | Q(approved_without_second_person=True),
                name="reporting_year_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    @property
    def is_locked(self) -> bool:
        return self.status == YearStatus.APPROVED
