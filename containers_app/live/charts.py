"""Small server-drawn SVG charts: scales, axes and lines, no library (pure).

A chart's plot is PLOT_WIDTH units wide (stretched to the card's width) and
PLOT_HEIGHT pixels high; y runs down from the scale's top. Time runs from
the first reading at the left edge; the window widens a minute at a time up
to WINDOW seconds, then scrolls.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

PLOT_WIDTH = 300  # viewBox units across the plot
PLOT_HEIGHT = 80  # pixels
TOP_ROOM = 14  # pixels above the plot, for the limit's label
BOTTOM_ROOM = 16  # pixels below it, for the time axis
HEIGHT = TOP_ROOM + PLOT_HEIGHT + BOTTOM_ROOM
WINDOW = 300  # seconds: what the hub keeps
GAP = 5.0  # seconds without a reading that break a line (a restart, an outage)
LABEL_ROOM = 12  # pixels: a tick closer than this to the top gives way to the top's label
DECIMAL_STEPS = (1, 2, 2.5, 5)
HEADROOM = 1.25  # an open scale reaches a quarter above the highest value shown


@dataclass(frozen=True)
class Tick:
    at: float  # pixels down from the plot's top (y) or percent from its left (x)
    label: str

    @property
    def position(self) -> str:
        """`at` for an SVG attribute (a template would print a float as the locale does)."""
        return f"{self.at:.1f}"


@dataclass(frozen=True)
class Scale:
    """0 to `top`, with gridlines at `values`; `limit` labels the top when it is a limit
    (`host`: what the host has, the container having no limit of its own)."""

    top: float
    values: tuple[float, ...]
    label: Callable[[float], str]
    limit: str = ""
    host: bool = False

    def y(self, value: float) -> float:
        """Pixels down from the plot's top; what is beyond the scale is drawn at its edge."""
        share = min(max(value, 0.0), self.top) / self.top if self.top > 0 else 0.0
        return PLOT_HEIGHT * (1.0 - share)

    def ticks(self) -> list[Tick]:
        return [Tick(self.y(value), self.label(value)) for value in self.values]


@dataclass(frozen=True)
class TimeAxis:
    """Seconds since the first reading; `left` is the second at the plot's left edge."""

    left: float
    span: float
    values: tuple[float, ...]

    def x(self, elapsed: float) -> float:
        return (elapsed - self.left) / self.span * PLOT_WIDTH

    def ticks(self) -> list[Tick]:
        return [Tick((v - self.left) / self.span * 100, f"{v:g}s") for v in self.values]


def _candidates(binary: bool, low: float, high: float) -> Iterable[float]:
    """Round steps between `low` and `high`: powers of two, or 1, 2, 2.5, 5 times a power of ten."""
    if binary:
        power = math.floor(math.log2(low))
        while 2.0**power <= high:
            if 2.0**power >= low:
                yield 2.0**power
            power += 1
        return
    power = math.floor(math.log10(low))
    while 10.0**power <= high:
        for m in DECIMAL_STEPS:
            if low <= m * 10.0**power <= high:
                yield m * 10.0**power
        power += 1


def step_for(top: float, binary: bool = False, whole: bool = False) -> float:
    """A round step that cuts 0..top into two to four parts, evenly if it can, four if it can."""
    steps = [s for s in _candidates(binary, top / 4, top / 2) if not whole or s == int(s)]
    if not steps:
        return top
    return min(steps, key=lambda s: (abs(top / s - round(top / s)) > 1e-9, abs(top / s - 4)))


def grid(top: float, step: float) -> tuple[float, ...]:
    """Multiples of `step` from 0, and the top; none so close to the top that labels touch."""
    below = top * (1 - LABEL_ROOM / PLOT_HEIGHT) + 1e-9
    return (*(i * step for i in range(math.floor(below / step) + 1)), top)


def open_scale(
    highest: float,
    label: Callable[[float], str],
    *,
    least: float,
    binary: bool = False,
    whole: bool = False,
) -> Scale:
    """A scale for values with no limit: up to four round steps, with room above `highest`
    (a flat line is never drawn at the top), and never below `least`."""
    wanted = max(highest * HEADROOM, least)
    low = wanted / 4
    step = next(s for s in _candidates(binary, low, low * 10) if not whole or s == int(s))
    count = math.ceil(wanted / step - 1e-9)
    return Scale(count * step, tuple(i * step for i in range(count + 1)), label)


def scale(
    top: float,
    label: Callable[[float], str],
    *,
    binary: bool = False,
    whole: bool = False,
    limit: str = "",
    host: bool = False,
) -> Scale:
    return Scale(top, grid(top, step_for(top, binary, whole)), label, limit, host)


def time_axis(elapsed: float) -> TimeAxis:
    """The window for readings `elapsed` seconds after the first: from 0 while it fits, a minute
    wider at a time up to WINDOW, then the last WINDOW seconds."""
    span = min(WINDOW, max(60, math.ceil(elapsed / 60 - 1e-9) * 60))
    left = max(0.0, elapsed - WINDOW)
    step = next(s for s in (10, 15, 30, 60) if span / s <= 6)
    first = math.ceil(left / step - 1e-9) * step
    values = tuple(float(v) for v in range(int(first), int(left + span) + 1, step))
    return TimeAxis(left, span, values)


def lines(
    times: Sequence[float], values: Sequence[float], axis: TimeAxis, scale: Scale
) -> list[str]:
    """The `points` of one polyline per unbroken run of readings inside the window.

    A lone reading is drawn as a dot (a line of no length, with round caps).
    """
    runs: list[list[str]] = []
    previous = None
    for t, v in zip(times, values, strict=True):
        if t < axis.left - 1e-9:
            continue
        if previous is None or t - previous > GAP:
            runs.append([])
        runs[-1].append(f"{axis.x(t):.1f},{scale.y(v):.1f}")
        previous = t
    return [" ".join(run * 2 if len(run) == 1 else run) for run in runs]


def rates(times: Sequence[float], totals: Sequence[int]) -> tuple[list[float], list[float]]:
    """Per-second increases of a counter, at the time of the later reading of each pair.

    A restart (the counter goes down) counts as 0; a pair across a gap has no rate.
    """
    at, per_second = [], []
    for (t0, a), (t1, b) in pairwise(zip(times, totals, strict=True)):
        if 0 < t1 - t0 <= GAP:
            at.append(t1)
            per_second.append(max(0, b - a) / (t1 - t0))
    return at, per_second
