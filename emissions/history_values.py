"""Stored values as the change history shows them to people.

Numbers in full and grouped in the reader's language (the template's `shown`
filter), years as years, yes and no, dates as dates, choices by their label,
and JSON objects (the settings fixed with a year, the comments on its changes,
a line's per-gas figures) key by key: one row per key that changed, named in
words, instead of a Python dict.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

EMPTY = "—"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
SEPARATOR = " › "

# Names of the keys of the JSON fields shown in the history.
SETTING_NAMES = {
    "factor_publisher": _("factor publisher"),
    "units": _("business units"),
    "fixed_at": _("fixed at"),
    "equity_share": _("equity share %"),
    "year_joined": _("year joined"),
    "year_left": _("year left"),
    "parent": _("parent"),
}


def _is_year(path: tuple[str, ...]) -> bool:
    return "year" in path[-1]


def display_scalar(value: Any, *, year: bool = False) -> Any:
    """Return a single stored value as it reads, numbers left to `shown`."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if year and isinstance(value, int | str):
        return str(value)
    if isinstance(value, str) and _NUMBER.match(value):
        return Decimal(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(display_scalar(item)) for item in value) or EMPTY
    return value


def display_field(model: Any, field_name: str, value: Any) -> Any:
    """Return a model field's stored value as the history shows it."""
    if value is None or value == "":
        return EMPTY
    try:
        model_field = model._meta.get_field(field_name)
    except Exception:  # noqa: BLE001 - fields dropped since the record was written
        return display_scalar(value)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation and model_field.related_model is not None:
        target = model_field.related_model._default_manager.filter(pk=value).first()
        return target if target is not None else f"#{value}"
    if isinstance(model_field, models.BooleanField):
        return display_scalar(bool(value))
    if isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        return display_scalar(parsed or value)
    year = isinstance(model_field, models.PositiveSmallIntegerField) and (
        "year" in field_name
    )
    return display_scalar(value, year=year)


def flatten(value: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Return a JSON value's leaves by their path of keys."""
    if isinstance(value, dict):
        leaves: dict[tuple[str, ...], Any] = {}
        for key, item in value.items():
            leaves.update(flatten(item, (*path, str(key))))
        return leaves
    return {path: value}


class KeyNames:
    """Names the keys of a JSON field in words, and its leaves' values."""

    def __init__(
        self, model: Any, field_name: str, organisation_id: int | None = None
    ) -> None:
        self.model = model
        self.field_name = field_name
        self.organisation_id = organisation_id
        self._units: dict[str, str] | None = None

    def _unit_codes(self) -> dict[str, str]:
        if self._units is None:
            from accounts.models import BusinessUnit

            self._units = {
                str(pk): code
                for pk, code in BusinessUnit.objects.filter(
                    organisation_id=self.organisation_id
                ).values_list("pk", "code")
            }
        return self._units

    def key(self, path: tuple[str, ...]) -> str:
        if self.field_name == "change_comments" and path:
            return change_name(path[0])
        if self.field_name == "fixed_settings":
            return SEPARATOR.join(self._setting_name(path, i) for i in range(len(path)))
        return SEPARATOR.join(part.replace("_", " ") for part in path)

    def _setting_name(self, path: tuple[str, ...], index: int) -> str:
        from accounts.models import Organisation

        part = path[index]
        if index == 1 and path[0] == "units":
            return self._unit_codes().get(part, f"#{part}")
        if part in SETTING_NAMES:
            return str(SETTING_NAMES[part])
        try:
            return str(Organisation._meta.get_field(part).verbose_name)
        except Exception:  # noqa: BLE001 - a key of an older version
            return part.replace("_", " ")

    def value(self, path: tuple[str, ...], value: Any) -> Any:
        if self.field_name == "fixed_settings" and path:
            from accounts.models import Organisation

            if path[-1] == "parent" and value is not None:
                return self._unit_codes().get(str(value), f"#{value}")
            if path[-1] == "fixed_at" and isinstance(value, str):
                return display_scalar(parse_datetime(value) or value)
            if path[-1] == "factor_publisher":
                from emissions.models import FactorSetKind

                return dict(FactorSetKind.choices).get(value, value)
            if len(path) == 1:
                try:
                    field = Organisation._meta.get_field(path[0])
                except Exception:  # noqa: BLE001
                    field = None
                if field is not None and field.choices:
                    return dict(field.flatchoices).get(value, value)
        return display_scalar(value, year=bool(path) and _is_year(path))


def change_name(key: str) -> str:
    """Name a readiness change by its key: "Scope 2", "OSL · Electricity"."""
    from emissions.models import ActivityType
    from emissions.readiness.changes import SCOPE_LABELS

    if key in SCOPE_LABELS:
        return str(SCOPE_LABELS[key])
    _line, _sep, rest = key.partition(":")
    unit, _sep, activity = rest.partition(":")
    if not activity:
        return key
    found = (
        ActivityType.objects.filter(code=activity, organisation__isnull=True).first()
        or ActivityType.objects.filter(code=activity).first()
    )
    return f"{unit} · {found.display_name if found else activity}"


def json_changes(
    model: Any,
    field_name: str,
    old: Any,
    new: Any,
    *,
    organisation_id: int | None = None,
) -> list[tuple[str, Any, Any]]:
    """Return (name, old value, new value) for each key of a JSON field that changed."""
    names = KeyNames(model, field_name, organisation_id)
    before, after = flatten(old or {}), flatten(new or {})
    rows = []
    for path in [*after, *(p for p in before if p not in after)]:
        if before.get(path) == after.get(path):
            continue
        rows.append(
            (
                # Nested keys (the units of the settings) after the plain ones.
                (len(path) > 1, names.key(path)),
                names.value(path, before[path]) if path in before else EMPTY,
                names.value(path, after[path]) if path in after else EMPTY,
            )
        )
    # A database may keep an object's keys in its own order (PostgreSQL's
    # jsonb sorts them by length): the rows go by name.
    return [(order[1], old, new) for order, old, new in sorted(rows, key=_first)]


def _first(row: tuple) -> tuple:
    return row[0]
