"""What the benchmarks share: timing an action, and the table that compares Dockside with
the docker CLI."""

from __future__ import annotations

import statistics
import time

import requests


def samples(action, repeat: int) -> list[float]:
    action()  # warm-up
    found = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        found.append(time.perf_counter() - start)
    return found


def spread(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:8.1f} ms"
        f" ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"
    )


def print_table(rows: list[tuple[str, list[float], list[float]]], repeat: int) -> None:
    print(
        f"{'what':<32} | {'Dockside (median, min-max)':>28}"
        f" | {'docker CLI (median, min-max)':>28} | ratio"
    )
    print(f"{'-' * 32}-|-{'-' * 28}-|-{'-' * 28}-|------")
    for what, ours, theirs in rows:
        ratio = statistics.median(ours) / statistics.median(theirs)
        print(f"{what:<32} | {spread(ours):>28} | {spread(theirs):>28} | {ratio:.2f}")
    print(f"{repeat} runs each after a warm-up; ratio = Dockside / CLI")


def until_ended(session: requests.Session, url: str, part: str) -> str:
    """A job's page polled every 50 ms (its `part` only, as htmx asks) until it stops
    polling itself: the last answer."""
    while True:
        page = session.get(url, headers={"HX-Request": "true", "HX-Target": part}, timeout=60).text
        if "hx-trigger" not in page:
            return page
        time.sleep(0.05)
