"""The translation catalogues: each message defined once, every entry translated."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"
CATALOGUES = sorted(LOCALE.glob("*/*/LC_MESSAGES/django.po"))


def _keys(path: Path) -> list[tuple[str | None, str]]:
    """Return (context, msgid) of every entry, in file order, duplicates kept."""
    keys, context, msgid, field = [], None, None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("msgctxt "):
            context, field = line[8:].strip('"'), "ctxt"
        elif line.startswith("msgid "):
            msgid, field = line[6:].strip('"'), "id"
        elif line.startswith('"') and field == "id":
            msgid += line.strip('"')
        elif line.startswith('"') and field == "ctxt":
            context += line.strip('"')
        elif line.startswith("msgstr") or not line.strip():
            if msgid:
                keys.append((context, msgid))
            context, msgid, field = None, None, None
    return keys


def test_every_area_has_both_languages():
    assert [(p.parts[-4], p.parts[-3]) for p in CATALOGUES] == [
        (area, language)
        for area in ("common", "entries", "factors", "reports")
        for language in ("nb", "sv")
    ]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: "/".join(p.parts[-4:-2]))
def test_each_message_is_defined_once(path):
    keys = _keys(path)
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert duplicates == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: "/".join(p.parts[-4:-2]))
def test_every_message_is_translated(path):
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    untranslated = [
        message.id
        for message in catalogue
        if message.id
        and not (
            all(message.string) if isinstance(message.string, tuple) else message.string
        )
    ]
    assert untranslated == []
