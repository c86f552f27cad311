"""The organisation's own texts of a year: key messages and scope 3 exclusions."""

from dataclasses import dataclass

from accounts.models import Organisation
from reports.models import ReportNarrative, Scope3Exclusion


@dataclass(frozen=True)
class Narrative:
    """Key messages, highlights and actions, split into paragraphs or lines."""

    language: str
    key_messages: list[str]
    highlights: list[str]
    actions: list[str]


def _paragraphs(text: str) -> list[str]:
    return [
        part.strip()
        for part in text.replace("\r\n", "\n").split("\n\n")
        if part.strip()
    ]


def _lines(text: str) -> list[str]:
    return [
        line.strip().lstrip("-•*").strip()
        for line in text.replace("\r\n", "\n").split("\n")
        if line.strip().lstrip("-•*").strip()
    ]


def report_narrative_for(
    *, organisation: Organisation, year: int, language: str
) -> Narrative | None:
    """Return the year's texts in the report's language (None where it has none).

    A report never borrows another language's texts: without texts in its
    language it leaves those blocks out, and the report-texts page says so.
    """
    narrative = ReportNarrative.objects.filter(
        organisation=organisation, year=year, language=language
    ).first()
    if narrative is None or narrative.is_empty:
        return None
    return Narrative(
        language=language,
        key_messages=_paragraphs(narrative.key_messages),
        highlights=_lines(narrative.highlights),
        actions=_lines(narrative.actions),
    )


def scope3_exclusions_for(
    *, organisation: Organisation, year: int
) -> list[Scope3Exclusion]:
    """Return the scope 3 categories left out of a year, in category order."""
    return list(
        Scope3Exclusion.objects.filter(organisation=organisation, year=year).order_by(
            "category"
        )
    )
