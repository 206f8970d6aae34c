"""Log sockets: they check access, then shuttle between a LogSession and the browser.

The policy (what is sent when, acks, batching, merged ordering) is
`live/log_session.py`.
"""

from __future__ import annotations

import asyncio
import json

from .. import docker_service
from ..live.log_query import parse_log_query
from ..live.log_session import MAX_MERGED, LogSession, hello
from .access import STARTUP_ERRORS, ReleasingConsumer, query_of, signed_in


class LogsConsumer(ReleasingConsumer):
    """`/ws/containers/<ref>/logs/`: one container's log, history then live."""

    merged = False

    async def connect(self) -> None:
        self.session = None
        self.sender = None
        if not await signed_in(self):
            return
        try:
            query = parse_log_query(query_of(self.scope))
            containers = await asyncio.to_thread(self.find_containers)
        except STARTUP_ERRORS as exc:
            await self.refuse(exc)
            return
        await self.send_message(hello(containers))
        self.session = LogSession.follow(containers, query, self.merged)
        self.sender = self.start(self.send_all())

    def find_containers(self) -> list[docker_service.ContainerDetail]:
        return [docker_service.inspect_container(self.scope["url_route"]["kwargs"]["ref"])]

    async def send_all(self) -> None:
        async for message in self.session.messages():
            await self.send_message(message)

    async def send_message(self, message) -> None:
        kind, payload = message
        if kind == "bytes":
            await self.send(bytes_data=payload)
        elif kind == "json":
            await self.send(text_data=json.dumps(payload))
        else:
            await self.close(code=payload)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.session is not None:
            self.session.receive(text_data)

    async def release(self) -> None:
        if self.sender is not None:
            self.sender.cancel()
        if self.session is not None:
            await self.session.stop()


class MergedLogsConsumer(LogsConsumer):
    """`/ws/logs/?containers=a&containers=b` or `?project=NAME`: several logs in one, by time.

    Each record names its source (the container's index in `hello`) after its stream digit.
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
