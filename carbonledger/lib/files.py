"""Files written so that no reader ever sees a half-written one."""

import logging
import os
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)


def write_atomically(target: Path, payload: bytes) -> None:
    """Write `payload` to `target` through a temporary file and a rename.

    A process killed mid-way leaves at most a hidden ``.partial-`` file beside
    the target, never a truncated target.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


STORAGE_NOT_WRITABLE = gettext_lazy(
    "The file could not be stored: the file storage does not accept it. Nothing "
    "was saved; ask the administrator to check the media folder."
)


def storage_save(name: str, content: File) -> str:
    """Save to the default storage; a storage that refuses the write is a
    ValidationError with a message, not a server error."""
    try:
        return default_storage.save(name, content)
    except OSError as exc:
        logger.exception("The file storage refused %s", name)
        raise ValidationError(
            STORAGE_NOT_WRITABLE, code="storage_not_writable"
        ) from exc


def storage_delete(name: str) -> None:
    """Delete from the default storage; a file that cannot be deleted is logged
    and left, since the record that used it has already changed."""
    try:
        default_storage.delete(name)
    except OSError:
        logger.exception("The file storage could not delete %s", name)
