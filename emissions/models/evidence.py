from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation


class EvidenceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    METER_READING = "meter_reading", _("Meter reading")
    CERTIFICATE = "certificate", _("Certificate")
    POLICY = "policy", _("Policy")
    REPORT = "report", _("Report or statement")
    OTHER = "other", _("Other")


def evidence_path(instance: "EvidenceDocument", filename: str) -> str:
    # The hash names the file: never overwritten, never guessable from its title.
    return (
        f"evidence/{instance.organisation_id}/{instance.sha256[:2]}/{instance.sha256}"
    )


class EvidenceDocument(models.Model):
    """An uploaded file; immutable, identified by its SHA-256."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evidence_documents"
    )
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    title = models.CharField(_("title"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=EvidenceKind.choices,
        default=EvidenceKind.OTHER,
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        indexes = [models.Index(fields=["organisation", "sha256"])]

    def __str__(self) -> str:
        return self.title or self.original_name
