"""Compose runs that outlive their request: the tool's output, line by line, kept while it
runs and a while after (the job store of pulls and builds), watched from a page that polls.
(The commands themselves run in tool.run_commands.)"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field, replace

from containers_app.jobs import store
from containers_app.models import JobRecord

KEEP_LINES = 5000
KEEP_IN_RECORD = 2000  # the record, written twice a second, keeps the last lines
RECENT = 10


@dataclass
class StackJob:
    id: str
    user_id: int | None
    project: str
    verb: str
    command: str
    started: float = field(default_factory=time.time)
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
        store.persist(self)

    def finish(self, error: str = "") -> None:
        with self.lock:
            self.done, self.error, self.finished = True, error, time.time()

    def snapshot(self) -> StackJob:
        with self.lock:
            return replace(self, lines=list(self.lines))

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    def save_record(self) -> None:
        job = self.snapshot()
        data = {
            "project": job.project,
            "verb": job.verb,
            "command": job.command,
            "started": job.started,
            "lines": job.lines[-KEEP_IN_RECORD:],
            "skipped": job.skipped + max(0, len(job.lines) - KEEP_IN_RECORD),
            "error": job.error,
            "finished": job.finished,
        }
        store.save(job, "stack", data, job.done, subject=job.project)

    @classmethod
    def from_record(cls, job_id: str, user_id: int | None) -> StackJob | None:
        """The run as another process wrote it (ended, if that process went away)."""
        data = store.record_of(job_id, user_id, "stack")
        if data is None:
            return None
        job = cls(job_id, user_id, data["project"], data["verb"], data["command"])
        job.started, job.lines, job.skipped = data["started"], data["lines"], data["skipped"]
        job.error, job.finished = data["error"], data["finished"]
        job.done = job.finished is not None
        return job


def start(actor, project: str, verb: str, command: str, work) -> StackJob:
    """A thread for `work(job)` (an action that runs the commands); its failure ends the job."""
    job = StackJob(uuid.uuid4().hex, actor.user.pk if actor.user else None, project, verb, command)
    store.add(job)
    store.run_in_thread(job, lambda: work(job), str)
    return job


def get(job_id: str, user_id: int | None) -> StackJob | None:
    return store.get(job_id, user_id, StackJob) or StackJob.from_record(job_id, user_id)


def recent(user_id: int | None, project: str) -> list[StackJob]:
    """The user's runs of the stack still kept, by this process or another, the latest
    first."""
    here = store.recent(user_id, StackJob, lambda job: job.project == project)
    known = {job.id for job in here}
    records = JobRecord.objects.filter(kind="stack", user_id=user_id, subject=project)
    elsewhere = [
        job
        for job_id in records.values_list("id", flat=True)[:RECENT]
        if job_id not in known and (job := StackJob.from_record(job_id, user_id))
    ]
    return sorted(here + elsewhere, key=lambda job: job.started, reverse=True)[:RECENT]
