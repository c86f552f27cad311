"""Disclosure formats: one module each, one table that names them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from disclosures.formats.ixbrl import render_ixbrl
from disclosures.formats.vsme_xlsx import fill_template


@dataclass(frozen=True)
class DisclosureFormat:
    key: str
    label: str
    extension: str
    content_type: str
    render: Callable[[object], bytes]


FORMATS: dict[str, DisclosureFormat] = {
    "vsme-xlsx": DisclosureFormat(
        key="vsme-xlsx",
        label=_("VSME Digital Template (Excel)"),
        extension="xlsx",
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        render=fill_template,
    ),
    "ixbrl": DisclosureFormat(
        key="ixbrl",
        label=_("Inline XBRL (XHTML)"),
        extension="xhtml",
        content_type="application/xhtml+xml",
        render=render_ixbrl,
    ),
}
