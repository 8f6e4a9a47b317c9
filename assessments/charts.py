"""Accessible SVG charts (maturity by challenge, levels over time) for the web pages and the PDF report.

Pure functions returning safe strings: no database, no request. Presentation attributes only, never `style`,
as the Content Security Policy forbids inline styles; each chart says in its <title> and <desc> what it shows.
"""

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from assessments.scoring import score_text
from playbook.rules import TOP_LEVEL

# Colours: text #212529, grid #ced4da, values #0b5ed7, targets #495057 (written out in the markup below).
LINE_HEIGHT = 15
# A generous average width of a 12px sans-serif character, to reserve room for labels.
CHAR_WIDTH = 7
WRAP_AT = 18
LABEL_GAP = 10
NOT_ENOUGH_ANSWERS = " (not enough answers)"

# Colour and dash pattern together, so that the series can be told apart without colour.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#0b5ed7", "none"),
    ("#c2410c", "8 4"),
    ("#198754", "2 3"),
    ("#6f42c1", "10 3 2 3"),
    ("#b02a37", "4 4"),
    ("#087990", "12 3 3 3 3 3"),
    ("#806000", "1 3"),
    ("#495057", "6 2 1 2"),
)
VALUE_COLOUR = "#0b5ed7"
# A client's accent goes into SVG attributes: only a plain #rrggbb is drawn.
HEX_COLOUR = re.compile(r"#[0-9a-f]{6}")
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 36, 16, 12, 28
POINT_PADDING = 12
LEGEND_COLUMN_WIDTH = 200
LEGEND_ROW_HEIGHT = 20


@dataclass(frozen=True)
class RadarAxis:
    label: str
    value: float | None
    target: int | None = None


@dataclass(frozen=True)
class TrendSeries:
    name: str
    values: tuple[float | None, ...]


def _num(x: float) -> str:
    return f"{x:.1f}"


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in points)


def _polar(cx: float, cy: float, distance: float, angle: float) -> tuple[float, float]:
    return cx + distance * math.cos(angle), cy + distance * math.sin(angle)


def _wrap(text: str) -> list[str]:
    """Split a long label at the space nearest its middle, giving at most two lines."""
    spaces = [i for i, char in enumerate(text) if char == " "]
    if len(text) <= WRAP_AT or not spaces:
        return [text]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return [text[:cut], text[cut + 1 :]]


# The PDF embeds Source Sans 3; web pages fall back to the browser's sans-serif.
FONT_FAMILY = "'Source Sans 3', sans-serif"


def _join(parts: Iterable[SafeString]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - every part comes from format_html


def _text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = 12) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" font-size="{}" font-family="{font}" fill="#212529">{}</text>',
        _num(x),
        _num(y),
        anchor,
        size,
        content,
        font=FONT_FAMILY,
    )


def _svg(width: float, height: float, *, id_prefix: str, title: str, desc: str, body: SafeString) -> SafeString:
    return format_html(
        # The natural size (width, height) lets a phone show the chart at full size in a box that scrolls sideways.
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        ' role="img"'
        ' aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>{body}</svg>',
        width=_num(width),
        height=_num(height),
        id=id_prefix,
        title=title,
        desc=desc,
        body=body,
    )


def _radar_label(x: float, y: float, angle: float, lines: list[str]) -> SafeString:
    """Anchor the label by its side of the circle, and stack its lines away from the ring."""
    cos, sin = math.cos(angle), math.sin(angle)
    anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
    block_top = y - len(lines) * LINE_HEIGHT * (1 - sin) / 2
    tspans = format_html_join(
        "",
        '<tspan x="{}" y="{}">{}</tspan>',
        ((_num(x), _num(block_top + (i + 0.8) * LINE_HEIGHT), line) for i, line in enumerate(lines)),
    )
    return _text(x, block_top + 0.8 * LINE_HEIGHT, tspans, anchor=anchor)


