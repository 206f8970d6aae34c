"""Jobs that outlive their request, kept in this process while they run and a while after.

Each job belongs to the user who started it; the store hands a job's snapshot to
that user only. Finished jobs are forgotten after KEEP_FINISHED_SECONDS (the audit
log, and for builds their record, keep what happened).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from django.db import connections

from ..docker_service import DockerServiceError

KEEP_FINISHED_SECONDS = 15 * 60


class Job(Protocol):
    id: str
    user_id: int | None
    finished: float | None

    def snapshot(self): ...


J = TypeVar("J", bound=Job)

_jobs: dict[str, Job] = {}
_lock = threading.Lock()


def _forget_old() -> None:
    now = time.monotonic()
    with _lock:
        for job_id in [
            job_id
            for job_id, job in _jobs.items()
            if job.finished and now - job.finished > KEEP_FINISHED_SECONDS
        ]:
            del _jobs[job_id]


def add(job: J) -> J:
    _forget_old()
    with _lock:
        _jobs[job.id] = job
    return job


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
            connections.close_all()

    threading.Thread(target=run, name=f"job-{job.id[:8]}", daemon=True).start()


def live(job_id: str, user_id: int | None, kind: type[J]) -> J | None:
    """The job itself (to act on it, e.g. cancel), for the user who started it only."""
    with _lock:
        job = _jobs.get(job_id)
    if not isinstance(job, kind) or job.user_id != user_id:
        return None
    return job


def recent(user_id: int | None, kind: type[J], keep: Callable[[J], bool]) -> list[J]:
    """Snapshots of the user's jobs of `kind` that `keep` picks, the latest first."""
    with _lock:
        jobs = [job for job in _jobs.values() if isinstance(job, kind) and job.user_id == user_id]
    chosen = [job.snapshot() for job in jobs if keep(job)]
    return sorted(chosen, key=lambda job: job.started, reverse=True)


def get(job_id: str, user_id: int | None, kind: type[J]) -> J | None:
    """The job's snapshot, for the user who started it only."""
    job = live(job_id, user_id, kind)
    return job.snapshot() if job is not None else None
