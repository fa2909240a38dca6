"""Charts as inline SVG, drawn here so that the report needs no script library and no network.

Every text that reaches the SVG goes through ``escape`` (labels are owner names and tag values);
colours come from CSS classes in the page, so the SVG carries no style attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 560
LABEL_WIDTH = 172
VALUE_WIDTH = 100
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_CHARS = 21


@dataclass(frozen=True)
class Segment:
    value: float
    css_class: str
    name: str


@dataclass(frozen=True)
class Bar:
    label: str
    segments: Sequence[Segment]
    value_text: str


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    values: Sequence[float | None]


def bar_chart(title: str, bars: Sequence[Bar], legend: Sequence[tuple[str, str]] = ()) -> Markup:
    """Horizontal bars, longest first as given, each segment stacked; ``legend`` is (css class, name) pairs."""
    top = 26 if legend else 6
    height = top + ROW_HEIGHT * len(bars) + 6
    scale_max = max((sum(max(s.value, 0.0) for s in bar.segments) for bar in bars), default=0.0) or 1.0
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [_open_svg(title, height), _legend(legend, LABEL_WIDTH, 14)]
    for index, bar in enumerate(bars):
        y = top + index * ROW_HEIGHT
        parts.append(_bar_row(bar, y, track, scale_max))
    parts.append("</svg>")
    return Markup("".join(parts))


def _bar_row(bar: Bar, y: int, track: int, scale_max: float) -> str:
    label = bar.label if len(bar.label) <= LABEL_CHARS else bar.label[: LABEL_CHARS - 1] + "…"
    middle = y + ROW_HEIGHT / 2
    parts = [
        f'<g class="bar-row"><title>{escape(bar.label)}: {escape(bar.value_text)}</title>',
        f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" '
        f'dominant-baseline="middle">{escape(label)}</text>',
    ]
    x = float(LABEL_WIDTH)
    for segment in bar.segments:
        width = track * max(segment.value, 0.0) / scale_max
        if width > 0:
            parts.append(
                f'<rect class="{escape(segment.css_class)}" x="{x:.1f}" y="{middle - BAR_HEIGHT / 2:.1f}" '
                f'width="{max(width, 1.0):.1f}" height="{BAR_HEIGHT}" rx="2"></rect>'
            )
            x += width
    parts.append(
        f'<text class="chart-value" x="{x + 6:.1f}" y="{middle:.1f}" dominant-baseline="middle">'
        f"{escape(bar.value_text)}</text></g>"
    )
    return "".join(parts)


def line_chart(
    title: str,
    periods: Sequence[str],
    series: Sequence[Series],
    *,
    closed: Sequence[bool],
    label: Callable[[float], str],
) -> Markup:
    """Lines over periods on a 0-100 scale cut to the range the values use; closed periods get filled points."""
    height, left, right, top, bottom = 260, 48, 24, 34, 30
    values = [v for s in series for v in s.values if v is not None]
    low = max(0.0, ((min(values, default=0.0) - 5) // 10) * 10)  # room below the lowest point for its label
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def x_of(index: int) -> float:
        return left + (plot_w * (index + 0.5) / max(len(periods), 1))

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - low) / ((100.0 - low) or 1.0))

    parts = [_open_svg(title, height), _legend([(s.css_class, s.name) for s in series], left, 14)]
    parts += _y_grid(low, left, WIDTH - right, y_of)
    for index, period in enumerate(periods):
        parts.append(
            f'<text class="chart-axis" x="{x_of(index):.1f}" y="{height - 10}" text-anchor="middle">'
            f"{escape(period)}{'' if closed[index] else ' (open)'}</text>"
        )
    for index, line in enumerate(series):
        parts.append(_polyline(line, x_of, y_of, closed, label, _labels_below(series, index)))
    parts.append("</svg>")
    return Markup("".join(parts))


def _labels_below(series: Sequence[Series], index: int) -> list[bool]:
    """Per point: its label goes below when another line is above it there, so that two close
    values label away from each other instead of into each other."""
    own = series[index].values
    below = []
    for position, value in enumerate(own):
        others = [s.values[position] for i, s in enumerate(series) if i != index and position < len(s.values)]
        higher = [other for other in others if other is not None and value is not None and other > value]
        tie_loser = any(other == value for other in others) and index > 0
        below.append(bool(higher) or tie_loser)
    return below


def _y_grid(low: float, left: int, right: int, y_of: Callable[[float], float]) -> list[str]:
    parts = []
    step = 10.0 if 100 - low > 30 else 5.0
    tick = low
    while tick <= 100.0:
        y = y_of(tick)
        parts.append(f'<line class="chart-grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"></line>')
        parts.append(
            f'<text class="chart-axis" x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle">'
            f"{tick:.0f}</text>"
        )
        tick += step
    return parts


def _polyline(
    line: Series,
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
    closed: Sequence[bool],
    label: Callable[[float], str],
    below: Sequence[bool],
) -> str:
    points = [(x_of(i), y_of(v), v, i) for i, v in enumerate(line.values) if v is not None]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
    parts = [f'<g class="{escape(line.css_class)}"><polyline class="line" points="{path}"></polyline>']
    for x, y, value, index in points:
        fill = "point" if closed[index] else "point open"
        text, text_y = escape(label(value)), y + 18 if below[index] else y - 9
        parts.append(
            f'<circle class="{fill}" cx="{x:.1f}" cy="{y:.1f}" r="4">'
            f"<title>{escape(line.name)}: {text}</title></circle>"
            f'<text class="chart-value" x="{x:.1f}" y="{text_y:.1f}" text-anchor="middle">{text}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _legend(entries: Sequence[tuple[str, str]], x: int, y: int) -> str:
    parts = []
    for css_class, name in entries:
        parts.append(
            f'<rect class="{escape(css_class)} swatch" x="{x}" y="{y - 9}" width="12" height="12" rx="2"></rect>'
            f'<text class="chart-legend" x="{x + 17}" y="{y}">{escape(name)}</text>'
        )
        x += 28 + 8 * len(name)
    return "".join(parts)


def _open_svg(title: str, height: int) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
