"""What the threads reading engine streams (logs, stats, events) have in common.

Such a thread blocks in `read()` on one engine stream at a time; `stop()`
closes that stream so the read returns at once. A thread that is opening a
stream or asking the engine something else notices within
DOCKSIDE_DOCKER_TIMEOUT at worst (a healthy engine answers in milliseconds).
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .. import docker_service

BACKOFF = (0.5, 1, 2, 4, 8)  # seconds between attempts while the engine is away


class StreamThread(threading.Thread):
    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        # Runs in a copy of its maker's context: the engine endpoint, the request id.
        self.run = _in_context(self.run)
        self.stopping = threading.Event()
        self._stream: docker_service.Stream | None = None
        self._lock = threading.Lock()

    def stop(self) -> None:
        """From any thread: end the current read and every later one."""
        self.stopping.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.close()

    @contextmanager
    def holding(self, stream: docker_service.Stream) -> Iterator[docker_service.Stream]:
        """Read `stream` where `stop()` can close it; it is closed at the end either way."""
        with self._lock:
            self._stream = stream
        if self.stopping.is_set():
            stream.close()
        try:
            yield stream
        finally:
            with self._lock:
                self._stream = None
            stream.close()

    def back_off(self, attempt: int) -> None:
        """Wait before attempt number `attempt` + 1 (or until stopped)."""
        self.stopping.wait(BACKOFF[min(attempt, len(BACKOFF) - 1)])


def _in_context(run):
    context = contextvars.copy_context()
    return lambda: context.run(run)


def json_lines(stream: docker_service.Stream) -> Iterator[dict]:
    """The stream's JSON documents, one per line, until it ends."""
    buffer = b""
    while data := stream.read():
        buffer += data
        *complete, buffer = buffer.split(b"\n")
        for line in complete:
            if line.strip():
                yield json.loads(line)
