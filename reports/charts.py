"""Server-rendered SVG charts, shared by the dashboard and the PDF.

Accessible by construction: role="img", a <title> and a <desc>, and every chart
comes with a data table beside it in the page. Okabe-Ito colours, which stay
apart for the common kinds of colour blindness.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from reports.formatting import number

SCOPE_COLOURS = {1: "#0072B2", 2: "#E69F00", 3: "#009E73"}
UNIT_COLOUR = "#56B4E9"
TARGET_COLOUR = "#D55E00"
INK = "#1d2330"
GRID = "#d9dee7"


@dataclass(frozen=True)
class StackedBar:
    label: str
    values: tuple[Decimal, Decimal, Decimal]  # scope 1, 2, 3 in tonnes


def _nice_max(value: Decimal) -> Decimal:
    """Return a round axis maximum at or above value."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        candidate = magnitude * Decimal(str(step))
        if candidate >= value:
            return candidate
    return magnitude * 10


def stacked_scope_bars(
    bars: Sequence[StackedBar],
    *,
    title: str,
    description: str,
    scope_labels: Sequence[str],
    target_value: Decimal | None = None,
    target_label: str = "",
    language: str = "en",
    width: int = 720,
    height: int = 320,
    chart_id: str = "scopes",
) -> str:
    """Return an SVG of stacked bars by scope with an optional target line."""
    left, right, top, bottom = 64, 16, 36, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([sum(b.values, Decimal(0)) for b in bars] + [target_value or Decimal(0)])
    axis_max = _nice_max(peak)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for i in range(5):
        value = axis_max * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{escape(number(value, 0, language))}</text>'
        )
    slot = plot_w / max(len(bars), 1)
    bar_w = min(slot * 0.62, 56)
    for index, bar in enumerate(bars):
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h
        for scope, value in zip((1, 2, 3), bar.values, strict=True):
            h = float(value / axis_max) * plot_h if axis_max else 0
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{SCOPE_COLOURS[scope]}"><title>{escape(bar.label)} '
                f"{escape(scope_labels[scope - 1])}: "
                f"{escape(number(value, 1, language))} t</title></rect>"
            )
        total = sum(bar.values, Decimal(0))
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'font-size="10" fill="{INK}">{escape(number(total, 0, language))}</text>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle" font-size="11" fill="{INK}">'
            f"{escape(bar.label)}</text>"
        )
    if target_value is not None and axis_max:
        y = top + plot_h - float(target_value / axis_max) * plot_h
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
    legend_x = left
    for scope in (1, 2, 3):
        parts.append(
            f'<rect x="{legend_x}" y="10" width="12" height="12" '
            f'fill="{SCOPE_COLOURS[scope]}"/>'
        )
        parts.append(
            f'<text x="{legend_x + 16}" y="20" font-size="11" fill="{INK}">'
            f"{escape(scope_labels[scope - 1])}</text>"
        )
        legend_x += 16 + 8 * len(scope_labels[scope - 1]) + 18
    if target_value is not None and target_label:
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 22}" y1="16" y2="16" '
            f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{legend_x + 28}" y="20" font-size="11" fill="{INK}">'
            f"{escape(target_label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(
    items: Sequence[tuple[str, Decimal]],
    *,
    title: str,
    description: str,
    language: str = "en",
    width: int = 720,
    colour: str = UNIT_COLOUR,
    chart_id: str = "bars",
) -> str:
    """Return an SVG of labelled horizontal bars (tonnes), largest first."""
    row_h, left, right, top = 24, 200, 70, 8
    height = top * 2 + row_h * max(len(items), 1)
    peak = max([value for _, value in items] + [Decimal(0)])
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(items):
        y = top + row_h * index
        w = float(value / peak) * plot_w if peak > 0 else 0
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y + 4}" width="{max(w, 0):.1f}" '
            f'height="{row_h - 8}" '
            f'fill="{colour}"><title>{escape(label)}: '
            f"{escape(number(value, 1, language))} t</title></rect>"
        )
        parts.append(
            f'<text x="{left + max(w, 0) + 6:.1f}" y="{y + 16}" font-size="11" '
            f'fill="{INK}">{escape(number(value, 1, language))} t</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
