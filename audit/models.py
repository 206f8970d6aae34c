"""The audit log: one row per action, written as pending before anything is done.

Every other part of Dockside writes here through `containers_app.actions`;
logins and logouts are recorded by this app itself (account_events.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .actors import Actor


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

    @classmethod
    def begin(cls, actor: Actor, action: str, **fields) -> AuditEntry:
        """A pending entry: who, from where, what; `finish` completes it."""
        return cls.objects.create(
            user=actor.user, username=actor.username, source_ip=actor.ip, action=action, **fields
        )

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
