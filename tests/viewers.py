"""A log viewer for tests: Channels' WebsocketCommunicator on Dockside's real ASGI app."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

from channels.testing import WebsocketCommunicator

from containers_app.live.log_lines import lines_of
from dashboard.asgi import application

HOST = b"127.0.0.1:8000"
ORIGIN = b"http://127.0.0.1:8000"


def connect_to(
    path: str,
    cookie: str | None = None,
    origin: bytes | None = ORIGIN,
    host: bytes = HOST,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> WebsocketCommunicator:
    """A websocket to Dockside's real ASGI app, as a page on `origin` would open it."""
    headers = [(b"host", host), *extra]
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@dataclass
class Seen:
    """What a viewer received. Line batches are kept as they came and decoded when asked for,
    so that receiving (and acknowledging) costs the test client next to nothing."""

    statuses: list = field(default_factory=list)
    hello: dict | None = None
    skipped: int = 0
    closed: int | None = None
    count: int = 0  # lines received
    batches: list[bytes] = field(default_factory=list)
    _lines: list = field(default_factory=list)
    _decoded: int = 0  # batches decoded into _lines so far

    @property
    def lines(self) -> list:
        """Each line as [stream, timestamp, text, source]."""
        for batch in self.batches[self._decoded :]:
            self._lines += [
                [stream, ts, text, source] for stream, source, ts, text in lines_of(batch)
            ]
        self._decoded = len(self.batches)
        return self._lines

    @property
    def texts(self) -> list[str]:
        return [line[2] for line in self.lines]

    def states(self) -> list[str]:
        return [status["state"] for status in self.statuses]


class Viewer:
    """Connects as a browser would (session cookie, same origin) and acknowledges every batch."""

    def __init__(self, path: str, cookie: str | None, origin: bytes = ORIGIN):
        self.communicator = connect_to(path, cookie, origin)
        self.seen = Seen()
        self.last_seq = 0

    async def connect(self):
        return await self.communicator.connect(timeout=10)

    async def read(self, until=None, timeout: float = 20.0, ack: bool = True) -> Seen:
        """Receive until `until(seen)` holds, or with `until=None` until the socket closes.

        A socket that closes before `until` holds fails the test, as does the timeout.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while until is None or not until(self.seen):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out; {self.summary()}")
            try:
                message = await self.communicator.receive_output(timeout=remaining)
            except TimeoutError:
                raise AssertionError(f"timed out; {self.summary()}") from None
            if await self._take(message, ack):
                continue
            if until is not None and not until(self.seen):
                raise AssertionError(
                    f"the socket closed ({self.seen.closed}) early; {self.summary()}"
                )
            break
        return self.seen

    def summary(self) -> str:
        seen = self.seen
        return (
            f"seen {seen.states()} {seen.texts[-5:]} ({seen.count} lines,"
            f" {seen.skipped} skipped, closed {seen.closed})"
        )

    async def settle(self, quiet: float = 1.0) -> Seen:
        """Receive until nothing has arrived for `quiet` seconds (the socket stays open)."""
        while not await self.communicator.receive_nothing(timeout=quiet):
            if not await self._take(await self.communicator.receive_output(), ack=True):
                break
        return self.seen

    async def _take(self, message: dict, ack: bool) -> bool:
        """Record one message; False when it closed the socket."""
        if message["type"] == "websocket.close":
            self.seen.closed = message.get("code", 1000)
            return False
        if message.get("bytes") is not None:
            self.seen.batches.append(message["bytes"])
            self.seen.count += message["bytes"].count(b"\n")
            self.last_seq += 1
            if ack:
                await self.ack_all()
            return True
        data = json.loads(message["text"])
        kind = data["type"]
        if kind == "status":
            self.seen.statuses.append(data)
        elif kind == "hello":
            self.seen.hello = data
        elif kind == "skipped":
            self.seen.skipped += data["count"]
        return True

    async def ack_all(self) -> None:
        """Acknowledge every batch received so far (what a browser does once it has drawn them)."""
        await self.communicator.send_json_to({"ack": self.last_seq})

    async def close(self) -> None:
        await self.communicator.disconnect()
