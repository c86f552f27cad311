"""Activity types by code and name in the reader's language."""

from django.utils.translation import get_language

from emissions.models import ActivityType


def in_language(name: str, name_nb: str, name_sv: str) -> str:
    """Return an activity type's name in the active language (English otherwise)."""
    language = (get_language() or "en")[:2]
    return {"nb": name_nb, "sv": name_sv}.get(language) or name


def activity_types(rows: list[dict]) -> dict[int, tuple[str, str]]:
    """Return code and name (active language) of the rows' types, in code order."""
    return {
        pk: (code, in_language(name, name_nb, name_sv))
        for pk, code, name, name_nb, name_sv in ActivityType.objects.filter(
            pk__in={row["activity_type_id"] for row in rows}
        )
        .order_by("code", "pk")
        .values_list("pk", "code", "name", "name_nb", "name_sv")
    }
