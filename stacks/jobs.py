"""Compose runs that outlive their request: the tool's output, line by line, kept while it
runs and a while after (the job store of pulls and builds), watched from a page that polls.
(The commands themselves run in tool.run_commands.)"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field, replace

from containers_app.jobs import store

KEEP_LINES = 5000


@dataclass
class StackJob:
    id: str
    user_id: int | None
    project: str
    verb: str
    command: str
    started: float = field(default_factory=time.monotonic)
    lines: list[str] = field(default_factory=list)
    skipped: int = 0
    done: bool = False
    error: str = ""
    finished: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, line: str) -> None:
        with self.lock:
            self.lines.append(line)
            if len(self.lines) > KEEP_LINES:
                del self.lines[0]
                self.skipped += 1

    def finish(self, error: str = "") -> None:
        with self.lock:
            self.done, self.error, self.finished = True, error, time.monotonic()

    def snapshot(self) -> StackJob:
        with self.lock:
            return replace(self, lines=list(self.lines))

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started


def start(actor, project: str, verb: str, command: str, work) -> StackJob:
    """A thread for `work(job)` (an action that runs the commands); its failure ends the job."""
    job = StackJob(uuid.uuid4().hex, actor.user.pk if actor.user else None, project, verb, command)
    store.add(job)
    store.run_in_thread(job, lambda: work(job), str)
    return job


def get(job_id: str, user_id: int | None) -> StackJob | None:
    return store.get(job_id, user_id, StackJob)


def recent(user_id: int | None, project: str) -> list[StackJob]:
    """The user's runs of the stack this process still keeps, the latest first."""
    return store.recent(user_id, StackJob, lambda job: job.project == project)
