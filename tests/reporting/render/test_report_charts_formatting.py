"""Money and percentages as a person reads them, and SVG charts that escape their labels."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tagwarden.engine.reporting.render import charts
from tagwarden.engine.reporting.render.formatting import money, number, percent, words


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (1234567.891, "USD", "$1,234,567.89"),
        (0.125, "EUR", "€0.12"),  # half-even, as the report dict rounds
        (Decimal("-12.5"), "GBP", "\u2212£12.50"),
        (1000, "CHF", "1,000.00 CHF"),
        (5, None, "5.00"),
        (None, "USD", "n/a"),
    ],
)
def test_money(amount: object, currency: str | None, expected: str) -> None:
    assert money(amount, currency) == expected


def test_numbers_and_percentages() -> None:
    assert number(5120) == "5,120"
    assert percent(92) == "92.0\u2009%"
    assert percent(None) == "n/a"
    assert words("not_scanned") == "not scanned"


def test_bar_chart_escapes_labels_and_scales_to_the_longest_bar() -> None:
    bars = [
        charts.Bar("<b>x</b>", [charts.Segment(100.0, "seg-direct", "direct")], "$100.00"),
        charts.Bar("half", [charts.Segment(50.0, "seg-direct", "direct")], "$50.00"),
    ]
    svg = str(charts.bar_chart('Chart "a"', bars))
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    assert 'aria-label="Chart &#34;a&#34;"' in svg
    widths = [float(w) for w in __import__("re").findall(r'<rect class="seg-direct" [^>]*width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(2 * widths[1])


def test_line_chart_draws_one_point_per_known_value() -> None:
    series = [charts.Series("score", "series-score", [80.0, None, 90.0])]
    svg = str(charts.line_chart("Trend", ["a", "b", "c"], series, closed=[True, True, False], label=str))
    assert svg.count("<circle") == 2
    assert 'class="point open"' in svg and "c (open)" in svg


def test_line_chart_labels_two_close_lines_away_from_each_other() -> None:
    import re

    series = [charts.Series("score", "s1", [40.0, 50.0]), charts.Series("weighted", "s2", [30.2, 55.0])]
    svg = str(charts.line_chart("Trend", ["a", "b"], series, closed=[True, False], label=lambda v: f"{v:.1f}"))
    points = {text: (float(cy), float(y)) for cy, y, text in re.findall(
        r'cy="([\d.]+)" r="4"><title>[^<]*</title></circle><text class="chart-value" x="[\d.]+" y="([\d.]+)"[^>]*>'
        r"([\d.]+)</text>", svg)}  # fmt: skip
    for upper, lower in (("40.0", "30.2"), ("55.0", "50.0")):
        assert points[upper][1] < points[upper][0], f"{upper} is the higher point: its label goes above it"
        assert points[lower][1] > points[lower][0], f"{lower} is the lower point: its label goes below it"
