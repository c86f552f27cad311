"""Evidence documents: checked uploads, links to what they prove, soft removal."""

import hashlib
import io
import zipfile
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.tenancy import membership_for_write
from carbonledger.lib.files import STORAGE_NOT_WRITABLE
from carbonledger.lib.signatures import OLE2_MAGIC, ZIP_MAGIC
from emissions.models import (
    ActivityEntry,
    CarbonCredit,
    ContractualInstrument,
    EvidenceDocument,
    EvidenceKind,
    ReportingYear,
)
from emissions.rules import ensure_unit_allowed
from emissions.services.locks import ensure_year_writable

EVIDENCE_EMPTY = _("The file is empty.")
EVIDENCE_FILE_MISSING = _(
    "The stored file of this document is missing from the file storage; ask the "
    "administrator to restore it from the backup."
)
EVIDENCE_TOO_LARGE = _("The file is %(size)s; evidence files may be at most %(limit)s.")
EVIDENCE_TYPE_NOT_ALLOWED = _(
    "Files of type “%(extension)s” cannot be used as evidence. Allowed: %(allowed)s."
)
EVIDENCE_CONTENT_MISMATCH = _(
    "The file “%(name)s” is named as %(extension)s but its content is %(found)s; "
    "it was refused."
)
EVIDENCE_KIND_UNKNOWN = _("“%(kind)s” is not a kind of evidence.")
EVIDENCE_OTHER_ORG = _("That document belongs to another organisation.")
EVIDENCE_TARGET_UNSUPPORTED = _("Evidence cannot be attached to that.")
EVIDENCE_REMOVED = _("The document was removed and cannot be attached.")
REASON_REQUIRED = _("Give a reason; it is kept in the document's history.")
ALREADY_REMOVED = _("The document was already removed.")


# Extension -> (content type recorded, content check).
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpg"),
    "jpeg": ("image/jpeg", "jpg"),
    "webp": ("image/webp", "webp"),
    "heic": ("image/heic", "heic"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "xls": ("application/vnd.ms-excel", "ole2"),
    "msg": ("application/vnd.ms-outlook", "ole2"),
    "csv": ("text/csv", "text"),
    "txt": ("text/plain", "text"),
    "eml": ("message/rfc822", "eml"),
}

EMAIL_HEADERS = (
    b"from:",
    b"to:",
    b"subject:",
    b"date:",
    b"received:",
    b"message-id:",
    b"mime-version:",
    b"return-path:",
)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut off at the end of the sample is still text.
        if error.start < len(head) - 4:
            try:
                text = head.decode("cp1252")
            except UnicodeDecodeError:
                return False
        else:
            text = head[: error.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text.lstrip("\ufeff"))


def _looks_like_email(head: bytes) -> bool:
    if not _looks_like_text(head):
        return False
    header_block = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    names = {
        line.split(b":", 1)[0].strip().lower() + b":"
        for line in header_block.splitlines()
        if b":" in line and not line[:1].isspace()
    }
    return sum(1 for header in EMAIL_HEADERS if header in names) >= 2


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _content_matches(check: str, data: bytes) -> bool:
    head = data[:65536]
    if check == "text":
        return _looks_like_text(head)
    if check == "eml":
        return _looks_like_email(head)
    if check == "ole2":
        return data.startswith(OLE2_MAGIC)
    if check == "xlsx":
        return data.startswith(ZIP_MAGIC) and _is_xlsx(data)
    kind = filetype.guess(head)
    return kind is not None and kind.extension == check


def _describe_content(data: bytes) -> str:
    kind = filetype.guess(data[:65536])
    if kind is not None:
        return f"{kind.mime} (.{kind.extension})"
    if data.startswith(b"MZ"):
        return "a Windows program (.exe)"
    if _looks_like_text(data[:65536]):
        return "plain text"
    return str(_("an unknown binary format"))


def _read_all(uploaded_file: UploadedFile, limit: int) -> bytes:
    chunks = []
    total = 0
    for chunk in uploaded_file.chunks():
        total += len(chunk)
        if total > limit:
            raise ValidationError(
                EVIDENCE_TOO_LARGE,
                code="evidence_too_large",
                params={
                    "size": filesizeformat(max(total, uploaded_file.size or 0)),
                    "limit": filesizeformat(limit),
                },
            )
        chunks.append(chunk)
    return b"".join(chunks)


