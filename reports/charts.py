"""Chart geometry for the province report, drawn as inline SVG by the templates (no script, no library).

Only numbers and labels are computed here; the templates write the SVG elements, so every label
passes through Jinja's autoescaping like any other text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ocop.channels import declaration
from reconcile.classify import State
from reconcile.coverage import Coverage, Share
from reconcile.history import ALL_CHANNELS, HistoryPoint
from reports.i18n import Language
from reports.tables import DENOMINATOR_STATES

WIDTH = 720
ALL_CHANNELS_COLOUR = "#2e7d32"     # each channel's own colour is declared with it (ocop/channels.py)
STATE_COLOURS = {
    State.LIVE: "#2e7d32", State.DRIFT: "#8bc34a", State.DUPLICATE: "#cddc39", State.UNDER_REVIEW: "#fbc02d",
    State.INACTIVE: "#8e24aa", State.REJECTED: "#d32f2f", State.BLOCKED: "#ef6c00", State.MISSING: "#9e9e9e",
    State.UNVERIFIED: "#455a64",
}


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    label: str
    value: str
    colour: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    span: int                  # width of a 100% bar
    bar_height: int
    bars: tuple[Bar, ...]
    target_x: float | None
    target_label: str


def coverage_bars(coverage: Coverage, lang: Language) -> BarChart:
    left, span, bar_height, pitch = 170, 430, 26, 40
    rows = [(lang.channel(c.channel), c.share, declaration(c.channel).colour) for c in coverage.channels]
    rows.append((lang("all_channels"), coverage.all_channels, ALL_CHANNELS_COLOUR))
    bars = tuple(
        Bar(y=12 + index * pitch, width=span * _fraction(share), label=label,
            value=lang.percent(share.live, share.listable), colour=colour)
        for index, (label, share, colour) in enumerate(rows)
    )
    target = coverage.target_pct
    return BarChart(WIDTH, 24 + len(rows) * pitch, left, span, bar_height, bars,
                    None if target is None else left + span * target / 100,
                    "" if target is None else f"{lang('target')} {lang.percent_value(target)}")


def _fraction(share: Share) -> float:
    return 0.0 if share.listable == 0 else share.live / share.listable


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    title: str


@dataclass(frozen=True)
class StackRow:
    y: float
    label: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class StackedChart:
    width: int
    height: int
    left: int
    span: int
    bar_height: int
    rows: tuple[StackRow, ...]
    legend: tuple[tuple[str, str], ...]      # (colour, label)


def status_stacks(coverage: Coverage, lang: Language) -> StackedChart:
    """Per channel, the listable product-shop pairs split by state."""
    left, span, bar_height, pitch = 170, 520, 26, 40
    rows, seen = [], []
    for index, channel in enumerate(coverage.channels):
        counts = coverage.state_counts.get(channel.channel, {})
        total = sum(counts.get(s.value, 0) for s in DENOMINATOR_STATES)
        x, segments = float(left), []
        for state in DENOMINATOR_STATES:
            count = counts.get(state.value, 0)
            if count == 0 or total == 0:
                continue
            width = span * count / total
            label = lang(f"state_{state.value}")
            segments.append(Segment(x, width, STATE_COLOURS[state], f"{label}: {lang.number(count)}"))
            x += width
            if state not in seen:
                seen.append(state)
        rows.append(StackRow(12 + index * pitch, lang.channel(channel.channel), tuple(segments)))
    legend = tuple((STATE_COLOURS[s], lang(f"state_{s.value}")) for s in DENOMINATOR_STATES if s in seen)
    return StackedChart(WIDTH, 24 + len(rows) * pitch, left, span, bar_height, tuple(rows), legend)


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    points: str                               # SVG polyline points
    dots: tuple[tuple[float, float, str], ...]  # x, y, tooltip


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    series: tuple[Series, ...]
    x_labels: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    target_y: float | None


def trend_lines(history: Sequence[HistoryPoint], target_pct: float | None, lang: Language) -> LineChart:
    left, top, plot_width, plot_height = 60, 16, 600, 200
    runs = list(dict.fromkeys(point.run_id for point in history))
    step = plot_width / max(1, len(runs) - 1)
    x_of = {run: left + (index * step if len(runs) > 1 else plot_width / 2) for index, run in enumerate(runs)}

    def y_of(pct: float) -> float:
        return top + plot_height * (1 - pct / 100)

    channels = list(dict.fromkeys(p.channel for p in history if p.channel != ALL_CHANNELS)) + [ALL_CHANNELS]
    series = []
    for channel in channels:
        points = [p for p in history if p.channel == channel and p.pct is not None]
        if not points:
            continue
        coords = [(x_of[p.run_id], y_of(p.pct)) for p in points]
        label, colour = ((lang("all_channels"), ALL_CHANNELS_COLOUR) if channel == ALL_CHANNELS
                         else (lang.channel(channel), declaration(channel).colour))
        dots = tuple((x, y, f"{label} {lang.date(p.as_of)}: {lang.percent(p.live, p.listable)}")
                     for (x, y), p in zip(coords, points))
        series.append(Series(label, colour, " ".join(f"{x:.1f},{y:.1f}" for x, y in coords), dots))
    first_point = {p.run_id: p for p in reversed(history)}
    every = max(1, len(runs) // 8)   # at most about eight date labels under the axis
    x_labels = tuple((x_of[run], lang.date(first_point[run].as_of)) for run in runs[::every])
    y_ticks = tuple((y_of(pct), f"{pct}%") for pct in (0, 25, 50, 75, 100))
    target_y = None if target_pct is None else y_of(target_pct)
    return LineChart(WIDTH, top + plot_height + 40, left, top, plot_width, plot_height, tuple(series), x_labels,
                     y_ticks, target_y)
