"""Build a disclosure file (the command, the page and the API call this)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, Organisation
from disclosures.formats import FORMATS
from disclosures.selectors import disclosure_for_year

UNKNOWN_FORMAT = _("Unknown disclosure format %(format)s; use %(formats)s.")
UNKNOWN_LANGUAGE = _("Unknown language %(language)s; use %(languages)s.")


@dataclass(frozen=True)
class DisclosureFile:
    content: bytes
    filename: str
    content_type: str
    final: bool


def disclosure_file(
    *, organisation: Organisation, year: int, fmt: str, language: str | None = None
) -> DisclosureFile:
    """Return a year's disclosure in a format; an open year's is a draft.

    Raises ValidationError for an unknown format or language and when the
    format needs what the organisation has not recorded (its identifier).
    """
    chosen = FORMATS.get(fmt)
    if chosen is None:
        raise ValidationError(
            UNKNOWN_FORMAT,
            code="format",
            params={"format": fmt, "formats": ", ".join(FORMATS)},
        )
    language = language or organisation.language
    if language not in Language.values:
        raise ValidationError(
            UNKNOWN_LANGUAGE,
            code="language",
            params={"language": language, "languages": ", ".join(Language.values)},
        )
    with translation.override(language):
        disclosure = disclosure_for_year(
            organisation=organisation, year=year, language=language
        )
        content = chosen.render(disclosure)
    state = "final" if disclosure.final else "draft"
    return DisclosureFile(
        content=content,
        filename=(
            f"{organisation.slug}-disclosures-{year}-{state}-{language}."
            f"{chosen.extension}"
        ),
        content_type=chosen.content_type,
        final=disclosure.final,
    )
