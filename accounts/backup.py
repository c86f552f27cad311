"""Back up and restore the whole database and the uploaded files as one archive.

The archive holds Django's serialised data (``data.json``), the files under
MEDIA_ROOT (evidence, generated reports) and a manifest with the row counts and
the kg CO2e totals per organisation and year, which a restore checks after loading.
"""

import io
import json
import tarfile
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

# Caches and logs that a restore has no use for; content types and permissions
# are rebuilt by migrate and referenced by natural key.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "django_tasks_database",
]
FORMAT_VERSION = 1


def inventory_fingerprint() -> dict[str, str]:
    """Return kg CO2e per organisation slug and year, and the row count."""
    from emissions.models import ActivityEntry

    rows = (
        ActivityEntry.objects.values("organisation__slug", "reporting_year__year")
        .annotate(kg=Sum("kg_co2e"))
        .order_by("organisation__slug", "reporting_year__year")
    )
    totals = {
        f"{row['organisation__slug']}/{row['reporting_year__year']}": str(
            Decimal(row["kg"]).quantize(Decimal("0.0001"))
        )
        for row in rows
    }
    totals["entries"] = str(ActivityEntry.objects.count())
    return totals


def backup_create(target: Path) -> dict[str, str]:
    """Write the archive to ``target`` and return its fingerprint."""
    buffer = io.StringIO()
    call_command(
        "dumpdata",
        exclude=EXCLUDED,
        natural_foreign=True,
        format="json",
        stdout=buffer,
    )
    data = buffer.getvalue().encode()
    fingerprint = inventory_fingerprint()
    manifest = json.dumps(
        {"format": FORMAT_VERSION, "fingerprint": fingerprint}, indent=2
    ).encode()
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w:gz") as archive:
        for name, payload in (("manifest.json", manifest), ("data.json", data)):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
        if media_root.exists():
            archive.add(media_root, arcname="media")
    return fingerprint


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        path = Path(member.name)
        if path.is_absolute() or ".." in path.parts or member.issym() or member.islnk():
            raise ValidationError(f"Unsafe path in the archive: {member.name}")
        members.append(member)
    return members


def backup_restore(source: Path, *, allow_non_empty: bool = False) -> dict[str, str]:
    """Load an archive into this (migrated) database; all or nothing."""
    from accounts.models import Organisation

    if Organisation.objects.exists() and not allow_non_empty:
        raise ValidationError(
            "The database already holds organisations; restore into an empty, "
            "migrated database."
        )
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115 (closed below)
    except (tarfile.TarError, OSError) as exc:
        raise ValidationError(f"Not a CarbonLedger backup archive: {exc}") from exc
    with archive, tempfile.TemporaryDirectory() as tmp:
        try:
            members = _safe_members(archive)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ValidationError(f"Not a CarbonLedger backup archive: {exc}") from exc
        names = {m.name for m in members}
        if not {"manifest.json", "data.json"} <= names:
            raise ValidationError("The archive has no manifest.json or data.json.")
        archive.extractall(tmp, members=members, filter="data")
        manifest = json.loads(Path(tmp, "manifest.json").read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise ValidationError("Unknown backup format version.")
        with transaction.atomic():
            call_command("loaddata", str(Path(tmp, "data.json")), verbosity=0)
            restored = inventory_fingerprint()
            if restored != manifest["fingerprint"]:
                raise ValidationError(
                    "The restored totals differ from the backup's; nothing was kept."
                )
        media = Path(tmp, "media")
        if media.exists():
            target = Path(settings.MEDIA_ROOT)
            for path in media.rglob("*"):
                if path.is_file():
                    destination = target / path.relative_to(media)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(path.read_bytes())
    return restored
