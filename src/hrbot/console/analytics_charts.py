"""Chart geometry for the analytics page, drawn as inline SVG by the template (no chart library,
nothing from a CDN, no inline styles — the page's Content-Security-Policy allows none). Only
numbers and labels are computed here; the template writes them as SVG attributes and text, so
every label is escaped like any other page text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

WIDTH = 640
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28
BAR_HEIGHT = 22
BAR_LABEL_WIDTH = 200
MAX_LABEL_CHARS = 14


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str  # the day and the value, shown as the dot's tooltip


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class DayChart:
    """A value per day: a line (rates, medians) or columns (counts)."""

    kind: str  # "line" or "columns"
    width: int
    height: int
    path: str
    dots: tuple[Dot, ...]
    columns: tuple[Column, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    empty: bool
    baseline: float = HEIGHT - BOTTOM
    left: float = LEFT
    right: float = WIDTH - RIGHT


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    label: str  # shortened to fit; `title` is the whole of it
    value: str
    title: str


@dataclass(frozen=True)
class BarChart:
    """Labelled horizontal bars (intents, reasons, messages)."""

    width: int
    height: int
    label_width: int
    bars: tuple[Bar, ...]
    bar_height: int = BAR_HEIGHT - 6


def _scale_top(values: Sequence[float], fixed: float | None) -> float:
    """The top of the value axis: `fixed`, else the smallest 1, 2 or 5 times a power of ten
    that holds the largest value."""
    if fixed is not None:
        return fixed
    top = max(values, default=0.0)
    if top <= 0:
        return 1.0
    magnitude = 1.0
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= top:
                return step * magnitude
        magnitude *= 10


def day_chart(points: Sequence[tuple[date, float | None]], *, kind: str, fixed_top: float | None = None,
              label: Callable[[float], str] = lambda value: f"{value:g}") -> DayChart:
    """The chart of one value per day (None: no data that day, a gap in the line)."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    values = [value for _, value in points if value is not None]
    top = _scale_top(values, fixed_top)
    count = max(len(points), 1)
    step = plot_width / count

    def y_of(value: float) -> float:
        return round(TOP + plot_height * (1 - min(value, top) / top), 1)

    dots: list[Dot] = []
    columns: list[Column] = []
    segments: list[str] = []
    drawing = False
    for index, (day, value) in enumerate(points):
        x = round(LEFT + step * index + step / 2, 1)
        if value is None:
            drawing = False
            continue
        text = f"{day.isoformat()}:{label(value)}"
        if kind == "columns":
            y = y_of(value)
            columns.append(Column(round(x - step * 0.35, 1), y, round(step * 0.7, 1),
                                  round(HEIGHT - BOTTOM - y, 1), text))
        else:
            segments.append(f"{'L' if drawing else 'M'}{x},{y_of(value)}")
            dots.append(Dot(x, y_of(value), text))
            drawing = True
    y_ticks = tuple(Tick(y_of(top * share), label(top * share)) for share in (0, 0.5, 1))
    every = max(1, round(count / 7))
    x_ticks = tuple(Tick(round(LEFT + step * index + step / 2, 1), day.strftime("%m-%d"))
                    for index, (day, _) in enumerate(points) if index % every == 0)
    return DayChart(kind, WIDTH, HEIGHT, " ".join(segments), tuple(dots), tuple(columns), y_ticks, x_ticks,
                    empty=not values)


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL_CHARS else name[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(items: Sequence[tuple[str, float]], *, label: Callable[[float], str] = lambda v: f"{v:g}"
              ) -> BarChart:
    """One bar per (label, value), longest first as given."""
    top = max((value for _, value in items), default=0.0) or 1.0
    room = WIDTH - BAR_LABEL_WIDTH - 60
    bars = tuple(Bar(index * BAR_HEIGHT + 3, round(room * value / top, 1), _short(name), label(value), name)
                 for index, (name, value) in enumerate(items))
    return BarChart(WIDTH, max(1, len(items)) * BAR_HEIGHT + 6, BAR_LABEL_WIDTH, bars)
