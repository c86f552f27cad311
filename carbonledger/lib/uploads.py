"""An upload handler that keeps no more of a file than any form accepts."""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Stream a large upload to a temporary file, up to UPLOAD_MAX_BYTES.

    The rest of a larger file is received and dropped, so a 400 MB file sent
    to a form that accepts 50 MB fills neither the memory nor the disk. The
    file's `size` stays the size sent, so the form refuses it with its own
    message; `truncated` says that only the first part was kept.
    """

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.file.truncated = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.file.truncated = True
            return
        self.file.write(raw_data)
