"""Builds that outlive their request: a thread each, the engine's output folded into steps.

The classic builder says `Step N/M : INSTRUCTION` before each step and ` ---> Using cache`
when a step comes from the cache; each step's duration is the time to the next one. The
job keeps the steps in memory while it runs and writes them to its Build record at the
end, so its page can be opened again once the job is forgotten.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.db import connections
from django.utils import timezone

from access import roles

from .. import actions, cli
from ..docker_service import BuildCancelled, BuildStream, DockerServiceError, current_endpoint
from ..models import Build
from ..pages.engine_errors import explain
from ..specs import BuildSpec
from . import store

STEP = re.compile(r"Step (\d+)/(\d+) : (.*)")
CACHED = " ---> Using cache"
STEP_LINES = 2000  # lines kept per step: the first and the newest, with a marker between


@dataclass
class BuildStep:
    number: int
    total: int
    instruction: str
    started: float
    ended: float | None = None
    cached: bool = False
    failed: bool = False
    output: list[str] = field(default_factory=list)
    skipped: int = 0

    def add(self, line: str) -> None:
        if len(self.output) >= STEP_LINES:
            del self.output[STEP_LINES // 2]
            self.skipped += 1
        self.output.append(line)

    def as_dict(self, now: float) -> dict:
        return {
            "number": self.number,
            "total": self.total,
            "instruction": self.instruction,
            "seconds": round((self.ended or now) - self.started, 2),
            "running": self.ended is None,
            "cached": self.cached,
            "failed": self.failed,
            "output": list(self.output),
            "skipped": self.skipped,
        }


@dataclass
class BuildJob:
    id: str
    user_id: int | None
    tags: tuple[str, ...]
    command: str
    started: float = field(default_factory=time.time)
    steps_in_progress: list[BuildStep] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # lines outside the steps
    steps: list[dict] = field(default_factory=list)  # a snapshot's steps, drawn
    image_id: str = ""
    state: str = Build.State.RUNNING
    error: str = ""
    engine_message: str = ""
    finished: float | None = None
    stream: BuildStream | None = field(default=None, repr=False)
    cancel_asked: bool = False
    pending: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def apply(self, item: dict) -> None:
        """Fold one item of the engine's output into the steps."""
        with self.lock:
            if aux := item.get("aux"):
                self.image_id = aux.get("ID", self.image_id)
            if status := item.get("status"):  # a pull FROM or --pull makes
                self._line(f"{item['id']}: {status}" if item.get("id") else status)
            text = self.pending + item.get("stream", "")
            *lines, self.pending = text.split("\n")
            for line in lines:
                self._line(line.rstrip("\r"))
        store.persist(self)

    def _line(self, line: str) -> None:
        now = time.time()
        if match := STEP.fullmatch(line):
            if self.steps_in_progress:
                self.steps_in_progress[-1].ended = now
            number, total, instruction = int(match[1]), int(match[2]), match[3]
            self.steps_in_progress.append(BuildStep(number, total, instruction, now))
        elif self.steps_in_progress:
            step = self.steps_in_progress[-1]
            step.cached = step.cached or line == CACHED
            if line.startswith("Successfully "):
                self.messages.append(line)
            elif line:
                step.add(line)
        elif line:
            self.messages.append(line)

    def finish(self, state: str, error=None) -> None:
        with self.lock:
            now = time.time()
            if self.pending:
                self._line(self.pending)
                self.pending = ""
            if self.steps_in_progress and self.steps_in_progress[-1].ended is None:
                last = self.steps_in_progress[-1]
                last.ended, last.failed = now, state == Build.State.FAILED
            if error is not None:
                explained = explain(error)
                self.error, self.engine_message = explained.sentence, explained.engine_message
            self.state, self.finished = state, now

    @property
    def done(self) -> bool:
        return self.state != Build.State.RUNNING

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    @property
    def failed_step(self) -> dict | None:
        return next((step for step in self.steps if step["failed"]), None)

    def snapshot(self) -> BuildJob:
        with self.lock:
            copy = BuildJob(self.id, self.user_id, self.tags, self.command, self.started)
            copy.steps = [step.as_dict(time.time()) for step in self.steps_in_progress]
            copy.messages = list(self.messages)
            copy.image_id, copy.state, copy.finished = self.image_id, self.state, self.finished
            copy.error, copy.engine_message = self.error, self.engine_message
            return copy

    def record(self) -> dict:
        """What the Build record keeps (from a snapshot)."""
        return {
            "seconds": round(self.elapsed, 2),
            "state": self.state,
            "image_id": self.image_id,
            "steps": self.steps,
            "messages": self.messages,
            "error": " ".join(filter(None, [self.error, self.engine_message])),
            "finished_at": timezone.now() if self.done else None,
        }

    def save_record(self) -> None:
        """The Build record as it stands, and a cancel asked through another process."""
        job = self.snapshot()
        updated = Build.objects.filter(id=job.id, state=Build.State.RUNNING).update(
            **job.record(), heartbeat=timezone.now()
        )
        asked = Build.objects.filter(id=job.id, cancel_requested=True)
        if updated and not job.done and asked.exists():
            self.cancel()

    def attach(self, stream: BuildStream) -> None:
        with self.lock:
            self.stream = stream
            cancel = self.cancel_asked
        if cancel:
            stream.cancel()

    def cancel(self) -> None:
        with self.lock:
            self.cancel_asked = True
            stream = self.stream
        if stream is not None and not self.done:
            stream.cancel()


