"""Planner of published factor tables (DESNZ, EPA): a row found by the type's key.

The key is the activity type's key for the organisation's chosen publisher
(DESNZ by default, see FactorPreference), DESNZ's where the type has none for
that publisher. The row comes from the entry's year's edition, else the
nearest earlier one, and the note says which edition was used. The
organisation's own sets of that publisher come before the global ones of the
same edition; a full edition comes before the shipped excerpt. Per-gas mass
factors (EPA) are weighted with the organisation's GWP set.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from emissions.models import FactorSetKind
from emissions.resolution.base import Line, Plan, factor_row_plan
from emissions.units import UNITS

NO_PUBLISHED_FACTOR = _(
    "No %(publisher)s factor for '%(activity)s' in %(year)s or earlier editions."
)
NO_KEY = _(
    "'%(activity)s' has no factor key for %(publisher)s sets; choose another "
    "publisher or add your own factor for it."
)

PUBLISHER_LABELS = {"desnz": "DESNZ", "epa": "EPA", "generic": "own", "curated": ""}


def key_candidates(key: str, unit: str, allowed: list[str] | None = None) -> list[str]:
    """Return the type's key for the entry's own unit first, then as catalogued.

    Between the two come the type's other units of the same dimension, so
    that a quantity in scf finds a factor published per m3, and one in
    therm_US a factor per mmBtu, before the catalogued key of another
    dimension is tried.
    """
    base, _sep, key_unit = key.rpartition("|")
    candidates = []
    if base and key_unit != unit:
        candidates.append(f"{base}|{unit}")
        dimension = UNITS[unit].dimension if unit in UNITS else None
        for other in allowed or []:
            if (
                other not in (unit, key_unit)
                and other in UNITS
                and UNITS[other].dimension == dimension
            ):
                candidates.append(f"{base}|{other}")
    candidates.append(key)
    return candidates


def plan_published(line: Line) -> Plan:
    """Find the type's row in the chosen publisher's nearest edition."""
    organisation, activity_type, year = line.organisation, line.activity_type, line.year
    cache = line.cache
    kind = cache.preference(organisation)
    keys = activity_type.factor_keys or {}
    key = keys.get(kind)
    fallback_note = ""
    if not key and kind != FactorSetKind.DESNZ and keys.get(FactorSetKind.DESNZ):
        fallback_note = (
            f"No {PUBLISHER_LABELS[kind]} key for this activity type; "
            "DESNZ used instead. "
        )
        kind, key = FactorSetKind.DESNZ, keys[FactorSetKind.DESNZ]
    label = PUBLISHER_LABELS.get(kind, kind)
    if not key:
        raise ValidationError(
            NO_KEY,
            code="no_key",
            params={"activity": activity_type.name, "publisher": label},
        )
    candidates = key_candidates(key, line.unit, list(activity_type.allowed_units or []))
    for ref in cache.sets(kind, organisation):
        if ref.edition_year > year:
            continue
        for candidate in candidates:
            factor = cache.factor(ref.pk, candidate)
            if factor is None:
                continue
            note = f"{label} {ref.edition_year}"
            if ref.edition_year != year:
                note += f" used for {year}: no {year} edition loaded"
            note += (
                f" ({factor.factor_set.name}"
                + (", the organisation's own set" if ref.private else "")
                + ")."
            )
            return factor_row_plan(
                base=line.base,
                factor=factor,
                unit=line.unit,
                gwp_set=organisation.gwp_set,
                note=fallback_note + note,
            )
    raise ValidationError(
        NO_PUBLISHED_FACTOR,
        code="no_factor",
        params={"publisher": label, "activity": activity_type.name, "year": year},
    )
