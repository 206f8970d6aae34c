"""What Dockside keeps of the engine: the events it saw. Containers and images are never
copied here; they are read live from the engine."""

from __future__ import annotations

from datetime import UTC, datetime

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
