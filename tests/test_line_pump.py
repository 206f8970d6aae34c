"""The bounded queue between a log reader thread and a viewer: what a stuck viewer loses."""

from __future__ import annotations

import asyncio

import pytest

from containers_app import streams
from containers_app.log_lines import Records
from containers_app.streams import LinePump


def records(count: int, size: int) -> Records:
    return Records(b"".join(b"10 T " + b"y" * (size - 6) + b"\n" for _ in range(count)), count)


@pytest.fixture
async def pump(monkeypatch):
    monkeypatch.setattr(streams, "STALL_SECONDS", 0.01)
    monkeypatch.setattr(streams, "BYTES_CAPACITY", 1000)
    return LinePump(asyncio.get_running_loop(), capacity=50)


async def taken_lines(pump: LinePump) -> tuple[int, int]:
    skipped, items = await pump.take(wait=False)
    return skipped, sum(payload.count for kind, _, payload in items if kind == "lines")


async def test_a_stuck_viewer_loses_only_the_oldest_lines_that_overflow_the_byte_cap(pump):
    pump.put_lines(0, records(9, 100))  # 900 bytes waiting

    pump.put_lines(0, records(3, 100))  # 300 more: 200 over the cap, two lines must go

    assert await taken_lines(pump) == (2, 10)


async def test_a_stuck_viewer_loses_only_the_oldest_lines_that_overflow_the_line_cap(pump):
    pump.put_lines(0, records(45, 10))

    pump.put_lines(0, records(8, 10))

    assert await taken_lines(pump) == (3, 50)
