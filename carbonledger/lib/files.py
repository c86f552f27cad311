"""Files written so that no reader ever sees a half-written one."""

import os
import tempfile
from pathlib import Path


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
