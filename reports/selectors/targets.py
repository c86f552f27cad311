"""The organisation's target: its level, the straight path to it, this year."""

from dataclasses import dataclass
from decimal import Decimal

from emissions.models import Target
from emissions.totals import ScopeTotals
from reports.selectors.rows import YearRows


def target_scope_total(totals: ScopeTotals, scopes: str) -> Decimal:
    """Return the part of a year's total a target covers (scopes 1, 1+2 or all)."""
    if scopes == "1":
        return totals.scope1_t
    if scopes == "1+2":
        return totals.scope12_t
    return totals.total_t


@dataclass(frozen=True)
class TargetProgress:
    target: Target | None = None
    target_t: Decimal | None = None  # the level to reach
    trajectory_t: Decimal | None = None  # the straight path's level this year
    scope_t: Decimal | None = None  # this year's figure of the target's scopes


def target_progress(
    rows: YearRows, *, series: dict[int, ScopeTotals], totals: ScopeTotals
) -> TargetProgress:
    """Return the first target's level and path against the year's figure."""
    target = (
        Target.objects.filter(organisation=rows.organisation)
        .order_by("target_year")
        .first()
    )
    if target is None:
        return TargetProgress()
    target_t = trajectory_t = None
    target_base = series.get(target.base_year)
    if target_base is not None:
        base_scope = target_scope_total(target_base, target.scopes)
        target_t = base_scope * (1 - target.reduction_pct / 100)
        span = target.target_year - target.base_year
        elapsed = min(max(rows.year - target.base_year, 0), span)
        trajectory_t = base_scope - (base_scope - target_t) * elapsed / span
    return TargetProgress(
        target=target,
        target_t=target_t,
        trajectory_t=trajectory_t,
        scope_t=target_scope_total(totals, target.scopes),
    )
