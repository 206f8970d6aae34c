"""Live pages: stats and engine events, sent as HTML fragments for the htmx ws extension.

Every fragment carries the id of the element it replaces (htmx swaps it out
of band); rows are inserted with `hx-swap-oob="afterbegin:#..."` and removed
with `delete`. The consumers read the shared feeds of `hubs.py`: one engine
stream per container for stats and one for events, whatever the number of
viewers.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import suppress

from django.conf import settings
from django.urls import reverse

from .. import docker_service
from ..docker_service import DockerServiceError
from ..event_filters import EventFilter
from ..hubs import EVENTS, HISTORY_SAMPLES, events_hub, stats_hub
from ..live_fragments import (
    container_fragments,
    detail_fragment,
    engine_counts_fragment,
    event_rows_fragment,
    image_detail_fragment,
    image_rows_fragment,
    live_state_fragment,
    removed_fragment,
    stats_panel,
    stats_rows,
)
from .access import STARTUP_ERRORS, ReleasingConsumer, query_of, signed_in

GATHER_SECONDS = 0.1  # events arriving together are answered together
# The actions that change what a list or detail page shows (not exec_*, top, attach, ...).
CHANGES = {
    "create", "start", "restart", "die", "stop", "kill", "pause", "unpause", "rename",
    "destroy", "update", "oom", "pull", "tag", "untag", "delete", "import", "load", "commit",
}  # fmt: skip


class ContainerStatsConsumer(ReleasingConsumer):
    """`/ws/containers/<ref>/stats/`: the container's stats panel, every second."""

    async def connect(self) -> None:
        self.subscription = None
        self.task = None
        if not await signed_in(self):
            return
        try:
            container = await asyncio.to_thread(
                docker_service.inspect_container, self.scope["url_route"]["kwargs"]["ref"]
            )
        except STARTUP_ERRORS as exc:
            await self.refuse(exc)
            return
        self.history: deque = deque(maxlen=HISTORY_SAMPLES)
        self.subscription = stats_hub.subscribe(container.id)
        self.task = self.start(self.forward())

    async def forward(self) -> None:
        while True:
            kind, value = await self.subscription.get()
            if kind == "history":
                self.history.extend(value)
                if not value:
                    continue
                kind = "sample"
            elif kind == "sample":
                if self.history and self.history[-1].read == value.read:
                    continue  # in the history this viewer was given and published too
                self.history.append(value)
            await self.send(text_data=stats_panel(self.history, kind, value))

    async def release(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.subscription is not None:
            await stats_hub.leave(self.subscription)


class StatsTableConsumer(ReleasingConsumer):
    """`/ws/stats/?sort=cpu|memory|name`: every running container, like `docker stats`.

    One shared stats feed per container (whoever else watches it), joined as
    containers start and left as they stop.
    """

    async def connect(self) -> None:
        self.subscriptions: dict[str, object] = {}
        self.events = None
        self.task = None
        if not await signed_in(self):
            return
        self.sort = query_of(self.scope).get("sort", "cpu")
        self.names: dict[str, str] = {}
        self.latest: dict[str, object] = {}
        self.events = events_hub.subscribe(EVENTS)
        try:
            running = await asyncio.to_thread(docker_service.list_containers)
        except STARTUP_ERRORS as exc:
            await self.refuse(exc)
            return
        for container in running:
            self.watch(container.id, container.name)
        self.task = self.start(self.tick())

    def watch(self, container_id: str, name: str) -> None:
        if container_id not in self.subscriptions:
            self.names[container_id] = name
            self.subscriptions[container_id] = stats_hub.subscribe(container_id)

    async def unwatch(self, container_id: str) -> None:
        subscription = self.subscriptions.pop(container_id, None)
        self.latest.pop(container_id, None)
        if subscription is not None:
            await stats_hub.leave(subscription)

    async def tick(self) -> None:
        while True:
            await asyncio.sleep(1)
            while not self.events.queue.empty():
                kind, event = self.events.queue.get_nowait()
                if kind != "event" or event.get("Type") != "container":
                    continue
                container_id = event.get("Actor", {}).get("ID", "")
                if event.get("Action") == "start":
                    self.watch(container_id, event["Actor"].get("Attributes", {}).get("name", ""))
                elif event.get("Action") in {"die", "destroy"}:
                    await self.unwatch(container_id)
            for container_id, subscription in list(self.subscriptions.items()):
                while not subscription.queue.empty():
                    kind, value = subscription.queue.get_nowait()
                    if kind == "sample":
                        self.latest[container_id] = value
                    elif kind == "history" and value:
                        self.latest[container_id] = value[-1]
            rows = [(cid, self.names.get(cid, cid[:12]), s) for cid, s in self.latest.items()]
            await self.send(text_data=stats_rows(rows, self.sort))

    async def release(self) -> None:
        if self.task is not None:
            self.task.cancel()
        for container_id in list(self.subscriptions):
            await self.unwatch(container_id)
        if self.events is not None:
            await events_hub.leave(self.events)


class EventsConsumer(ReleasingConsumer):
    """`/ws/events/?page=...`: what changed on the engine, as the fragments a page shows.

    `page=containers` (with `all=1` like `docker ps -a`), `page=container&ref=ID`,
    `page=images`, `page=image&ref=ID&tag=NAME`, or `page=events` (with `type`,
    `action`, `actor` filters).
    Changes made anywhere, the docker CLI included, appear within a second.
    """

    async def connect(self) -> None:
        self.subscription = None
        self.task = None
        if not await signed_in(self):
            return
        self.query = query_of(self.scope)
        self.page = self.query.get("page", "events")
        self.csrf_secret = self.scope.get("cookies", {}).get(settings.CSRF_COOKIE_NAME, "")
        self.shown: set[str] = set()
        self.image_removed = False
        self.subscription = events_hub.subscribe(EVENTS)  # first: no change goes unseen
        if self.page == "containers":
            try:
                shown = await asyncio.to_thread(
                    docker_service.list_containers, self.query.get("all") == "1"
                )
            except STARTUP_ERRORS as exc:
                await self.refuse(exc)
                return
            self.shown = {c.id for c in shown}
        await self.send(text_data=live_state_fragment())
        self.task = self.start(self.forward())

    async def forward(self) -> None:
        while True:
            batch = [await self.subscription.get()]
            await asyncio.sleep(GATHER_SECONDS)
            while not self.subscription.queue.empty():
                batch.append(self.subscription.queue.get_nowait())
            events = [value for kind, value in batch if kind == "event"]
            if self.page != "events":
                events = [e for e in events if e.get("Action", "").split(":")[0] in CHANGES]
            if not events:
                continue
            try:
                parts = await asyncio.to_thread(self.fragments, events)
            except DockerServiceError:
                continue  # the engine went away: the reconnecting feed will bring news
            # One message each: htmx parses a message as one fragment, and a <tr> after a
            # <div> in the same fragment loses its row and cells to the HTML parser.
            for part in parts:
                await self.send(text_data=part)

    def fragments(self, events: list[dict]) -> list[str]:
        """The HTML fragments that bring this page up to date with these events (in a thread)."""
        containers = {e["Actor"]["ID"] for e in events if e.get("Type") == "container"}
        images_changed = any(e.get("Type") == "image" for e in events)
        parts = []
        if self.page == "containers" and containers:
            parts += container_fragments(containers, self.query.get("all") == "1", self.shown)
        elif self.page == "container":
            ref = self.query.get("ref", "")
            if any(cid.startswith(ref) for cid in containers) and ref:
                parts.append(detail_fragment(ref, self.csrf_secret))
        elif self.page == "images" and (images_changed or containers):
            parts.append(image_rows_fragment(self.query))
        elif self.page == "image":
            parts += self.image_fragments(events, bool(containers))
        elif self.page == "events":
            wanted = EventFilter.from_query(self.query)
            matching = [e for e in events if wanted.matches(e)]
            if matching:
                parts.append(event_rows_fragment(matching))
        if self.page != "events" and (containers or images_changed):
            with suppress(DockerServiceError):
                parts.append(engine_counts_fragment())
        return parts

    def image_fragments(self, events: list[dict], containers_changed: bool) -> list[str]:
        """The image page: its tags, or that it was removed; its containers, as they change.

        Any image event may concern it: a tag moved to another image (`docker
        tag`, a pull) names only the image that gained it. Containers made
        from it may come and go with any container event.
        """
        image_id = self.query.get("ref", "").removeprefix("sha256:")
        if not image_id:
            return []
        images_changed = any(e.get("Type") == "image" for e in events)
        if not images_changed and (self.image_removed or not containers_changed):
            return []
        html = image_detail_fragment(f"sha256:{image_id}", self.query.get("tag", ""))
        if html is not None:
            self.image_removed = False
            return [html]
        if self.image_removed:
            return []
        self.image_removed = True
        return [removed_fragment("image", reverse("images:list"))]

    async def release(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.subscription is not None:
            await events_hub.leave(self.subscription)
