"""The bounded queue between a log reader thread and a viewer: what a stuck viewer loses."""

from __future__ import annotations

import asyncio

import pytest

from containers_app.live import pump as pumps
from containers_app.live.log_lines import Records
from containers_app.live.pump import LinePump


def records(count: int, size: int) -> Records:
    return Records(b"".join(b"10 T " + b"y" * (size - 6) + b"\n" for _ in range(count)), count)


@pytest.fixture
def pump(monkeypatch):
    """A pump of 50 lines or 1,000 bytes whose reader waits 10 ms for a stuck viewer.

    Its loop never runs: these tests only put lines and take what waits.
    """
    monkeypatch.setattr(pumps, "STALL_SECONDS", 0.01)
    monkeypatch.setattr(pumps, "BYTES_CAPACITY", 1000)
    loop = asyncio.new_event_loop()
    yield LinePump(loop, capacity=50)
    loop.close()


def taken_lines(pump: LinePump) -> tuple[int, int]:
    """What a viewer takes now (`take(wait=False)` returns without awaiting anything)."""
    taking = pump.take(wait=False)
    with pytest.raises(StopIteration) as done:
        taking.send(None)
    skipped, items = done.value.value
    return skipped, sum(payload.count for kind, _, payload in items if kind == "lines")


def test_a_stuck_viewer_loses_only_the_oldest_lines_that_overflow_the_byte_cap(pump):
    pump.put_lines(0, records(9, 100))  # 900 bytes waiting

    pump.put_lines(0, records(3, 100))  # 300 more: 200 over the cap, two lines must go

    assert taken_lines(pump) == (2, 10)


def test_a_stuck_viewer_loses_only_the_oldest_lines_that_overflow_the_line_cap(pump):
    pump.put_lines(0, records(45, 10))

    pump.put_lines(0, records(8, 10))

    assert taken_lines(pump) == (3, 50)
