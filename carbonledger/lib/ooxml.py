"""Refuse XML document type declarations in an Office archive before any parser.

Spreadsheet programs never write a DOCTYPE into .xlsx or .ods parts. One that
declares entities is either an entity bomb (a few bytes that expand to
gigabytes) or an external entity reading a file of the server; the readers
stop on it with an error that names neither. A declaration must come before
the root element, so only the start of each part is read.
"""

import zipfile
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse


class UnsafeXml(ValueError):
    """An XML part of the archive declares a document type or entities."""


def _declares_dtd(handle: BinaryIO) -> bool:
    try:
        for _event, _element in iterparse(handle, events=("start",), forbid_dtd=True):
            return False  # the root element: no declaration can follow
    except DefusedXmlException:
        return True
    except Exception:  # noqa: BLE001 - damaged XML is for the reader to report
        return False
    return False


def check_archive_xml(archive: zipfile.ZipFile) -> None:
    """Raise UnsafeXml when any XML part of the archive declares a document type."""
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(info) as handle:
            if _declares_dtd(handle):
                raise UnsafeXml(info.filename)


def check_file_xml(path) -> None:  # noqa: ANN001 - a path or a file object
    """Raise UnsafeXml for an Office archive (by path or file) with a DOCTYPE."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not an archive: .xls, CSV, or damaged; the reader reports it
    with archive:
        check_archive_xml(archive)
