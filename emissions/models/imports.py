from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    PREVIEW = "preview", _("Previewed")
    PROCESSING = "processing", _("Processing")
    COMMITTED = "committed", _("Committed")
    FAILED = "failed", _("Failed")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    DISCARDED = "discarded", _("Discarded")


class ImportBatch(models.Model):
    """One uploaded activity spreadsheet and what it created."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_batches"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_file = models.CharField(
        _("stored file"),
        max_length=300,
        blank=True,
        help_text=_("The uploaded file under MEDIA_ROOT, kept for commit and audit."),
    )
    prepared_file = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "The values a valid preview parsed from each row, under MEDIA_ROOT, "
            "read by the commit instead of the file; removed once committed."
        ),
    )
    prepared_sha256 = models.CharField(max_length=64, blank=True)
    shown_file = models.CharField(
        max_length=300,
        blank=True,
        help_text=_(
            "Every row of the preview as its pages show it, under MEDIA_ROOT; "
            "removed once the batch is committed or has failed."
        ),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("An earlier committed batch of the same file."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ImportStatus.choices,
        default=ImportStatus.PREVIEW,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    progress_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "When a check or commit in the background last reported progress; "
            "a batch without progress for IMPORT_STALE_MINUTES has stopped."
        ),
    )
    errors = models.JSONField(default=list, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        indexes = [models.Index(fields=["organisation", "sha256"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def preview_files(self) -> list[str]:
        """The files kept for the preview only: the parsed and the shown rows."""
        return [name for name in (self.prepared_file, self.shown_file) if name]

    def files(self) -> list[str]:
        """Every file kept under MEDIA_ROOT for this batch, the upload first."""
        return [name for name in (self.stored_file, *self.preview_files()) if name]
