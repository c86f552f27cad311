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
    href: str = ""  # the entries behind the bar


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
        if bar.href:
            parts.append(f'<a href="{escape(bar.href)}">')
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
        if bar.href:
            parts.append("</a>")
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
    links: Sequence[str] | None = None,
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
        href = links[index] if links else ""
        if href:
            parts.append(f'<a href="{escape(href)}">')
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
        if href:
            parts.append("</a>")
    parts.append("</svg>")
    return "".join(parts)


def scope_split(
    items: Sequence[tuple[str, Decimal, str]],
    *,
    title: str,
    description: str,
    language: str = "en",
    width: int = 340,
    height: int = 190,
    chart_id: str = "split",
) -> str:
    """Return an SVG bar of 100 % split into parts (label, tonnes, colour).

    A single horizontal bar reads more exactly than a pie; each part carries
    its tonnes and share in the legend beside it.
    """
    total = sum((value for _, value, _ in items), Decimal(0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    bar_y, bar_h, x = 8, 34, 0.0
    for label, value, colour in items:
        if total <= 0 or value <= 0:
            continue
        w = float(value / total) * width
        parts.append(
            f'<rect x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{colour}"><title>{escape(label)}: '
            f"{escape(number(value, 1, language))} t</title></rect>"
        )
        x += w
    y = bar_y + bar_h + 26
    for label, value, colour in items:
        share = value / total * 100 if total > 0 else Decimal(0)
        parts.append(
            f'<rect x="0" y="{y - 11}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="18" y="{y}" font-size="12" fill="{INK}">{escape(label)}</text>'
        )
        parts.append(
            f'<text x="{width}" y="{y}" font-size="12" text-anchor="end" '
            f'fill="{INK}"><tspan font-weight="700">'
            f"{escape(number(share, 0, language))}\u00a0%</tspan> · "
            f"{escape(number(value, 1, language))} t</text>"
        )
        y += 24
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class WaterfallBar:
    label: str
    value: Decimal  # a change, or a level where `level` is set
    level: bool = False
    colour: str = ""


UP_COLOUR = "#D55E00"  # more emissions
DOWN_COLOUR = "#009E73"  # fewer emissions
LEVEL_COLOUR = "#5b6475"
STRUCTURAL_COLOUR = "#CC79A7"


def waterfall(
    bars: Sequence[WaterfallBar],
    *,
    title: str,
    description: str,
    language: str = "en",
    width: int = 720,
    chart_id: str = "bridge",
) -> str:
    """Return an SVG bridge: levels as full bars, changes floating from the last.

    Rows run down the page, so long source names stay readable; increases and
    decreases have their own colour and a signed figure.
    """
    row_h, left, right, top = 20, 260, 64, 6
    height = top * 2 + row_h * max(len(bars), 1)
    running = Decimal(0)
    spans: list[tuple[Decimal, Decimal]] = []
    for bar in bars:
        if bar.level:
            spans.append((Decimal(0), bar.value))
            running = bar.value
        else:
            spans.append((running, running + bar.value))
            running += bar.value
    ends = [value for span in spans for value in span if value != 0] or [Decimal(0)]
    high = max(max(ends), Decimal(1))
    low = min(min(ends), Decimal(0))
    if low >= 0:
        # Levels start at a broken axis below the smallest one, so that the
        # changes between them are wide enough to read; the figures say the rest.
        floor = min(ends)
        low = max(Decimal(0), floor - (high - floor) * Decimal("0.35"))
    plot_w = width - left - right
    scale = plot_w / float(high - low) if high > low else 0.0

    def x_of(value: Decimal) -> float:
        return left + float(value - low) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    if low < 0:
        parts.append(
            f'<line x1="{x_of(Decimal(0)):.1f}" x2="{x_of(Decimal(0)):.1f}" '
            f'y1="{top}" y2="{height - top}" stroke="{GRID}" stroke-width="1"/>'
        )
    for index, (bar, (a, b)) in enumerate(zip(bars, spans, strict=True)):
        y = top + row_h * index
        x0, x1 = sorted((max(x_of(a), left), max(x_of(b), left)))
        if bar.level:
            colour, figure = bar.colour or LEVEL_COLOUR, number(bar.value, 1, language)
        else:
            colour = bar.colour or (UP_COLOUR if bar.value > 0 else DOWN_COLOUR)
            figure = ("+" if bar.value > 0 else "") + number(bar.value, 1, language)
        short = bar.label if len(bar.label) <= 40 else bar.label[:39] + "…"
        weight = ' font-weight="700"' if bar.level else ""
        parts.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" font-size="10"'
            f'{weight} fill="{INK}">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 0.8):.1f}" '
            f'height="{row_h - 6}" fill="{colour}"><title>{escape(bar.label)}: '
            f"{escape(figure)} t</title></rect>"
        )
        if index + 1 < len(bars):  # the connector to the next bar
            parts.append(
                f'<line x1="{x_of(b):.1f}" x2="{x_of(b):.1f}" y1="{y + row_h - 3}" '
                f'y2="{y + row_h + 3}" stroke="{INK}" stroke-width="0.6"/>'
            )
        parts.append(
            f'<text x="{max(x0, x1) + 5:.1f}" y="{y + 14}" font-size="10.5"{weight} '
            f'fill="{INK}">{escape(figure)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
