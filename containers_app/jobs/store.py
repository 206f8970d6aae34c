"""Jobs that outlive their request: run in this process, seen from any.

The job itself (its thread, its engine stream) lives in the process that started it,
kept a while after it ends. Its state is also written to the database (`save_record`:
every half second while it changes, every HEARTBEAT_SECONDS at least while it runs, and
when it ends), so a page served by another Dockside process shows it too. A running
record whose writes stopped for GONE_AFTER_SECONDS belonged to a process that went away.

Each job belongs to the user who started it; the store hands a job's snapshot to that
user only. Finished jobs are forgotten after KEEP_FINISHED_SECONDS (the audit log, and
for builds their record, keep what happened).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

from django.db import DatabaseError, connections

from ..docker_service import DockerServiceError, current_endpoint

KEEP_FINISHED_SECONDS = 15 * 60
WRITE_EVERY_SECONDS = 0.5
HEARTBEAT_SECONDS = 5.0
GONE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS
GONE = "the Dockside process that ran it stopped before it ended"

logger = logging.getLogger(__name__)


class Job(Protocol):
    id: str
    user_id: int | None
    started: float  # time.time()
    finished: float | None

    def snapshot(self): ...

    def save_record(self) -> None:
        """Write the state other processes read (from a snapshot)."""


J = TypeVar("J", bound=Job)

_jobs: dict[str, Job] = {}
_written: dict[str, float] = {}
_lock = threading.Lock()


def _forget_old() -> None:
    from ..models import JobRecord

    now = time.time()
    with _lock:
        for job_id in [
            job_id
            for job_id, job in _jobs.items()
            if job.finished and now - job.finished > KEEP_FINISHED_SECONDS
        ]:
            del _jobs[job_id]
            _written.pop(job_id, None)
    JobRecord.objects.filter(
        heartbeat__lt=datetime.now(UTC) - timedelta(seconds=KEEP_FINISHED_SECONDS)
    ).delete()


def add(job: J) -> J:
    _forget_old()
    with _lock:
        _jobs[job.id] = job
    persist(job, force=True)
    return job


def persist(job: Job, force: bool = False) -> None:
    """Write the job's record, unless it was written less than half a second ago (`force`:
    whatever the last write). A database that fails now loses a write, not the job."""
    now = time.time()
    with _lock:
        if not force and now - _written.get(job.id, 0.0) < WRITE_EVERY_SECONDS:
            return
        _written[job.id] = now
    try:
        job.save_record()
    except DatabaseError:
        logger.exception("could not write job %s", job.id)


def keep_alive(job: Job) -> None:
    """A thread writing the job's record every HEARTBEAT_SECONDS until it finishes, so a
    quiet job (a long build step, a slow pull) does not read as gone elsewhere."""

    def beat() -> None:
        while job.finished is None:
            time.sleep(HEARTBEAT_SECONDS)
            if job.finished is None:
                persist(job, force=True)
                connections.close_all()  # between beats the connection goes back

    _start(beat, f"beat-{job.id[:8]}")


def in_thread(job: Job, run: Callable[[], None], name: str) -> None:
    """`run` in a daemon thread, with a copy of the request's context (the job's audit
    entry carries its request id), and the job's heartbeat beside it."""
    _start(run, name)
    keep_alive(job)


def _start(work: Callable[[], None], name: str) -> None:
    """A daemon thread running `work` in a copy of this context (the request id, the
    engine: in the job's audit entries and record)."""
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(work,), name=name, daemon=True).start()


def run_in_thread(job, work: Callable[[], object], said: Callable[[Exception], object]) -> None:
    """`work()` in a daemon thread; the job is finished with nothing, or with what `said`
    makes of the engine's error (any other error: its kind, and re-raised)."""

    def run() -> None:
        try:
            work()
        except DockerServiceError as exc:
            job.finish(said(exc))
        except Exception as exc:
            job.finish(f"it stopped: {type(exc).__name__}")
            raise
        else:
            job.finish()
        finally:
            persist(job, force=True)
            connections.close_all()

    in_thread(job, run, f"job-{job.id[:8]}")


def live(job_id: str, user_id: int | None, kind: type[J]) -> J | None:
    """The job itself (to act on it, e.g. cancel), for the user who started it only."""
    with _lock:
        job = _jobs.get(job_id)
    if not isinstance(job, kind) or job.user_id != user_id:
        return None
    return job


def is_gone(heartbeat: datetime | None) -> bool:
    """Whether a running job's last write is too old for its process to be alive."""
    if heartbeat is None:
        return True
    return datetime.now(UTC) - heartbeat > timedelta(seconds=GONE_AFTER_SECONDS)


def record_of(job_id: str, user_id: int | None, kind: str) -> dict | None:
    """A job's record as any process wrote it, for the user who started it only; one whose
    process went away before it ended reads as ended then, with GONE as its error."""
    from ..models import JobRecord

    record = JobRecord.objects.filter(id=job_id, kind=kind, user_id=user_id).first()
    if record is None:
        return None
    data = record.data
    if not record.done and data.get("finished") is None and is_gone(record.heartbeat):
        data = {**data, "error": GONE, "finished": record.heartbeat.timestamp()}
    return data


def save(job: Job, kind: str, data: dict, done: bool, subject: str = "") -> None:
    """Write a JobRecord (the `save_record` of pulls, pushes and stack runs)."""
    from ..models import JobRecord

    JobRecord.objects.update_or_create(
        id=job.id,
        defaults={
            "kind": kind,
            "user_id": job.user_id,
            "subject": subject[:512],
            "data": data,
            "done": done,
            "heartbeat": datetime.now(UTC),
            "endpoint": current_endpoint().name,
        },
    )


def recent(user_id: int | None, kind: type[J], keep: Callable[[J], bool]) -> list[J]:
    """Snapshots of the user's jobs of `kind` in this process that `keep` picks, the
    latest first."""
    with _lock:
        jobs = [job for job in _jobs.values() if isinstance(job, kind) and job.user_id == user_id]
    chosen = [job.snapshot() for job in jobs if keep(job)]
    return sorted(chosen, key=lambda job: job.started, reverse=True)


def get(job_id: str, user_id: int | None, kind: type[J]) -> J | None:
    """The job's snapshot, for the user who started it only."""
    job = live(job_id, user_id, kind)
    return job.snapshot() if job is not None else None