def radar_svg(
    axes: Sequence[RadarAxis],
    *,
    max_level: int = TOP_LEVEL,
    size: int = 360,
    title: str = "Maturity by challenge",
    id_prefix: str = "radar",
    accent: str = VALUE_COLOUR,
) -> SafeString:
    """Draw one spoke per axis; `size` is the outer ring's diameter, and the viewBox adds room for labels. The
    values are drawn in `accent`."""
    if not HEX_COLOUR.fullmatch(accent):
        raise ValueError(f"The accent must be a colour like #0b5ed7, not {accent!r}.")
    if not 3 <= len(axes) <= 10:
        raise ValueError(f"A radar chart needs 3 to 10 axes, not {len(axes)}.")
    labels = [_wrap(axis.label + (NOT_ENOUGH_ANSWERS if axis.value is None else "")) for axis in axes]
    radius = size / 2
    margin_x = LABEL_GAP + CHAR_WIDTH * max(len(line) for lines in labels for line in lines)
    margin_y = LABEL_GAP + 2 * LINE_HEIGHT
    cx, cy = radius + margin_x, radius + margin_y
    angles = [-math.pi / 2 + 2 * math.pi * i / len(axes) for i in range(len(axes))]

    def polygon_at(levels: Sequence[float]) -> str:
        return _points(
            [
                _polar(cx, cy, radius * min(max(level, 0), max_level) / max_level, a)
                for level, a in zip(levels, angles, strict=True)
            ]
        )

    rings = format_html_join(
        "",
        '<polygon points="{}" fill="none" stroke="#ced4da" stroke-width="1"/>',
        ((polygon_at([level] * len(axes)),) for level in range(1, max_level + 1)),
    )
    spokes = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ced4da" stroke-width="1"/>',
        ((_num(cx), _num(cy), *map(_num, _polar(cx, cy, radius, a))) for a in angles),
    )
    level_numbers = _join(
        _text(cx + 3, cy - radius * level / max_level - 2, str(level), anchor="start", size=9)
        for level in range(max_level + 1)
    )
    axis_labels = _join(
        _radar_label(*_polar(cx, cy, radius + LABEL_GAP, a), a, lines) for a, lines in zip(angles, labels, strict=True)
    )
    values = format_html(
        '<polygon class="radar-values" points="{}" fill="{accent}" fill-opacity="0.25" stroke="{accent}"'
        ' stroke-width="2"/>',
        polygon_at([axis.value or 0 for axis in axes]),
        accent=accent,
    )
    targets = ""
    if any(axis.target is not None for axis in axes):
        targets = format_html(
            '<polygon class="radar-targets" points="{}" fill="none" stroke="#495057" stroke-width="1.5"'
            ' stroke-dasharray="6 4"/>',
            polygon_at([axis.target or 0 for axis in axes]),
        )
    body = format_html(
        '<g class="radar-grid">{}{}{}</g><g class="radar-labels">{}</g>{}{}',
        rings,
        spokes,
        level_numbers,
        axis_labels,
        values,
        targets,
    )
    desc = f"Levels on a scale of 0 to {max_level}. " + "; ".join(_describe_axis(axis, max_level) for axis in axes)
    return _svg(2 * cx, 2 * cy, id_prefix=id_prefix, title=title, desc=desc, body=body)


def _describe_axis(axis: RadarAxis, max_level: int) -> str:
    value = "not enough answers" if axis.value is None else f"{score_text(axis.value)} of {max_level}"
    target = "" if axis.target is None else f", target {axis.target}"
    return f"{axis.label}: {value}{target}"


def _describe_series(series: TrendSeries, labels: Sequence[str]) -> str:
    known = [(label, value) for label, value in zip(labels, series.values, strict=True) if value is not None]
    if not known:
        return f"{series.name}: no levels."
    (first_label, first), (last_label, last) = known[0], known[-1]
    if len(known) == 1:
        return f"{series.name}: {score_text(first)} ({first_label})."
    return f"{series.name}: from {score_text(first)} ({first_label}) to {score_text(last)} ({last_label})."


def _series(
    series: TrendSeries,
    colour: str,
    dash: str,
    xs: Sequence[float],
    labels: Sequence[str],
    y_at: Callable[[float], float],
) -> SafeString:
    """One polyline per unbroken run of values (a None leaves a gap) and a marker on every value."""
    runs = [
        list(run)
        for is_gap, run in itertools.groupby(zip(xs, series.values, strict=True), key=lambda point: point[1] is None)
        if not is_gap
    ]
    polylines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{}"/>',
        ((_points([(x, y_at(value)) for x, value in run]), colour, dash) for run in runs if len(run) > 1),
    )
    markers = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{}, {}: {}</title></circle>',
        (
            (_num(x), _num(y_at(value)), colour, series.name, label, score_text(value))
            for x, label, value in zip(xs, labels, series.values, strict=True)
            if value is not None
        ),
    )
    return format_html('<g class="trend-series">{}{}</g>', polylines, markers)


