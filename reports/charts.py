"""Server-rendered SVG charts, shared by the dashboard and the PDF.

Accessible by construction: role="img", a <title> and a <desc>, and every chart
comes with a data table beside it in the page. Okabe-Ito colours, which stay
apart for the common kinds of colour blindness.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from html import escape

from django.utils.translation import gettext as _

from carbonledger.lib.formatting import number

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
    # A recalculated base year is drawn with an outline and a marked label.
    marked: bool = False


# Round steps of an axis (times a power of ten); at most MAX_TICKS steps.
_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
MAX_TICKS = 6


def _svg_open(
    width: int, height: int, chart_id: str, title: str, description: str
) -> list[str]:
    """Return the opening of an accessible chart: role, title and description."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def nice_axis(value: Decimal) -> tuple[Decimal, int]:
    """Return a round axis maximum at or above value, and its number of steps.

    The smallest round step (1, 2, 2.5 or 5 times a power of ten) that needs
    at most MAX_TICKS steps: a 1,066 t peak gets 0-1,200 in steps of 200.
    """
    if value <= 0:
        return Decimal(1), 4
    magnitude = Decimal(10) ** (value.adjusted() - 1)
    while True:
        for step in _STEPS:
            size = step * magnitude
            ticks = int((value / size).to_integral_value(rounding=ROUND_CEILING))
            if ticks <= MAX_TICKS:
                return size * ticks, max(ticks, 1)
        magnitude *= 10


def _nice_max(value: Decimal) -> Decimal:
    """Return a round axis maximum at or above value."""
    return nice_axis(value)[0]


