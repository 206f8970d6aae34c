"""What stats viewers are sent: a container's panel each second, or the `docker stats` table.

Both read the shared feeds of hubs.py (one engine stats stream per container,
whoever watches it), so a viewer only keeps what it has been shown.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Iterable

from .. import docker_service
from ..docker_service import ContainerSummary, DockerServiceError
from .fragments import stats_panel, stats_rows
from .hubs import EVENTS, HISTORY_SAMPLES, events_hub, stats_hub
from .stats_math import StatsLimits, stats_limits

TABLE_EVERY = 1.0  # seconds between two renderings of the table
LIMITS_KNOWN = {"sample", "stopped"}  # the engine answers: the limits can be read


def read_limits(container_id: str) -> StatsLimits | None:
    """What the charts' scales reach: the container's HostConfig and the host's CPUs and
    memory (two engine calls); None when the engine cannot say."""
    try:
        container = docker_service.inspect_container(container_id)
        engine = docker_service.engine_info()
    except DockerServiceError:
        return None
    return stats_limits(container.limits, engine.cpus, engine.memory)


class StatsPanel:
    """One viewer of one container's stats: the last five minutes, then each new reading."""

    def __init__(self, container_id: str) -> None:
        self.container_id = container_id
        self.limits: StatsLimits | None = None  # read once, when the first panel is drawn
        self.history: deque = deque(maxlen=HISTORY_SAMPLES)
        self.subscription = stats_hub.subscribe(container_id)

    async def panels(self) -> AsyncIterator[str]:
        while True:
            kind, value = await self.subscription.get()
            if kind == "history":
                self.history.extend(value)
                if not value:
                    continue
                kind = "sample"
            elif kind == "sample":
                if self.history and self.history[-1].read == value.read:
                    continue  # in the history this viewer was given, and published too
                self.history.append(value)
            if self.limits is None and kind in LIMITS_KNOWN:
                self.limits = await asyncio.to_thread(read_limits, self.container_id)
            yield stats_panel(self.history, kind, value, self.limits)

    async def leave(self) -> None:
        await stats_hub.leave(self.subscription)


class StatsTable:
    """Every running container, like `docker stats`: joined as they start, left as they stop."""

    def __init__(self, sort: str) -> None:
        self.sort = sort
        self.subscriptions: dict[str, object] = {}
        self.names: dict[str, str] = {}
        self.latest: dict[str, object] = {}
        self.events = events_hub.subscribe(EVENTS)  # first: no start goes unseen

    def watch_all(self, running: Iterable[ContainerSummary]) -> None:
        for container in running:
            self.watch(container.id, container.name)

    def watch(self, container_id: str, name: str) -> None:
        if container_id not in self.subscriptions:
            self.names[container_id] = name
            self.subscriptions[container_id] = stats_hub.subscribe(container_id)

    async def unwatch(self, container_id: str) -> None:
        subscription = self.subscriptions.pop(container_id, None)
        self.latest.pop(container_id, None)
        if subscription is not None:
            await stats_hub.leave(subscription)

    async def tables(self) -> AsyncIterator[str]:
        while True:
            await asyncio.sleep(TABLE_EVERY)
            await self._follow_events()
            self._take_readings()
            rows = [
                (cid, self.names.get(cid, cid[:12]), self.latest.get(cid))
                for cid in self.subscriptions
            ]
            yield stats_rows(rows, self.sort)

    async def _follow_events(self) -> None:
        while not self.events.queue.empty():
            kind, event = self.events.queue.get_nowait()
            if kind != "event" or event.get("Type") != "container":
                continue
            actor = event.get("Actor") or {}
            if event.get("Action") == "start":
                self.watch(actor.get("ID", ""), (actor.get("Attributes") or {}).get("name", ""))
            elif event.get("Action") in {"die", "destroy"}:
                await self.unwatch(actor.get("ID", ""))

    def _take_readings(self) -> None:
        for container_id, subscription in list(self.subscriptions.items()):
            while not subscription.queue.empty():
                kind, value = subscription.queue.get_nowait()
                if kind == "sample":
                    self.latest[container_id] = value
                elif kind == "history" and value:
                    self.latest[container_id] = value[-1]

    async def leave(self) -> None:
        for container_id in list(self.subscriptions):
            await self.unwatch(container_id)
        await events_hub.leave(self.events)
