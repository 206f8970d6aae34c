"""Engine streams shared by every viewer: one reader thread per stream, not one per viewer.

A `Hub` keeps one `Feed` (a thread reading one engine stream) per key and
hands what it reads to every subscribed consumer's asyncio queue. The first
subscriber starts the feed, the last one to leave stops it. `stats` has a
feed per container (`docker stats`), `events` one for the engine (`docker
events`), which also keeps a bounded record in the database.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from contextlib import suppress
from dataclasses import dataclass, field

from django.db import DatabaseError, connections

from .. import docker_service
from ..docker_service import DockerServiceError, EngineUnavailable, NotFound
from ..pages.engine_errors import explain
from .stats_math import StatsSample, sample_from
from .stream_threads import StreamThread, json_lines

logger = logging.getLogger(__name__)

QUEUE_SIZE = 1000
HISTORY_SAMPLES = 300  # five minutes of one-second stats


@dataclass(eq=False)
class Subscription:
    key: object
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    async def get(self):
        return await self.queue.get()

    def offer(self, item) -> None:
        """Called on the loop: a full queue loses its oldest item (the viewer is far behind)."""
        if self.queue.full():
            with suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
        self.queue.put_nowait(item)


class Feed(StreamThread):
    """A thread that reads one engine stream and publishes what it reads until stopped."""

    def __init__(self, hub: Hub, key) -> None:
        endpoint, self.ref = key  # each engine has its own feeds
        where = "" if endpoint.is_local else f"{endpoint.name}-"
        super().__init__(name=f"{hub.name}-{where}{self.ref}")
        self.hub = hub
        self.key = key

    def publish(self, item) -> None:
        self.hub.publish(self.key, item)

    def initial(self) -> list:
        """What a new subscriber gets first (nothing by default)."""
        return []

    def run(self) -> None:
        attempt = 0
        try:
            while not self.stopping.is_set():
                try:
                    self.read()
                    attempt = 0
                except EngineUnavailable as exc:
                    self.publish(("reconnecting", exc.cause))
                    self.back_off(attempt)
                    attempt += 1
                except NotFound:
                    self.publish(("removed", None))
                    return
                except DockerServiceError as exc:
                    self.publish(("error", explain(exc).sentence))
                    self.stopping.wait(2)
                except Exception:  # a bug or a malformed stream: say so, keep the feed alive
                    logger.exception("%s failed; reading again", self.name)
                    connections.close_all()
                    self.publish(("error", "Dockside failed to read this stream"))
                    self.back_off(attempt)
                    attempt += 1
        finally:
            connections.close_all()

    def read(self) -> None:
        raise NotImplementedError


class Hub:
    def __init__(self, name: str, feed_class: type[Feed]) -> None:
        self.name = name
        self.feed_class = feed_class
        self._feeds: dict[object, Feed] = {}
        self._subscribers: dict[object, list[Subscription]] = {}
        self._lock = threading.Lock()

    def subscribe(self, ref) -> Subscription:
        """`ref`'s feed on the current engine (started by its first subscriber)."""
        key = (docker_service.current_endpoint(), ref)
        subscription = Subscription(key, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.setdefault(key, []).append(subscription)
            feed = self._feeds.get(key)
            if feed is None or not feed.is_alive():  # a feed ends when its container goes
                feed = self._feeds[key] = self.feed_class(self, key)
                feed.start()
            for item in feed.initial():
                subscription.offer(item)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> Feed | None:
        """Forget the subscriber; returns the feed to join when it was the last one."""
        with self._lock:
            subscribers = self._subscribers.get(subscription.key, [])
            if subscription in subscribers:
                subscribers.remove(subscription)
            if subscribers:
                return None
            self._subscribers.pop(subscription.key, None)
            feed = self._feeds.pop(subscription.key, None)
        if feed is not None:
            feed.stop()
        return feed

    async def leave(self, subscription: Subscription) -> None:
        feed = self.unsubscribe(subscription)
        if feed is not None:
            await asyncio.to_thread(feed.join, 1.0)

    def publish(self, key, item) -> None:
        with self._lock:
            subscribers = list(self._subscribers.get(key, ()))
        for subscription in subscribers:
            with suppress(RuntimeError):  # a closed loop: that viewer has gone
                subscription.loop.call_soon_threadsafe(subscription.offer, item)

    def feeds(self) -> int:
        with self._lock:
            return len(self._feeds)


class StatsFeed(Feed):
    """`docker stats` of one container, with the last five minutes kept for new viewers."""

    def __init__(self, hub: Hub, key) -> None:
        super().__init__(hub, key)
        self.history: deque[StatsSample] = deque(maxlen=HISTORY_SAMPLES)

    def initial(self) -> list:
        return [("history", list(self.history))]

    def read(self) -> None:
        container = docker_service.inspect_container(self.ref)
        if not container.state.running:
            self.publish(("stopped", container.state.exit_code))
            self.stopping.wait(2)
            return
        with self.holding(docker_service.open_stats(self.ref)) as stream:
            for raw in json_lines(stream):
                sample = sample_from(raw)
                if raw.get("precpu_stats", {}).get("system_cpu_usage"):  # the first: no delta
                    self.history.append(sample)
                    self.publish(("sample", sample))


class EventsFeed(Feed):
    """`docker events` for containers and images; each one is also kept in the database."""

    def __init__(self, hub: Hub, key) -> None:
        super().__init__(hub, key)
        self.last = time.time_ns()  # after an outage, read again from the last event seen

    @staticmethod
    def keep(event: dict) -> None:
        """Record the event; a database that fails now loses the record, not the live pages."""
        from ..models import EngineEvent

        try:
            EngineEvent.record(event, docker_service.current_endpoint().name)
        except DatabaseError:
            logger.exception("could not record an engine event")
        finally:
            connections.close_all()  # back to the pool, if there is one: events are rare

    def read(self) -> None:
        with self.holding(docker_service.open_all_events(self.last / 1e9)) as stream:
            for event in json_lines(stream):
                moment = event.get("timeNano", 0)
                if moment <= self.last:
                    continue  # replayed from before the outage
                self.last = moment
                docker_service.engine_changed()  # before the pages redraw their counts
                self.publish(("event", event))
                self.keep(event)
        if not self.stopping.is_set():
            raise EngineUnavailable(docker_service.endpoint(), "the event stream ended")


stats_hub = Hub("stats", StatsFeed)
events_hub = Hub("events", EventsFeed)
EVENTS = "engine"  # the events hub has one feed per engine
