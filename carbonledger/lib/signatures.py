"""The first bytes that tell a file's real format, whatever its name says."""

# An OLE2 compound document: old Excel (.xls) and Outlook (.msg) files.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A zip archive: .xlsx, .ods and other Office Open XML or OpenDocument files.
ZIP_MAGIC = b"PK\x03\x04"
