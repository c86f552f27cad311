from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
