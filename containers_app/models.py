"""The audit log: one row per action, written as pending before Docker is called.

Containers and images are never copied here: they are read live from the engine.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", "pending"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    username = models.CharField(max_length=150, blank=True, db_index=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    target_kind = models.CharField(max_length=20, blank=True)
    target_id = models.CharField(max_length=128, blank=True)
    target_name = models.CharField(max_length=512, blank=True, db_index=True)
    parameters = models.JSONField(default=dict, blank=True)
    command = models.TextField(blank=True)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    error = models.TextField(blank=True)
    duration = models.DurationField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.outcome}"

    def finish(self, outcome: str, error: str = "", **changes) -> None:
        self.finished_at = timezone.now()
        self.duration = self.finished_at - self.started_at
        self.outcome = outcome
        self.error = error
        for name, value in changes.items():
            setattr(self, name, value)
        self.save()

    @property
    def duration_ms(self) -> float | None:
        return self.duration.total_seconds() * 1000 if self.duration is not None else None


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
    def record(cls, event: dict) -> EngineEvent:
        entry = cls.from_engine(event)
        entry.save()
        if entry.pk % 200 == 0:
            ids = cls.objects.order_by("-id").values_list("id", flat=True)
            cutoff = ids[cls.KEEP : cls.KEEP + 1].first()
            if cutoff is not None:
                cls.objects.filter(id__lte=cutoff).delete()
        return entry
