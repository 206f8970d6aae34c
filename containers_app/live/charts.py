"""Small server-drawn SVG charts: a polyline per series, no library (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

WIDTH = 300
HEIGHT = 48


def points(values: Sequence[float], top: float | None = None, slots: int = 300) -> str:
    """The `points` of a polyline: the last `slots` values, right-aligned, 0 at the bottom."""
    values = list(values)[-slots:]
    if not values:
        return ""
    ceiling = top if top and top > 0 else max(max(values), 1e-9)
    step = WIDTH / max(1, slots - 1)
    offset = slots - len(values)
    return " ".join(
        f"{(offset + i) * step:.1f},{HEIGHT - min(v, ceiling) / ceiling * (HEIGHT - 2) - 1:.1f}"
        for i, v in enumerate(values)
    )


def rates(totals: Sequence[int]) -> list[float]:
    """Per-second increases of a counter sampled once a second (a restart counts as 0)."""
    return [max(0, b - a) for a, b in pairwise(totals)]
