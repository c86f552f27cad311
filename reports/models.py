from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import BusinessUnit, Organisation


class ReportKind(models.TextChoices):
    PDF = "pdf", _("Annual carbon report (PDF)")
    XLSX = "xlsx", _("Report tables (Excel)")
    INVENTORY_XLSX = "inventory_xlsx", _("Full inventory for auditors (Excel)")
    ECO_LIGHTHOUSE = "eco_lighthouse", _("Eco-Lighthouse environmental figures (Excel)")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class GeneratedReport(models.Model):
    """A report built for download, kept with its checksum and parameters."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="generated_reports"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    # No year: every year (the full inventory for auditors only).
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    business_unit = models.ForeignKey(
        BusinessUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.QUEUED,
    )
    file = models.FileField(upload_to="reports/%Y/", max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    year_status = models.CharField(
        _("year status when built"), max_length=10, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year_label} ({self.language})"

    @property
    def year_label(self) -> str:
        return str(self.year) if self.year is not None else str(_("every year"))

    @property
    def file_year(self) -> str:
        """The year as file names give it."""
        return str(self.year) if self.year is not None else "all-years"


class ReportLanguage(models.TextChoices):
    EN = "en", _("English")
    NB = "nb", _("Norwegian Bokmål")
    SV = "sv", _("Swedish")


class ReportNarrative(models.Model):
    """The organisation's own words for a year's report, in one language."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="report_narratives"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(
        _("language"), max_length=5, choices=ReportLanguage.choices
    )
    key_messages = models.TextField(_("key messages"), blank=True)
    highlights = models.TextField(_("highlights"), blank=True)
    actions = models.TextField(_("actions"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-year", "language"]
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "language"],
                name="report_narrative_year_language_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_language_display()})"

    @property
    def is_empty(self) -> bool:
        return not (
            self.key_messages.strip() or self.highlights.strip() or self.actions.strip()
        )


class Scope3Exclusion(models.Model):
    """A scope 3 category left out of a year's inventory, and why."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scope3_exclusions"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.PositiveSmallIntegerField(
        _("scope 3 category"),
        validators=[MinValueValidator(1), MaxValueValidator(15)],
    )
    justification = models.TextField(_("justification"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-year", "category"]
        verbose_name = _("scope 3 exclusion")
        verbose_name_plural = _("scope 3 exclusions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "category"],
                name="scope3_exclusion_year_category_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(category__gte=1, category__lte=15),
                name="scope3_exclusion_category_1_15",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} / {self.category}"
