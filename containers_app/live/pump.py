"""The bounded queue between log reader threads and a viewer's task on the event loop.

Reader threads put line batches and statuses; the viewer takes them on the
loop. Nothing blocks the loop: a thread waits on a condition, the loop on an
asyncio.Event set with `call_soon_threadsafe`. A viewer that cannot keep up
makes readers wait (bounded), then lose the oldest lines, counted.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from contextlib import suppress

from .log_lines import Records

LINES_CAPACITY = 20_000  # lines a viewer may have waiting on the server
BYTES_CAPACITY = 16 * 1024 * 1024  # and bytes: lines can be long
STALL_SECONDS = 3.0  # how long a reader waits for a slow viewer before it skips lines
BATCH_LINES = 5_000  # at most this many lines per websocket message


def split_records(records: Records, count: int) -> tuple[Records, Records]:
    """The first `count` records, and the rest."""
    cut = -1
    for _ in range(count):
        cut = records.data.index(b"\n", cut + 1)
    return (
        Records(records.data[: cut + 1], count),
        Records(records.data[cut + 1 :], records.count - count),
    )


class LinePump:
    """A bounded queue of line batches and status messages from one or more threads to asyncio.

    Items are `("lines", source, Records)` or `("status", source, {...})`. When
    the queue is full a reader waits up to STALL_SECONDS for the viewer to
    catch up; then the oldest waiting lines are dropped and counted, and the
    viewer is told how many it skipped (the download still has them).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int | None = None) -> None:
        self._loop = loop
        self._capacity = capacity or LINES_CAPACITY
        self._items: deque = deque()
        self._lines = 0
        self._bytes = 0
        self._skipped = 0
        self._closed = False
        self._condition = threading.Condition()
        self._ready = asyncio.Event()
        self._waking = False  # a wake-up is on its way to the loop: the next puts need none

    # --- reader threads --------------------------------------------------
    def put_lines(self, source: int, records: Records) -> None:
        if not records:
            return
        with self._condition:
            deadline = None
            while not self._closed and self._full(records):
                if deadline is None:
                    deadline = time.monotonic() + STALL_SECONDS
                remaining = deadline - time.monotonic()
                if remaining <= 0:  # the viewer is stuck: the oldest waiting lines go
                    if self._lines:
                        self._drop_oldest(self._excess(records))
                    break
                self._condition.wait(remaining)
            if self._closed:
                return
            self._items.append(("lines", source, records))
            self._lines += records.count
            self._bytes += len(records.data)
            wake = self._needs_wake()
        if wake:
            self._wake()

    def put_status(self, source: int, status: dict) -> None:
        with self._condition:
            if self._closed:
                return
            self._items.append(("status", source, status))
            wake = self._needs_wake()
        if wake:
            self._wake()

    def _excess(self, records: Records) -> int:
        """How many of the oldest waiting lines must go for `records` to fit."""
        count = self._lines + records.count - self._capacity
        extra = self._bytes + len(records.data) - BYTES_CAPACITY
        freed = position = 0
        for kind, _, payload in self._items:
            if extra <= 0:
                break
            if kind != "lines":
                continue
            if len(payload.data) <= extra:
                extra -= len(payload.data)
                freed += payload.count
                continue
            while extra > 0:
                end = payload.data.index(b"\n", position) + 1
                extra -= end - position
                position = end
                freed += 1
        return max(1, count, freed)

    def _full(self, records: Records) -> bool:
        return (
            self._lines + records.count > self._capacity
            or self._bytes + len(records.data) > BYTES_CAPACITY
        )

    def _drop_oldest(self, count: int) -> None:
        kept: deque = deque()
        for kind, source, payload in self._items:
            if kind == "lines" and count > 0:
                dropped = min(count, payload.count)
                head, payload = split_records(payload, dropped)
                count -= dropped
                self._lines -= dropped
                self._bytes -= len(head.data)
                self._skipped += dropped
                if not payload:
                    continue
            kept.append((kind, source, payload))
        self._items = kept

    def _needs_wake(self) -> bool:
        """Called holding the lock: whether the loop must be told (once per batch of puts).

        Each wake-up crosses threads through the loop's self-pipe; a reader putting many
        small reads while the loop is busy sends it one, not one per read.
        """
        if self._waking:
            return False
        self._waking = True
        return True

    def _wake(self) -> None:
        with suppress(RuntimeError):  # a closed loop: the viewer has left
            self._loop.call_soon_threadsafe(self._woken)

    def _woken(self) -> None:
        """On the loop: whatever is put from now on needs a wake-up of its own."""
        with self._condition:
            self._waking = False
        self._ready.set()

    # --- the event loop --------------------------------------------------
    async def take(self, wait: bool = True) -> tuple[int, list]:
        """Wait for items (unless told not to); return (lines skipped before them, items).

        At most BATCH_LINES lines are taken at once.
        """
        while True:
            with self._condition:
                if self._items or self._skipped or self._closed or not wait:
                    skipped, self._skipped = self._skipped, 0
                    taken = []
                    budget = BATCH_LINES
                    while self._items and budget > 0:
                        kind, source, payload = self._items[0]
                        if kind == "lines" and payload.count > budget:
                            head, tail = split_records(payload, budget)
                            taken.append((kind, source, head))
                            self._items[0] = (kind, source, tail)
                            self._lines -= budget
                            self._bytes -= len(head.data)
                            budget = 0
                            break
                        self._items.popleft()
                        taken.append((kind, source, payload))
                        if kind == "lines":
                            self._lines -= payload.count
                            self._bytes -= len(payload.data)
                            budget -= payload.count
                    self._condition.notify_all()
                    return skipped, taken
                self._ready.clear()
            await self._ready.wait()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._items.clear()
            self._lines = self._bytes = 0
            self._condition.notify_all()
            self._needs_wake()
        self._wake()