def _legend_item(name: str, colour: str, dash: str, x: float, y: float) -> SafeString:
    max_chars = int((LEGEND_COLUMN_WIDTH - 40) / CHAR_WIDTH)
    shown = name if len(name) <= max_chars else name[: max_chars - 1] + "\u2026"
    return format_html(
        '<line x1="{x}" y1="{y}" x2="{x_end}" y2="{y}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
        '<circle cx="{x_mid}" cy="{y}" r="3.5" fill="{colour}"/>{text}',
        x=_num(x),
        x_mid=_num(x + 12),
        x_end=_num(x + 24),
        y=_num(y),
        colour=colour,
        dash=dash,
        text=_text(x + 30, y + 4, shown, anchor="start"),
    )


def trend_svg(
    series: Sequence[TrendSeries],
    labels: Sequence[str],
    *,
    max_level: int = TOP_LEVEL,
    width: int = 640,
    height: int = 260,
    title: str = "Levels over time",
    id_prefix: str = "trend",
) -> SafeString:
    """Draw one line per series over the x labels; the legend goes below `height`, in rows of as many as fit."""
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"{one.name!r} has {len(one.values)} values for {len(labels)} labels.")
    left, right, top, bottom = PLOT_LEFT, width - PLOT_RIGHT, PLOT_TOP, height - PLOT_BOTTOM
    longest = max((len(label) for label in labels), default=0)
    padding = max(POINT_PADDING, CHAR_WIDTH * longest / 2)  # keeps the outer x labels inside the viewBox
    if len(labels) < 2:
        xs = [(left + right) / 2] * len(labels)
    else:
        step = (right - left - 2 * padding) / (len(labels) - 1)
        xs = [left + padding + i * step for i in range(len(labels))]

    def y_at(level: float) -> float:
        return bottom - (bottom - top) * min(max(level, 0), max_level) / max_level

    gridlines = format_html_join(
        "",
        '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#ced4da" stroke-width="1"/>',
        ((left, _num(y_at(level)), right) for level in range(max_level + 1)),
    )
    y_labels = _join(_text(left - 6, y_at(level) + 4, str(level), anchor="end") for level in range(max_level + 1))
    # Show every n-th x label when they would otherwise overlap.
    every = 1 if len(xs) < 2 else max(1, math.ceil(CHAR_WIDTH * longest / (xs[1] - xs[0] - 4)))
    x_labels = _join(
        _text(x, bottom + 18, label) for i, (x, label) in enumerate(zip(xs, labels, strict=True)) if i % every == 0
    )
    lines = _join(_series(one, *PALETTE[i % len(PALETTE)], xs, labels, y_at) for i, one in enumerate(series))
    columns = max(1, (width - left) // LEGEND_COLUMN_WIDTH)
    legend = _join(
        _legend_item(
            one.name,
            *PALETTE[i % len(PALETTE)],
            left + (i % columns) * LEGEND_COLUMN_WIDTH,
            height + (i // columns) * LEGEND_ROW_HEIGHT + 10,
        )
        for i, one in enumerate(series)
    )
    body = format_html(
        '<g class="trend-grid">{}{}{}</g>{}<g class="trend-legend">{}</g>', gridlines, y_labels, x_labels, lines, legend
    )
    desc = f"Levels on a scale of 0 to {max_level}. " + (
        " ".join(_describe_series(one, labels) for one in series) if series else "No series to show."
    )
    legend_height = math.ceil(len(series) / columns) * LEGEND_ROW_HEIGHT + (4 if series else 0)
    return _svg(width, height + legend_height, id_prefix=id_prefix, title=title, desc=desc, body=body)


@dataclass(frozen=True)
class BarCategory:
    """One kind of segment of a stacked bar: its legend label and colours (text on the fill is 4.5:1 or more)."""

    label: str
    fill: str
    text_colour: str = "#212529"


@dataclass(frozen=True)
class StackedBar:
    label: str
    counts: tuple[int, ...]  # one per category


BAR_HEIGHT = 22
BAR_ROW_HEIGHT = 2 * LINE_HEIGHT + 10
SWATCH = 12


def stacked_bars_svg(
    bars: Sequence[StackedBar],
    categories: Sequence[BarCategory],
    *,
    width: int = 640,
    title: str = "Teams by level",
    id_prefix: str = "bars",
) -> SafeString:
    """One full-width bar per row, split in proportion to its counts; a segment wide enough carries its count.
    The legend goes below, in rows of as many as fit."""
    for bar in bars:
        if len(bar.counts) != len(categories):
            raise ValueError(f"{bar.label!r} has {len(bar.counts)} counts for {len(categories)} categories.")
    labels = [_wrap(bar.label) for bar in bars]
    label_width = min(220, LABEL_GAP + CHAR_WIDTH * max((len(line) for lines in labels for line in lines), default=0))
    left, right = label_width, width - PLOT_RIGHT

    def segments(bar: StackedBar, y: float) -> SafeString:
        total, x, parts = sum(bar.counts), float(left), []
        for count, category in zip(bar.counts, categories, strict=True):
            if not count:
                continue
            span = (right - left) * count / total
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#fff" stroke-width="1"/>',
                    _num(x),
                    _num(y),
                    _num(span),
                    BAR_HEIGHT,
                    category.fill,
                )
            )
            if span >= CHAR_WIDTH * len(str(count)) + 6:
                parts.append(_coloured_text(x + span / 2, y + BAR_HEIGHT / 2 + 4, str(count), category.text_colour))
            x += span
        return _join(parts)

    rows = []
    for i, (bar, lines) in enumerate(zip(bars, labels, strict=True)):
        top = PLOT_TOP + i * BAR_ROW_HEIGHT
        bar_y = top + (BAR_ROW_HEIGHT - BAR_HEIGHT) / 2
        first_line = bar_y + BAR_HEIGHT / 2 + 4 - (len(lines) - 1) * LINE_HEIGHT / 2
        label = _join(_text(left - 6, first_line + j * LINE_HEIGHT, line, anchor="end") for j, line in enumerate(lines))
        rows.append(format_html("{}{}", label, segments(bar, bar_y) if sum(bar.counts) else ""))
    plot_bottom = PLOT_TOP + len(bars) * BAR_ROW_HEIGHT
    column_width = max(CHAR_WIDTH * max((len(c.label) for c in categories), default=0) + SWATCH + 16, 90)
    columns = max(1, (width - 2 * PLOT_RIGHT) // column_width)
    legend = _join(
        format_html(
            '<rect x="{}" y="{}" width="{size}" height="{size}" fill="{}" stroke="#495057" stroke-width="0.5"/>{}',
            _num(PLOT_RIGHT + (i % columns) * column_width),
            _num(plot_bottom + 10 + (i // columns) * LEGEND_ROW_HEIGHT),
            category.fill,
            _text(
                PLOT_RIGHT + (i % columns) * column_width + SWATCH + 6,
                plot_bottom + 10 + (i // columns) * LEGEND_ROW_HEIGHT + SWATCH - 1,
                category.label,
                anchor="start",
            ),
            size=SWATCH,
        )
        for i, category in enumerate(categories)
    )
    legend_height = math.ceil(len(categories) / columns) * LEGEND_ROW_HEIGHT + 10
    body = format_html('<g class="bars">{}</g><g class="bars-legend">{}</g>', _join(rows), legend)
    desc = " ".join(
        f"{bar.label}: "
        + (", ".join(f"{c.label} {n}" for c, n in zip(categories, bar.counts, strict=True) if n) or "none")
        + "."
        for bar in bars
    )
    return _svg(
        width, plot_bottom + legend_height, id_prefix=id_prefix, title=title, desc=desc or "No rows.", body=body
    )


def _coloured_text(x: float, y: float, content: str, colour: str) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" font-weight="700" font-family="{}" fill="{}">'
        "{}</text>",
        _num(x),
        _num(y),
        FONT_FAMILY,
        colour,
        content,
    )