def stacked_scope_bars(
    bars: Sequence[StackedBar],
    *,
    title: str,
    description: str,
    scope_labels: Sequence[str],
    target_value: Decimal | None = None,
    target_label: str = "",
    scope12_label: str = "",
    marked_label: str = "",
    language: str = "en",
    width: int = 720,
    height: int = 320,
    chart_id: str = "scopes",
) -> str:
    """Return an SVG of stacked bars by scope with an optional target line.

    With `scope12_label`, each bar's scopes 1+2 level is marked, so that a
    target for scopes 1 and 2 is read against that level, not the bar's top.
    """
    left, right, top, bottom = 64, 16, 36, 40
    if marked_label or scope12_label:
        bottom += 18
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([sum(b.values, Decimal(0)) for b in bars] + [target_value or Decimal(0)])
    axis_max, ticks = nice_axis(peak)
    parts = _svg_open(width, height, chart_id, title, description)
    step_places = max(0, -(axis_max / ticks).normalize().as_tuple().exponent)
    for i in range(ticks + 1):
        value = axis_max * i / ticks
        y = top + plot_h - plot_h * i / ticks
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{escape(number(value, step_places, language))}</text>'
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
        if bar.marked:
            parts.append(
                f'<rect x="{x - 2:.1f}" y="{y - 2:.1f}" width="{bar_w + 4:.1f}" '
                f'height="{top + plot_h - y + 2:.1f}" fill="none" stroke="{INK}" '
                f'stroke-width="1.5" stroke-dasharray="3 2"/>'
            )
        if scope12_label:
            level = float((bar.values[0] + bar.values[1]) / axis_max) * plot_h
            y12 = top + plot_h - level
            parts.append(
                f'<line x1="{x - 5:.1f}" x2="{x + bar_w + 5:.1f}" y1="{y12:.1f}" '
                f'y2="{y12:.1f}" stroke="{INK}" stroke-width="2.5"/>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'font-size="10" fill="{INK}">{escape(number(total, 0, language))}</text>'
        )
        if bar.href:
            parts.append("</a>")
        label = f"{bar.label}*" if bar.marked else bar.label
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle" font-size="11" fill="{INK}">'
            f"{escape(label)}</text>"
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
    notes_x = left
    if scope12_label:
        parts.append(
            f'<line x1="{notes_x}" x2="{notes_x + 16}" y1="{height - 10}" '
            f'y2="{height - 10}" stroke="{INK}" stroke-width="2.5"/>'
        )
        parts.append(
            f'<text x="{notes_x + 22}" y="{height - 6}" font-size="11" '
            f'fill="{INK}">{escape(scope12_label)}</text>'
        )
        notes_x += 22 + 6 * len(scope12_label) + 24
    if marked_label and any(bar.marked for bar in bars):
        parts.append(
            f'<text x="{notes_x}" y="{height - 6}" font-size="11" '
            f'fill="{INK}">* {escape(marked_label)}</text>'
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
    parts = _svg_open(width, height, chart_id, title, description)
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
    parts = _svg_open(width, height, chart_id, title, description)
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


def _shorten(label: str, limit: int) -> str:
    """Shorten a label to `limit` characters, keeping what follows its last colon."""
    if len(label) <= limit:
        return label
    head, colon, tail = label.rpartition(": ")
    if colon and len(tail) < limit - 8:
        return head[: limit - len(tail) - 3] + "…: " + tail
    return label[: limit - 1] + "…"


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
    row_h, left, right, top = 20, 290, 64, 6
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

    parts = _svg_open(width, height, chart_id, title, description)
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
        short = _shorten(bar.label, 46)
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


# --- The charts of an inventory, for the dashboard and the PDF alike ------------


def inventory_scope_chart(
    inventory,
    *,
    language: str,
    chart_id: str,
    up_to_year: bool = True,
    hrefs: dict[int, str] | None = None,
) -> str:
    """Return the bars by scope since the base year of a `YearInventory`.

    The base year is the recalculated one, its bar marked; a target for scopes
    1 and 2 is drawn with each bar's scopes 1+2 level marked beside it.
    """
    bars = [
        StackedBar(
            label=str(year),
            values=(totals.scope1_t, totals.scope2_t, totals.scope3_t),
            marked=year == inventory.base_year
            and inventory.base_year_adjustment is not None,
            href=(hrefs or {}).get(year, ""),
        )
        for year, totals in sorted(inventory.series.items())
        if year <= inventory.year or not up_to_year
    ]
    target_label = scope12_label = ""
    if inventory.target_t_co2e is not None:
        target_label = _("Target %(year)s (scopes %(scopes)s): %(value)s t") % {
            "year": inventory.target.target_year,
            "scopes": inventory.target.scopes,
            "value": number(inventory.target_t_co2e, 0, language),
        }
        if inventory.target.scopes == "1+2":
            scope12_label = _("Scopes 1+2 (compare with the target)")
    return stacked_scope_bars(
        bars,
        title=_("Emissions by scope since %(year)s") % {"year": inventory.base_year},
        description=_(
            "Stacked bars of tonnes CO2e per year and scope; the dashed line is "
            "the target. The same figures are in the table below."
        ),
        scope_labels=[_("Scope 1"), _("Scope 2"), _("Scope 3")],
        target_value=inventory.target_t_co2e,
        target_label=target_label,
        scope12_label=scope12_label,
        marked_label=_("recalculated base year"),
        language=language,
        chart_id=chart_id,
    )


def inventory_unit_chart(
    inventory, *, language: str, chart_id: str, links: Sequence[str] | None = None
) -> str:
    """Return the year's emissions by business unit, largest first.

    `links`, if given, are those of the units in that order
    (`units_largest_first`).
    """
    return horizontal_bars(
        units_largest_first(inventory),
        links=links,
        title=_("Emissions by business unit"),
        description=_("Tonnes CO2e per business unit; also in the table."),
        language=language,
        chart_id=chart_id,
    )


def units_largest_first(inventory) -> list[tuple[str, Decimal]]:
    """Return the year's (unit code, tonnes), largest first."""
    return sorted(inventory.by_business_unit.items(), key=lambda kv: -kv[1])


def inventory_source_chart(
    inventory, *, language: str, chart_id: str, links: Sequence[str] | None = None
) -> str:
    """Return the year's ten largest sources."""
    return horizontal_bars(
        [(line.name, line.t_co2e) for line in inventory.top_sources],
        title=_("Largest sources"),
        description=_("The ten largest sources in tonnes CO2e."),
        language=language,
        colour=SCOPE_COLOURS[3],
        chart_id=chart_id,
        links=links,
    )


def inventory_split_chart(inventory, *, language: str, chart_id: str) -> str:
    """Return the year's split by scope, scope 2 by the headline method."""
    market = inventory.headline_is_market
    return scope_split(
        [
            (_("Scope 1"), inventory.scope1_t_co2e, SCOPE_COLOURS[1]),
            (
                _("Scope 2 (market-based)")
                if market
                else _("Scope 2 (location-based)"),
                inventory.scope2_market_t_co2e
                if market
                else inventory.scope2_location_t_co2e,
                SCOPE_COLOURS[2],
            ),
            (_("Scope 3"), inventory.scope3_t_co2e, SCOPE_COLOURS[3]),
        ],
        title=_("Emissions by scope %(year)s") % {"year": inventory.year},
        description=_("Share of the year's gross emissions per scope."),
        language=language,
        chart_id=chart_id,
    )


def bridge_chart(bridge, *, language: str, chart_id: str) -> str:
    """Return the waterfall of a `Bridge`; recalculations in their own colour."""
    bars = [WaterfallBar(bridge.start_label, bridge.start_t, level=True)]
    for step in bridge.steps:
        colour = STRUCTURAL_COLOUR if step.kind == "structural" else ""
        bars.append(WaterfallBar(step.label, step.value_t, step.level, colour))
    bars.append(WaterfallBar(bridge.end_label, bridge.end_t, level=True))
    return waterfall(
        bars,
        title=_("From %(start)s to %(end)s")
        % {"start": bridge.start_year, "end": bridge.end_year},
        description=_(
            "Each bar is a change in tonnes CO2e, from the first year's total "
            "to the last's; the table beside it has the same figures."
        ),
        language=language,
        chart_id=chart_id,
    )
