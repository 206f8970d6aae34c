"""Docker I/O never blocks the event loop the websocket consumers share."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.viewers import Viewer

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_event_loop_stays_responsive_while_viewers_follow_a_flood(cookie, make_container):
    container = make_container(
        ["sh", "-c", "yes flood-line-of-some-length | head -n 200000; sleep 600"], hint="flood"
    )
    lags: list[float] = []
    flooding = asyncio.Event()

    async def tick() -> None:
        while not flooding.is_set():
            started = time.monotonic()
            await asyncio.sleep(0.01)
            lags.append(time.monotonic() - started - 0.01)

    ticker = asyncio.create_task(tick())
    viewers = [
        Viewer(f"/ws/containers/{container['Id'][:12]}/logs/?tail=all", cookie) for _ in range(3)
    ]
    for viewer in viewers:
        await viewer.connect()
    for viewer in viewers:
        await viewer.read(until=lambda s: len(s.lines) + s.skipped >= 200_000, timeout=90)
    flooding.set()
    await ticker
    for viewer in viewers:
        await viewer.close()

    assert len(lags) > 20
    assert max(lags) < 0.5, f"the loop stalled for {max(lags):.2f} s"
