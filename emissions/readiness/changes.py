"""Changes against the previous year: scope totals and the largest lines.

The scope totals are the inventory's (equity shares applied, scope 2 by the
year's headline method). The lines are per business unit and activity type as
entered, scope 2 location-based: the consumption people explain; contractual
instruments change the market-based scope 2 total, which is a scope row.

A change needs a comment when it is larger than the organisation's threshold
(`Organisation.change_comment_threshold_pct`) of last year's figure, or when
the figure is new this year. Only scope totals and the largest lines are
checked, so that a small line's large percentage does not hold a year up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from emissions.models import ActivityEntry, ActivityType
from emissions.totals import scope_totals_by_year

ZERO = Decimal(0)
KG_PER_T = Decimal(1000)
# How many lines (business unit and activity) the review lists, largest first.
LARGEST_LINES = 10
SCOPE_LABELS = {
    "scope1": _("Scope 1"),
    "scope2": _("Scope 2"),
    "scope3": _("Scope 3"),
    "total": _("Total"),
}


def line_key(unit_code: str, activity_code: str) -> str:
    """Return the key a line's comment is stored under (codes hold no colon)."""
    return f"line:{unit_code}:{activity_code}"


def exceeds(previous: Decimal, current: Decimal, threshold_pct: Decimal) -> bool:
    """Return whether a change is larger than the threshold of last year's figure.

    A figure that was zero last year and is not now is a new figure: it is
    always larger.
    """
    if previous == 0:
        return current != 0
    return abs(current - previous) * 100 > threshold_pct * abs(previous)


@dataclass(frozen=True)
class Change:
    """One figure of this year against last year (t CO2e, full precision)."""

    key: str
    label: str
    previous_t: Decimal
    current_t: Decimal
    needs_comment: bool
    comment: str = ""
    unit_code: str = ""
    unit_name: str = ""
    activity_code: str = ""

    @property
    def change_t(self) -> Decimal:
        return self.current_t - self.previous_t

    @property
    def change_pct(self) -> Decimal | None:
        if not self.previous_t:
            return None
        return self.change_t / self.previous_t * 100

    @property
    def is_scope(self) -> bool:
        return not self.key.startswith("line:")

    @property
    def comment_missing(self) -> bool:
        return self.needs_comment and not self.comment.strip()


@dataclass
class ChangeReview:
    year: int
    previous_year: int
    threshold_pct: Decimal
    headline_market: bool
    # Whether last year has any lines: without them nothing is compared, and
    # the scope rows only give this year's totals.
    has_previous: bool
    scopes: list[Change] = field(default_factory=list)
    lines: list[Change] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        """The changes that can be commented (none without last year's lines)."""
        return [*self.scopes, *self.lines] if self.has_previous else []

    @property
    def keys(self) -> set[str]:
        return {change.key for change in self.changes}

    @property
    def missing_comments(self) -> list[Change]:
        return [change for change in self.changes if change.comment_missing]

    @property
    def needing_comments(self) -> list[Change]:
        return [change for change in self.changes if change.needs_comment]


def _scope_changes(
    *,
    organisation: Organisation,
    year: int,
    threshold: Decimal,
    comments: dict[str, str],
) -> tuple[list[Change], bool, bool]:
    totals = scope_totals_by_year(organisation=organisation)
    current, previous = totals.get(year), totals.get(year - 1)
    headline_market = (
        current.headline_market
        if current is not None
        else organisation.scope2_headline == "market"
    )
    has_previous = previous is not None

    def figures(totals_of_year) -> dict[str, Decimal]:
        if totals_of_year is None:
            return dict.fromkeys(SCOPE_LABELS, ZERO)
        scope2 = (
            totals_of_year.scope2_market_t
            if headline_market
            else totals_of_year.scope2_location_t
        )
        return {
            "scope1": totals_of_year.scope1_t,
            "scope2": scope2,
            "scope3": totals_of_year.scope3_t,
            "total": totals_of_year.scope1_t + scope2 + totals_of_year.scope3_t,
        }

    now, then = figures(current), figures(previous)
    changes = [
        Change(
            key=key,
            label=str(label),
            previous_t=then[key],
            current_t=now[key],
            needs_comment=has_previous and exceeds(then[key], now[key], threshold),
            comment=comments.get(key, ""),
        )
        for key, label in SCOPE_LABELS.items()
        if then[key] or now[key]
    ]
    return changes, headline_market, has_previous


def _line_changes(
    *,
    organisation: Organisation,
    year: int,
    threshold: Decimal,
    comments: dict[str, str],
) -> list[Change]:
    rows = (
        ActivityEntry.objects.filter(
            organisation=organisation, reporting_year__year__in=(year - 1, year)
        )
        .values(
            "reporting_year__year",
            "business_unit__code",
            "business_unit__name",
            "activity_type_id",
        )
        .annotate(kg=Sum("kg_co2e"))
        .order_by()
    )
    kg: dict[tuple[str, int], dict[int, Decimal]] = defaultdict(dict)
    names: dict[str, str] = {}
    for row in rows:
        pair = (row["business_unit__code"], row["activity_type_id"])
        kg[pair][row["reporting_year__year"]] = row["kg"] or ZERO
        names[row["business_unit__code"]] = row["business_unit__name"]
    types = ActivityType.objects.in_bulk({type_id for _code, type_id in kg})
    changes = []
    for (code, type_id), by_year in kg.items():
        previous_t = by_year.get(year - 1, ZERO) / KG_PER_T
        current_t = by_year.get(year, ZERO) / KG_PER_T
        if previous_t == current_t:
            continue
        activity = types[type_id]
        key = line_key(code, activity.code)
        changes.append(
            Change(
                key=key,
                label=f"{code} · {activity.display_name}",
                previous_t=previous_t,
                current_t=current_t,
                needs_comment=exceeds(previous_t, current_t, threshold),
                comment=comments.get(key, ""),
                unit_code=code,
                unit_name=names[code],
                activity_code=activity.code,
            )
        )
    changes.sort(key=lambda c: (-abs(c.change_t), c.unit_code, c.activity_code))
    return changes[:LARGEST_LINES]


def year_changes(
    *,
    organisation: Organisation,
    year: int,
    comments: dict[str, str] | None = None,
) -> ChangeReview:
    """Return the year's scope totals and largest lines against last year.

    `comments` are the year's stored comments (ReportingYear.change_comments).
    """
    comments = comments or {}
    threshold = organisation.change_comment_threshold_pct
    scopes, headline_market, has_previous = _scope_changes(
        organisation=organisation, year=year, threshold=threshold, comments=comments
    )
    return ChangeReview(
        year=year,
        previous_year=year - 1,
        threshold_pct=threshold,
        headline_market=headline_market,
        has_previous=has_previous,
        scopes=scopes,
        lines=(
            _line_changes(
                organisation=organisation,
                year=year,
                threshold=threshold,
                comments=comments,
            )
            if has_previous
            else []
        ),
    )
