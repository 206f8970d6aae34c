"""Pulls and pushes that outlive their request: a thread each, progress kept per layer.

The form starts a job and answers at once; the progress page reads the job's
snapshot (htmx polls it, or the page refreshes itself without JavaScript).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from .. import actions
from ..pages.engine_errors import Explained, explain
from ..specs import PullSpec, PushSpec
from . import store

KEEP_MESSAGES = 200  # the record keeps the last ones
LAYER_STATUSES_DONE = {
    "Pull complete",
    "Already exists",
    "Download complete",
    "Pushed",
    "Layer already exists",
}


@dataclass(frozen=True)
class LayerProgress:
    id: str
    status: str
    current: int = 0
    total: int = 0

    @property
    def percent(self) -> int | None:
        if self.total > 0:
            return min(100, round(100 * self.current / self.total))
        done = self.status in LAYER_STATUSES_DONE or self.status.startswith("Mounted from")
        return 100 if done else None


@dataclass
class PullJob:
    """A pull or a push (`verb`), layer by layer."""

    id: str
    user_id: int | None
    reference: str
    verb: str = "pull"
    started: float = field(default_factory=time.time)
    layers: dict[str, LayerProgress] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    done: bool = False
    error: str = ""
    engine_message: str = ""
    finished: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def apply(self, item: dict) -> None:
        """Fold one progress item from the engine into the per-layer view."""
        status = item.get("status", "")
        layer = item.get("id")
        with self.lock:
            if layer and status and not status.startswith(("Pulling from", "The push refers")):
                detail = item.get("progressDetail") or {}
                previous = self.layers.get(layer)
                self.layers[layer] = LayerProgress(
                    layer,
                    status,
                    detail.get("current") or (previous.current if previous else 0),
                    detail.get("total") or (previous.total if previous else 0),
                )
            elif status:
                self.messages.append(f"{layer}: {status}" if layer else status)
        store.persist(self)

    def finish(self, error: Explained | str = "") -> None:
        with self.lock:
            self.done = True
            self.error = error.sentence if isinstance(error, Explained) else error
            self.engine_message = error.engine_message if isinstance(error, Explained) else ""
            self.finished = time.time()

    def snapshot(self) -> PullJob:
        with self.lock:
            return replace(self, layers=dict(self.layers), messages=list(self.messages))

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    def save_record(self) -> None:
        job = self.snapshot()
        data = {
            "reference": job.reference,
            "verb": job.verb,
            "started": job.started,
            "layers": [asdict(layer) for layer in job.layers.values()],
            "messages": job.messages[-KEEP_MESSAGES:],
            "error": job.error,
            "engine_message": job.engine_message,
            "finished": job.finished,
        }
        store.save(job, "pull", data, job.done)

    @classmethod
    def from_record(cls, job_id: str, user_id: int | None) -> PullJob | None:
        """The job as another process wrote it (finished, if that process went away)."""
        data = store.record_of(job_id, user_id, "pull")
        if data is None:
            return None
        job = cls(job_id, user_id, data["reference"], data["verb"], data["started"])
        job.layers = {layer["id"]: LayerProgress(**layer) for layer in data["layers"]}
        job.messages = list(data["messages"])
        job.error, job.engine_message = data["error"], data["engine_message"]
        job.finished = data["finished"]
        job.done = job.finished is not None
        return job


def _start(job: PullJob, work: Callable[[], object]) -> PullJob:
    store.add(job)
    store.run_in_thread(job, work, explain)
    return job


def start_pull(actor: actions.Actor, spec: PullSpec) -> PullJob:
    job = PullJob(uuid.uuid4().hex, actor.user.pk if actor.user else None, spec.reference)
    return _start(job, lambda: actions.pull_image(actor, spec, progress=job.apply))


def start_push(actor: actions.Actor, spec: PushSpec) -> PullJob:
    job = PullJob(uuid.uuid4().hex, actor.user.pk if actor.user else None, spec.target, "push")
    return _start(job, lambda: actions.push_image(actor, spec, progress=job.apply))


def get_job(job_id: str, user_id: int | None, verb: str = "pull") -> PullJob | None:
    """The pull's (or push's) snapshot, for the user who started it only."""
    job = store.get(job_id, user_id, PullJob) or PullJob.from_record(job_id, user_id)
    return job if job is not None and job.verb == verb else None
