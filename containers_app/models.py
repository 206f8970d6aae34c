"""What Dockside keeps of the engine: the events it saw. Containers and images are never
copied here; they are read live from the engine."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import models


class EngineEvent(models.Model):
    """An engine event Dockside saw (`docker events`); the newest KEEP are kept."""

    KEEP = 10_000

    time = models.DateTimeField(db_index=True)
    time_nano = models.BigIntegerField(db_index=True)
    type = models.CharField(max_length=20, db_index=True)
    action = models.CharField(max_length=80, db_index=True)
    actor_id = models.CharField(max_length=256, blank=True)
    actor_name = models.CharField(max_length=512, blank=True, db_index=True)
    attributes = models.JSONField(default=dict, blank=True)
    endpoint = models.CharField(max_length=64, default="local", db_index=True)

    class Meta:
        ordering = ["-time_nano", "-id"]

    def __str__(self) -> str:
        return f"{self.time:%H:%M:%S} {self.type} {self.action} {self.actor_name}"

    @classmethod
    def from_engine(cls, event: dict) -> EngineEvent:
        """An (unsaved) entry for one item of the engine's event stream."""
        actor = event.get("Actor") or {}
        attributes = actor.get("Attributes") or {}
        moment = event.get("timeNano") or int(event.get("time", 0)) * 10**9
        return cls(
            time=datetime.fromtimestamp(moment / 1e9, UTC),
            time_nano=moment,
            type=event.get("Type", ""),
            action=(event.get("Action") or "")[:80],
            actor_id=(actor.get("ID") or "")[:256],
            actor_name=(attributes.get("name") or actor.get("ID") or "")[:512],
            attributes=attributes,
        )

    @classmethod
    def record(cls, event: dict, endpoint: str = "local") -> EngineEvent:
        """Keep what engine `endpoint` (its name) said happened."""
        entry = cls.from_engine(event)
        entry.endpoint = endpoint
        entry.save()
        if entry.pk % 200 == 0:
            ids = cls.objects.order_by("-id").values_list("id", flat=True)
            cutoff = ids[cls.KEEP : cls.KEEP + 1].first()
            if cutoff is not None:
                cls.objects.filter(id__lte=cutoff).delete()
        return entry


class Build(models.Model):
    """A build Dockside ran: what was asked, each step with its output, how it ended.

    Written when the build starts and again when it ends, so a build page can be opened
    again after its job is forgotten, and an image links back to the build that made it.
    """

    class State(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"
        INTERRUPTED = "interrupted"  # the server stopped while it ran

    id = models.CharField(primary_key=True, max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    state = models.CharField(max_length=12, choices=State.choices, default=State.RUNNING)
    command = models.TextField()
    tags = models.JSONField(default=list)
    image_id = models.CharField(max_length=80, blank=True, db_index=True)
    steps = models.JSONField(default=list)
    messages = models.JSONField(default=list)
    error = models.TextField(blank=True)
    # Written every few seconds while it runs, by whichever process runs it: a running
    # build whose heartbeat stopped was interrupted (its server went away).
    heartbeat = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)  # asked through another process
    endpoint = models.CharField(max_length=64, default="local")  # the engine it ran on

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"build {', '.join(self.tags)} ({self.state})"

    @property
    def done(self) -> bool:
        return self.state != self.State.RUNNING

    @property
    def elapsed(self) -> float:
        return self.seconds

    @property
    def failed_step(self) -> dict | None:
        return next((step for step in self.steps if step.get("failed")), None)


class JobRecord(models.Model):
    """A pull's, push's or stack run's state as its process last wrote it (every half
    second while it changes, every few seconds at least while it runs), so any Dockside
    process can show it: several processes serve one Dockside."""

    id = models.CharField(primary_key=True, max_length=32)
    kind = models.CharField(max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(max_length=512, blank=True, db_index=True)  # a stack's name
    data = models.JSONField(default=dict)
    done = models.BooleanField(default=False)
    heartbeat = models.DateTimeField()
    endpoint = models.CharField(max_length=64, default="local")  # the engine it ran on

    class Meta:
        ordering = ["-heartbeat"]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"
