"""Log readers: one thread per followed log, feeding a viewer's `LinePump`.

A `LogFollower` reads the engine in large blocks, cuts lines, and puts them
into the pump (pump.py) its viewer takes from.

A follower lives through the container's life: when it stops the viewer is
told (with the exit code) and the follower waits for the `start` event; on
restart it reads again from the last timestamp it delivered, skipping the
lines it already sent; when the engine goes away it retries with backoff and
resumes the same way; when the container is removed it ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

from .. import docker_service
from ..docker_service import Conflict, DockerServiceError, EngineUnavailable, LogOptions, NotFound
from .log_lines import (
    LogParser,
    Position,
    Records,
    newest_position,
    record_stamp,
    since_param,
    stamp_key,
)
from .pump import LinePump
from .stream_threads import StreamThread, json_lines

logger = logging.getLogger(__name__)

CONFLICT_RETRIES = 25


class LogFollower(StreamThread):
    """Reads one container's log for one viewer, from its history on, for as long as it lives."""

    def __init__(
        self,
        container_id: str,
        tty: bool,
        options: LogOptions,
        pump: LinePump,
        source: int = 0,
        resume: Position | None = None,
    ) -> None:
        super().__init__(name=f"logs-{container_id[:12]}")
        self.container_id = container_id
        self.tty = tty
        self.options = options
        self.pump = pump
        self.source = source
        self.position = resume
        self._skip: Position | None = None  # lines already delivered, dropped when replayed
        # Catching up (at the start, on a resume, after an outage) reads without following
        # first, so a merged view can order it; then "live", then the follow.
        self._history_read = False
        self._told_end = False  # "removed" or "ended" has been sent: the viewer's log is over

    def run(self) -> None:
        attempt = conflicts = 0
        try:
            while not self.stopping.is_set():
                try:
                    ended = self._read_once()
                    attempt = 0
                    if ended or self.stopping.is_set():
                        return
                except EngineUnavailable as exc:
                    self._status("reconnecting", message=exc.cause)
                    self._history_read = False
                    self.back_off(attempt)
                    attempt += 1
                except NotFound:
                    self._status("removed")
                    return
                except Conflict as exc:  # being removed, or dead: look again shortly
                    conflicts += 1
                    if conflicts > CONFLICT_RETRIES:
                        self._status("ended", message=str(exc))
                        return
                    self.stopping.wait(0.2)
                except DockerServiceError as exc:
                    self._status("ended", message=str(exc))
                    return
                except Exception:  # a bug or a malformed stream: end this log, say so
                    logger.exception("%s failed", self.name)
                    self._status("ended", message="Dockside failed to read this log")
                    return
        finally:
            if not self.stopping.is_set() and not self._told_end:
                self._status("ended")

    def _read_once(self) -> bool:
        """Read what there is, then follow; True when the viewer's log has ended for good.

        History is read without `follow` first so that a merged view can order
        it; following then starts from the last line delivered. A line still
        being written when a stream ends is not delivered half: the next
        stream reads it again whole, unless the container has stopped, when
        it is the last line there will be.
        """
        if not self.options.follow:
            self._deliver(self._drain(self._from_position()).flush())
            self._status("ended")
            return True
        if not self._history_read:
            self._drain(replace(self._from_position(), follow=False))
            self._history_read = True
            self._status("live")
        if self.stopping.is_set():
            return True
        parser = self._drain(self._from_position())
        return self.stopping.is_set() or self._wait_for_restart(parser)

    def _from_position(self) -> LogOptions:
        """The options, moved on to the last line delivered (whose replay is then skipped)."""
        if self.position is None:
            return self.options
        self._skip = self.position
        return replace(self.options, tail="all", since=since_param(self.position.timestamp))

    def _drain(self, options: LogOptions) -> LogParser:
        """Deliver a stream's whole lines; the parser keeps a line the stream ended in."""
        parser = LogParser(self.tty, self.source)
        with self.holding(docker_service.open_logs(self.container_id, options)) as stream:
            while data := stream.read():
                self._deliver(parser.feed(data))
        return parser

    def _deliver(self, records: Records) -> None:
        if self._skip is not None and records:
            records = self._unseen(records)
        if not records:
            return
        self.position = newest_position(records.data, self.position)
        self.pump.put_lines(self.source, records)

    def _unseen(self, records: Records) -> Records:
        """Drop the records a reopened stream replays (up to and including the last delivered)."""
        seen = self._skip
        seen_key = stamp_key(seen.timestamp)
        repeats = seen.count
        raw = records.data.split(b"\n")[:-1]
        for index, record in enumerate(raw):
            key = record_stamp(record) or seen_key
            if key < seen_key:
                continue
            if key == seen_key and repeats > 0:
                repeats -= 1
                continue
            self._skip = None
            return Records(b"".join(r + b"\n" for r in raw[index:]), len(raw) - index)
        self._skip = Position(seen.timestamp, repeats)
        return Records(b"", 0)

    def _wait_for_restart(self, parser: LogParser) -> bool:
        """The followed stream ended: stopped, removed, or the engine went away."""
        since = int(time.time()) - 1
        container = docker_service.inspect_container(self.container_id)
        if container.state.running:
            return False
        self._deliver(parser.flush())
        # What a run that started and died again meanwhile wrote (a crash loop): its replayed
        # start is then no restart any more (same StartedAt), but its lines are not lost.
        self._deliver(self._drain(replace(self._from_position(), follow=False)).flush())
        self._status("stopped", exit_code=container.state.exit_code)
        with self.holding(docker_service.open_events(self.container_id, since)) as events:
            for event in json_lines(events):
                if event.get("Action") == "destroy":
                    self._status("removed")
                    return True
                if event.get("Action") == "start" and self._started_after(container):
                    self._status("running")
                    return False
        if self.stopping.is_set():
            return True
        raise EngineUnavailable(docker_service.endpoint(), "the event stream ended")

    def _started_after(self, stopped: docker_service.ContainerDetail) -> bool:
        """Whether the container has started again since it stopped.

        The engine replays the events of the last seconds, and a container that
        ran only for a moment has its `start` stamped after its death (even its
        StartedAt can be later than its FinishedAt): only a new StartedAt tells.
        """
        again = docker_service.inspect_container(self.container_id).state.started_at
        return again != stopped.state.started_at

    def _status(self, state: str, **fields) -> None:
        self._told_end = state in {"removed", "ended"}
        self.pump.put_status(self.source, {"state": state, **fields})


def follow_logs(
    loop: asyncio.AbstractEventLoop,
    containers: list[tuple[str, bool]],
    options: LogOptions,
    resume: dict[int, Position] | None = None,
) -> tuple[LinePump, list[LogFollower]]:
    """A pump fed by one follower per (container id, tty), started."""
    pump = LinePump(loop)
    followers = [
        LogFollower(container_id, tty, options, pump, source, (resume or {}).get(source))
        for source, (container_id, tty) in enumerate(containers)
    ]
    for follower in followers:
        follower.start()
    return pump, followers


async def stop_followers(
    pump: LinePump, followers: list[LogFollower], timeout: float = 1.0
) -> None:
    """Close the streams, wake the threads and wait (bounded) for them to end."""
    for follower in followers:
        follower.stop()
    pump.close()
    deadline = time.monotonic() + timeout
    for follower in followers:
        await asyncio.to_thread(follower.join, max(0.0, deadline - time.monotonic()))
