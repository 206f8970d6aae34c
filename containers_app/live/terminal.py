"""An interactive `docker exec -it` session bridged into asyncio.

One thread reads the session's output into a bounded queue; when the queue
is full the thread waits, so a process writing faster than the browser draws
is slowed down, as in a real terminal. Keystrokes and resizes go the other
way through threads too: nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncIterator
from contextlib import suppress

from .. import docker_service
from ..docker_service import DockerServiceError

OUTPUT_QUEUE = 64
MAX_COLUMNS = 1000
MAX_ROWS = 500


def clamped(size: int, limit: int) -> int:
    return max(1, min(limit, size))


def terminal_size(value: str | None, default: int, limit: int) -> int:
    """A column or row count from the socket's query, clamped (default when unreadable)."""
    if not value or len(value) > 5 or not value.isascii() or not value.isdigit():
        return default
    return clamped(int(value), limit)


class TerminalBridge:
    def __init__(self, session: docker_service.TerminalSession) -> None:
        self.session = session
        self.closing = threading.Event()
        self.queue: asyncio.Queue = asyncio.Queue(OUTPUT_QUEUE)
        self.reader = threading.Thread(
            target=self._read, args=(asyncio.get_running_loop(),), name="terminal", daemon=True
        )
        self.reader.start()

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        """The thread: session output into the queue (waiting while it is full), then None."""
        while data := self.session.read():
            queued = _on_loop(self.queue.put(data), loop)
            if queued is None:  # the loop is closing: the viewer has gone
                return
            while not self.closing.is_set():
                try:
                    queued.result(timeout=0.5)
                    break
                except concurrent.futures.TimeoutError:
                    continue
            if self.closing.is_set():
                queued.cancel()
                return
        _on_loop(self.queue.put(None), loop)

    async def output(self) -> AsyncIterator[bytes]:
        """The process's output until it ends."""
        while (data := await self.queue.get()) is not None:
            yield data

    async def write(self, data: bytes) -> None:
        with suppress(OSError):  # the process has just ended; the output's end says so
            await asyncio.to_thread(self.session.write, data)

    async def resize(self, cols: int, rows: int) -> None:
        size = clamped(cols, MAX_COLUMNS), clamped(rows, MAX_ROWS)
        with suppress(DockerServiceError):  # the session has just ended
            await asyncio.to_thread(docker_service.resize_terminal, self.session.exec_id, *size)

    async def stop(self) -> None:
        self.closing.set()
        await asyncio.to_thread(self.reader.join, 1.0)


def _on_loop(coroutine, loop: asyncio.AbstractEventLoop) -> concurrent.futures.Future | None:
    """Run `coroutine` on `loop` from a thread; None (the coroutine closed) once it has shut."""
    try:
        return asyncio.run_coroutine_threadsafe(coroutine, loop)
    except RuntimeError:
        coroutine.close()
        return None
