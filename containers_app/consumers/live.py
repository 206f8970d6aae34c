"""Live pages: stats and engine events, sent as HTML fragments for the htmx ws extension.

Every fragment carries the id of the element it replaces (htmx swaps it out
of band). What each page is sent is decided in live/: page_watchers.py for
the events socket, stats_views.py for stats.
"""

from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from django.conf import settings

from access import roles

from .. import docker_service
from ..docker_service import DockerServiceError
from ..live import off_loop
from ..live.fragments import live_state_fragment
from ..live.hubs import EVENTS, events_hub
from ..live.page_watchers import WATCHERS
from ..live.stats_views import StatsPanel, StatsTable
from .access import STARTUP_ERRORS, ReleasingConsumer, query_of, signed_in

GATHER_SECONDS = 0.1  # events arriving together are answered together


class ContainerStatsConsumer(ReleasingConsumer):
    """`/ws/containers/<ref>/stats/`: the container's stats panel, every second."""

    async def connect(self) -> None:
        self.panel = self.task = None
        if not await signed_in(self):
            return
        try:
            container = await asyncio.to_thread(
                docker_service.inspect_container, self.scope["url_route"]["kwargs"]["ref"]
            )
        except STARTUP_ERRORS as exc:
            await self.refuse(exc)
            return
        self.panel = StatsPanel(container.id)
        self.task = self.start(self.forward())

    async def forward(self) -> None:
        async for html in self.panel.panels():
            await self.send(text_data=html)

    async def release(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.panel is not None:
            await self.panel.leave()


class StatsTableConsumer(ReleasingConsumer):
    """`/ws/stats/?sort=cpu|memory|name`: every running container, like `docker stats`."""

    async def connect(self) -> None:
        self.table = self.task = None
        if not await signed_in(self):
            return
        self.table = StatsTable(query_of(self.scope).get("sort", "cpu"))
        try:
            running = await asyncio.to_thread(docker_service.list_containers)
        except STARTUP_ERRORS as exc:
            await self.refuse(exc)
            return
        self.table.watch_all(running)
        self.task = self.start(self.forward())

    async def forward(self) -> None:
        async for html in self.table.tables():
            await self.send(text_data=html)

    async def release(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.table is not None:
            await self.table.leave()


class EventsConsumer(ReleasingConsumer):
    """`/ws/events/?page=...`: what changed on the engine, as the fragments that page shows.

    The first message says the page is live: from then on no change goes unseen.
    Changes made anywhere, the docker CLI included, appear within a second.
    """

    async def connect(self) -> None:
        self.subscription = self.task = None
        if not await signed_in(self):
            return
        query = query_of(self.scope)
        watcher_class = WATCHERS.get(query.get("page", "events"))
        if watcher_class is None:
            await self.refuse(ValueError(f"page takes one of {', '.join(WATCHERS)}"))
            return
        csrf_secret = self.scope.get("cookies", {}).get(settings.CSRF_COOKIE_NAME, "")
        allowed = await database_sync_to_async(roles.permissions)(self.scope.get("user"))
        self.watcher = watcher_class(query, csrf_secret, allowed)
        self.subscription = events_hub.subscribe(EVENTS)  # first: no change goes unseen
        try:
            await off_loop.to_thread(self.watcher.prepare)
        except STARTUP_ERRORS as exc:
            await self.refuse(exc)
            return
        await self.send(text_data=live_state_fragment())
        for part in self.watcher.greeting():
            await self.send(text_data=part)
        self.task = self.start(self.forward())

    async def forward(self) -> None:
        while True:
            batch = [await self.subscription.get()]
            await asyncio.sleep(GATHER_SECONDS)
            while not self.subscription.queue.empty():
                batch.append(self.subscription.queue.get_nowait())
            events = [value for kind, value in batch if kind == "event"]
            if not events:
                continue
            try:
                parts = await off_loop.to_thread(self.watcher.fragments, events)
            except DockerServiceError:
                continue  # the engine went away: the reconnecting feed will bring news
            # One message each: htmx parses a message as one fragment, and a <tr> after a
            # <div> in the same fragment loses its row and cells to the HTML parser.
            for part in parts:
                await self.send(text_data=part)

    async def release(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.subscription is not None:
            await events_hub.leave(self.subscription)