@transaction.atomic
def evidence_upload(
    *,
    organisation: Organisation,
    actor: User,
    uploaded_file: UploadedFile,
    kind: str,
    title: str = "",
) -> EvidenceDocument:
    """Store a checked file once per organisation; the same bytes reuse the document."""
    membership_for_write(organisation=organisation, actor=actor)
    if kind not in EvidenceKind.values:
        raise ValidationError(
            EVIDENCE_KIND_UNKNOWN, code="evidence_kind_unknown", params={"kind": kind}
        )
    name = PurePath(uploaded_file.name or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            EVIDENCE_TYPE_NOT_ALLOWED,
            code="evidence_type_not_allowed",
            params={
                "extension": extension or name,
                "allowed": ", ".join(sorted({e.upper() for e in ALLOWED_TYPES})),
            },
        )
    limit = settings.EVIDENCE_MAX_BYTES
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError(
            EVIDENCE_TOO_LARGE,
            code="evidence_too_large",
            params={
                "size": filesizeformat(uploaded_file.size),
                "limit": filesizeformat(limit),
            },
        )
    data = _read_all(uploaded_file, limit)
    if not data:
        raise ValidationError(EVIDENCE_EMPTY, code="evidence_empty")
    content_type, check = ALLOWED_TYPES[extension]
    if not _content_matches(check, data):
        raise ValidationError(
            EVIDENCE_CONTENT_MISMATCH,
            code="evidence_content_mismatch",
            params={
                "name": name,
                "extension": extension.upper(),
                "found": _describe_content(data),
            },
        )
    sha256 = hashlib.sha256(data).hexdigest()
    existing = EvidenceDocument.objects.filter(
        organisation=organisation, sha256=sha256, removed_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    document = EvidenceDocument(
        organisation=organisation,
        original_name=name[:255],
        title=(title or "").strip()[:200],
        kind=kind,
        sha256=sha256,
        size=len(data),
        content_type=content_type,
        uploaded_by=actor,
    )
    document._history_user = actor
    # evidence_path names the stored file by its hash, so set the hash first.
    try:
        document.file.save(name, ContentFile(data), save=False)
    except OSError as exc:
        raise ValidationError(
            STORAGE_NOT_WRITABLE, code="storage_not_writable"
        ) from exc
    document.save()
    return document


def _target_years(target: Model) -> list[ReportingYear]:
    if isinstance(target, ReportingYear):
        return [target]
    if isinstance(target, ActivityEntry | ContractualInstrument):
        return [target.reporting_year]
    if isinstance(target, CarbonCredit):
        return [target.claimed_year]
    raise ValidationError(EVIDENCE_TARGET_UNSUPPORTED, code="evidence_target")


@transaction.atomic
def evidence_attach(
    *,
    organisation: Organisation,
    actor: User,
    document: EvidenceDocument,
    target: Model,
) -> None:
    """Link a document to an entry, year, instrument or credit of an open year."""
    membership = membership_for_write(organisation=organisation, actor=actor)
    if document.organisation_id != organisation.pk:
        raise ValidationError(EVIDENCE_OTHER_ORG, code="evidence_other_org")
    if getattr(target, "organisation_id", None) != organisation.pk:
        raise ValidationError(EVIDENCE_TARGET_UNSUPPORTED, code="evidence_target")
    if document.removed_at is not None:
        raise ValidationError(EVIDENCE_REMOVED, code="evidence_removed")
    for reporting_year in _target_years(target):
        ensure_year_writable(reporting_year)
    business_unit = getattr(target, "business_unit", None)
    if business_unit is not None:
        ensure_unit_allowed(membership, business_unit)
    if target.evidence.filter(pk=document.pk).exists():
        return
    target.evidence.add(document)
    # The link is part of the audit trail: the document's history records who
    # attached it to what, and when.
    document._history_user = actor
    document._change_reason = (
        f"Attached to {target._meta.verbose_name} #{target.pk}: {target}"
    )[:100]
    document.save()


def evidence_years(document: EvidenceDocument) -> list[ReportingYear]:
    """Return every reporting year the document is linked to, directly or not."""
    year_ids: set[int] = set(document.reporting_years.values_list("pk", flat=True))
    year_ids.update(document.entries.values_list("reporting_year_id", flat=True))
    year_ids.update(document.instruments.values_list("reporting_year_id", flat=True))
    year_ids.update(document.credits.values_list("claimed_year_id", flat=True))
    return list(ReportingYear.objects.filter(pk__in=year_ids).order_by("year"))


@transaction.atomic
def evidence_remove(
    *,
    organisation: Organisation,
    actor: User,
    document: EvidenceDocument,
    reason: str,
) -> EvidenceDocument:
    """Mark a document removed (the file stays) while its years are open."""
    membership_for_write(organisation=organisation, actor=actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    stored = EvidenceDocument.objects.select_for_update().get(
        pk=document.pk, organisation=organisation
    )
    if stored.removed_at is not None:
        raise ValidationError(ALREADY_REMOVED, code="already_removed")
    for reporting_year in evidence_years(stored):
        ensure_year_writable(reporting_year)
    stored.removed_at = timezone.now()
    stored.removed_by = actor
    stored.removal_reason = reason
    stored._history_user = actor
    stored._change_reason = reason
    stored.save()
    return stored


@transaction.atomic
def evidence_add(
    *,
    organisation: Organisation,
    actor: User,
    uploaded_file: UploadedFile,
    kind: str,
    target: Model,
    title: str = "",
) -> EvidenceDocument:
    """Upload a file and attach it to its target in one step (all or nothing)."""
    document = evidence_upload(
        organisation=organisation,
        actor=actor,
        uploaded_file=uploaded_file,
        kind=kind,
        title=title,
    )
    evidence_attach(
        organisation=organisation, actor=actor, document=document, target=target
    )
    return document
