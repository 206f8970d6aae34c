"""Log consumers: thin, they check access and shuttle between a LinePump and the browser.

Lines go to the browser as binary messages of records (`log_lines.py`:
`{stream}{source} {timestamp} {text}\n` per line); everything else is JSON:
`hello` (the containers), `status` (live, stopped with exit code, running,
reconnecting, removed, ended), and `skipped` (how many lines a slow viewer
missed). The browser answers every binary message with `{"ack": n}`, n
counting those messages; at most WINDOW batches are in flight,
so a slow browser makes lines wait on the server (bounded), not pile up in
the socket, and while the browser is busy the waiting lines make one big
batch instead of many small ones.
"""

from __future__ import annotations

import asyncio
import json

from .. import docker_service, streams
from ..log_lines import Records, record_stamp
from ..log_query import parse_log_query
from ..streams import LINES_CAPACITY, follow_logs, stop_followers
from .access import STARTUP_ERRORS, ReleasingConsumer, query_of, signed_in

WINDOW = 2
LINGER = 0.005  # seconds a busy stream waits to fill a batch
BUSY_WITHIN = 0.005  # a stream is busy when its previous batch left less than this ago
MAX_MERGED = 50
HISTORY_WAIT = 3.0
PALETTE = 8


class LogsConsumer(ReleasingConsumer):
    """`/ws/containers/<ref>/logs/`: one container's log, history then live."""

    merged = False

    async def connect(self) -> None:
        self.pump = None
        self.followers = []
        self.sender = None
        self.acked = self.sequence = 0
        self.ack_event = asyncio.Event()
        if not await signed_in(self):
            return
        try:
            query = parse_log_query(query_of(self.scope))
            containers = await asyncio.to_thread(self.find_containers)
        except STARTUP_ERRORS as exc:
            await self.refuse(exc)
            return
        await self.send_json(
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
            }
        )
        self.pump, self.followers = follow_logs(
            asyncio.get_running_loop(),
            [(c.id, c.tty) for c in containers],
            query.options,
            query.resume,
        )
        self.sender = self.start(self.send_lines())

    def find_containers(self) -> list[docker_service.ContainerDetail]:
        return [docker_service.inspect_container(self.scope["url_route"]["kwargs"]["ref"])]

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """Acks: `{"ack": n}`, n no more than the batches sent; anything else is ignored."""
        try:
            content = json.loads(text_data or "null")
        except (ValueError, RecursionError):
            return
        if isinstance(content, dict) and isinstance(content.get("ack"), int):
            self.acked = max(self.acked, min(content["ack"], self.sequence))
            self.ack_event.set()

    async def send_json(self, content) -> None:
        await self.send(text_data=json.dumps(content))

    async def release(self) -> None:
        if self.sender is not None:
            self.sender.cancel()
        if self.pump is not None:
            await stop_followers(self.pump, self.followers)

    async def next_items(self, busy: bool) -> tuple[int, list]:
        """The next items; while lines are pouring in, linger a moment so they make one batch.

        A quiet log is sent line by line at once; a busy one in batches of thousands, which
        is what makes a 200,000-line log arrive faster than `docker logs` prints it.
        """
        skipped, items = await self.pump.take()
        lines = sum(p.count for k, _, p in items if k == "lines")
        if not busy or lines >= streams.BATCH_LINES:
            return skipped, items
        await asyncio.sleep(LINGER)
        more_skipped, more = await self.pump.take(wait=False)
        return skipped + more_skipped, items + more

    async def send_lines(self) -> None:
        ended = set()
        last_sent = 0.0
        skipped, items = await self.first_items()
        while skipped or items:  # nothing at all: the pump was closed
            if skipped:
                await self.send_json({"type": "skipped", "count": skipped})
            for kind, source, payload in self.arrange(items):
                if kind == "lines":
                    self.sequence += 1
                    await self.send(bytes_data=payload.data)
                    while self.sequence - self.acked >= WINDOW:
                        self.ack_event.clear()
                        await self.ack_event.wait()
                    continue
                await self.send_json({"type": "status", "source": source, **payload})
                if payload["state"] in {"removed", "ended"}:
                    ended.add(source)
                    if len(ended) == len(self.followers):
                        await self.close(code=1000)
                        return
            now = asyncio.get_running_loop().time()
            busy, last_sent = now - last_sent < BUSY_WITHIN, now
            skipped, items = await self.next_items(busy)

    async def first_items(self) -> tuple[int, list]:
        return await self.pump.take()

    def arrange(self, items: list) -> list:
        """Consecutive batches of lines become one message; statuses keep their place."""
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


class MergedLogsConsumer(LogsConsumer):
    """`/ws/logs/?containers=a&containers=b` or `?project=NAME`: several logs in one, by time.

    Each record names its source (the container's index in `hello`) after its
    stream digit. Each batch taken from the pump is ordered by timestamp across
    containers.
    """

    merged = True

    def find_containers(self) -> list[docker_service.ContainerDetail]:
        query = query_of(self.scope)
        refs = [ref for ref in query.getlist("containers") if ref][:MAX_MERGED]
        project = query.get("project", "")
        if project:
            refs += [
                c.id
                for c in docker_service.list_containers(
                    all=True, filters={"label": f"com.docker.compose.project={project}"}
                )
            ][:MAX_MERGED]
        if not refs:
            raise ValueError("name containers (containers=...) or a compose project (project=...)")
        return [docker_service.inspect_container(ref) for ref in dict.fromkeys(refs)]

    async def first_items(self) -> tuple[int, list]:
        """Every container's history, so that it can be ordered as one (a few seconds at most)."""
        waiting = set(range(len(self.followers)))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HISTORY_WAIT
        skipped, gathered, count = 0, [], 0
        while waiting and count < LINES_CAPACITY:
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

    def arrange(self, items: list) -> list:
        """All the lines taken, as one batch in time order (records sort by their timestamp)."""
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
