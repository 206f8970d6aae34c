"""What one log viewer is sent, and when: the viewing policy of a log socket.

Lines go out as binary messages of records (`log_lines.py`:
`{stream}{source} {timestamp} {text}\\n` per line); everything else as JSON:
`hello` (the containers), `status` (live, stopped with exit code, running,
reconnecting, removed, ended) and `skipped` (how many lines a slow viewer
missed). The browser answers every binary message with `{"ack": n}`, n
counting those messages; at most WINDOW are in flight, so a slow browser
makes lines wait on the server (bounded), not pile up in the socket, and
while it is busy the waiting lines make one big message instead of many small
ones. A merged view (several containers) gathers every container's history
first and orders it by time; later batches are ordered within themselves.

Testable without websockets: `messages()` yields what to send, `receive()`
takes what the browser says.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence

from .. import docker_service, metrics
from . import pump as pumps  # its limits read at use, so that tests can lower them
from .followers import LogFollower, follow_logs, stop_followers
from .log_lines import Records, record_stamp
from .log_query import LogQuery

WINDOW = 2  # binary messages in flight before the browser must acknowledge
LINGER = 0.005  # seconds a busy stream waits to fill a batch
BUSY_WITHIN = 0.005  # a stream is busy when its previous batch left less than this ago
HISTORY_WAIT = 3.0  # the longest a merged view waits for every history before it starts
MAX_MERGED = 50  # containers in one merged view
PALETTE = 8  # colours the browser tags merged lines with

Message = tuple[str, object]  # ("bytes", data), ("json", dict) or ("close", code)


def hello(containers: Sequence[docker_service.ContainerDetail]) -> Message:
    """The first message: which containers, by source number, in which colour."""
    return (
        "json",
        {
            "type": "hello",
            "containers": [
                {
                    "source": index,
                    "id": c.id,
                    "name": c.name,
                    "state": c.state.status,
                    "exit_code": c.state.exit_code,
                    "color": index % PALETTE,
                }
                for index, c in enumerate(containers)
            ],
        },
    )


class LogSession:
    """One viewer of one log, or of several merged; `stop()` ends its readers."""

    def __init__(
        self,
        pump: pumps.LinePump,
        followers: Sequence[LogFollower] = (),
        merged: bool = False,
        sources: int | None = None,
    ) -> None:
        self.pump = pump
        self.followers = list(followers)
        self.sources = sources or max(1, len(self.followers))
        self.merged = merged
        self.acked = self.sequence = 0
        self._acked = asyncio.Event()

    @classmethod
    def follow(
        cls,
        containers: Sequence[docker_service.ContainerDetail],
        query: LogQuery,
        merged: bool = False,
    ) -> LogSession:
        """Start one reader per container; call on the event loop."""
        pump, followers = follow_logs(
            asyncio.get_running_loop(),
            [(c.id, c.tty) for c in containers],
            query.options,
            query.resume,
        )
        return cls(pump, followers, merged)

    async def stop(self) -> None:
        await stop_followers(self.pump, self.followers)

    def receive(self, text: str | None) -> None:
        """What the browser sends: `{"ack": n}`, n no more than the messages sent; else ignored."""
        try:
            content = json.loads(text or "null")
        except (ValueError, RecursionError):
            return
        if isinstance(content, dict) and isinstance(content.get("ack"), int):
            self.ack(content["ack"])

    def ack(self, count: int) -> None:
        self.acked = max(self.acked, min(count, self.sequence))
        self._acked.set()

    async def messages(self) -> AsyncIterator[Message]:
        """Everything to send, in order, until every log has ended (then a close) or the pump
        is closed (then nothing more)."""
        ended: set[int] = set()
        last_sent = 0.0
        skipped, items = await (self._histories() if self.merged else self.pump.take())
        while skipped or items:
            if skipped:
                yield "json", {"type": "skipped", "count": skipped}
            for kind, source, payload in self._arrange(items):
                if kind == "lines":
                    self.sequence += 1
                    metrics.LOG_LINES.inc(payload.count)
                    yield "bytes", payload.data
                    while self.sequence - self.acked >= WINDOW:
                        self._acked.clear()
                        await self._acked.wait()
                    continue
                yield "json", {"type": "status", "source": source, **payload}
                if payload["state"] in {"removed", "ended"}:
                    ended.add(source)
                    if len(ended) == self.sources:
                        yield "close", 1000
                        return
            now = asyncio.get_running_loop().time()
            busy, last_sent = now - last_sent < BUSY_WITHIN, now
            skipped, items = await self._next(busy)

    async def _next(self, busy: bool) -> tuple[int, list]:
        """The next items; while lines are pouring in, linger a moment so they make one batch.

        A quiet log is sent line by line at once; a busy one in batches of thousands, which
        is what makes a 200,000-line log arrive faster than `docker logs` prints it.
        """
        skipped, items = await self.pump.take()
        lines = sum(p.count for k, _, p in items if k == "lines")
        if not busy or lines >= pumps.BATCH_LINES:
            return skipped, items
        await asyncio.sleep(LINGER)
        more_skipped, more = await self.pump.take(wait=False)
        return skipped + more_skipped, items + more

    async def _histories(self) -> tuple[int, list]:
        """Every container's history, so that it can be ordered as one (a few seconds at most)."""
        waiting = set(range(self.sources))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HISTORY_WAIT
        skipped, gathered, count = 0, [], 0
        while waiting and count < pumps.LINES_CAPACITY:
            try:
                more, items = await asyncio.wait_for(self.pump.take(), deadline - loop.time())
            except TimeoutError:
                break
            skipped += more
            gathered += items
            for kind, source, payload in items:
                if kind == "status":
                    waiting.discard(source)
                else:
                    count += payload.count
        return skipped, gathered

    def _arrange(self, items: list) -> list:
        """Consecutive batches of lines become one message; statuses keep their place.

        Merged, all the lines taken become one message in time order (records sort by
        their timestamp), before the statuses.
        """
        if self.merged:
            records = [
                record + b"\n"
                for kind, _, payload in items
                if kind == "lines"
                for record in payload.data.split(b"\n")[:-1]
            ]
            records.sort(key=lambda record: record_stamp(record) or (0, 0))
            statuses = [item for item in items if item[0] == "status"]
            batch = Records(b"".join(records), len(records))
            return ([("lines", None, batch)] if records else []) + statuses
        arranged: list = []
        run: list[Records] = []
        for item in [*items, ("end", None, None)]:
            if item[0] == "lines":
                run.append(item[2])
                continue
            if run:
                batch = Records(b"".join(r.data for r in run), sum(r.count for r in run))
                arranged.append(("lines", None, batch))
                run = []
            if item[0] == "status":
                arranged.append(item)
        return arranged