def start_build(
    actor: actions.Actor,
    spec: BuildSpec,
    context: Callable[[], IO[bytes]],
    override: bool = False,
) -> BuildJob:
    """Start the build in a thread; `context` makes the context's tar once the action has
    checked the role and the policy."""
    user_id = actor.user.pk if actor.user else None
    job = BuildJob(uuid.uuid4().hex, user_id, spec.tags, cli.command(spec, mask=True))
    store.add(job)  # before its record: a running record with no job is an interrupted one
    Build.objects.create(
        id=job.id,
        user_id=user_id,
        command=job.command,
        tags=list(spec.tags),
        heartbeat=timezone.now(),
        endpoint=current_endpoint().name,
    )

    def run() -> None:
        try:
            actions.build_image(actor, spec, context, job.apply, job.attach, override)
        except BuildCancelled:
            job.finish(Build.State.CANCELLED)
        except DockerServiceError as exc:
            job.finish(Build.State.FAILED, exc)
        except Exception as exc:
            job.finish(Build.State.FAILED, DockerServiceError(type(exc).__name__))
            raise
        else:
            job.finish(Build.State.SUCCEEDED)
        finally:
            Build.objects.filter(id=job.id).update(**job.snapshot().record())
            connections.close_all()

    store.in_thread(job, run, f"build-{job.id[:8]}")
    return job


def get_build(build_id: str, user) -> BuildJob | Build | None:
    """The build's live snapshot for who started it, else its record (theirs, or any for an
    admin); None for anyone else."""
    job = store.get(build_id, user.pk, BuildJob)
    if job is not None:
        return job
    record = Build.objects.filter(id=build_id).first()
    if record is None or not (record.user_id == user.pk or _is_admin(user)):
        return None
    if (
        record.state == Build.State.RUNNING
        and store.live(build_id, record.user_id, BuildJob) is None
        and store.is_gone(record.heartbeat)
    ):
        # Running in no process: the one that ran it stopped (another's keeps its heartbeat).
        record.state, record.error = Build.State.INTERRUPTED, "the server stopped while it ran"
        record.save(update_fields=["state", "error"])
    return record


def cancel_build(build_id: str, user) -> bool:
    """Cancel the user's own build: here, or through the record for the process that runs
    it (it reads the request within half a second of the build's next output, or at its
    next heartbeat)."""
    job = store.live(build_id, user.pk, BuildJob)
    if job is not None:
        job.cancel()
        return True
    running = Build.objects.filter(id=build_id, user_id=user.pk, state=Build.State.RUNNING)
    return running.update(cancel_requested=True) > 0


def _is_admin(user) -> bool:
    return roles.allows(user, roles.Role.ADMIN)
