"""Waiting for a signal rather than for a fixed time: poll what proves it, up to a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, what: str = "") -> object:
    """The first truthy value of `predicate()`; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or predicate}")
        time.sleep(0.02)


async def eventually(predicate: Callable[[], object], timeout: float = 10.0, what: str = ""):
    """`wait_for` without blocking the event loop (the server under test runs on it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or predicate}")
        await asyncio.sleep(0.02)


def logs_contain(api, container_id: str, text: str) -> Callable[[], bool]:
    """A predicate: the container has written `text` (its log is the signal it is ready)."""
    return lambda: text.encode() in api.logs(container_id, stdout=True, stderr=True)
