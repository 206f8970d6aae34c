"""The audit log: one row per action, written as pending before anything is done.

Every other part of Dockside writes here through `containers_app.actions`;
logins and logouts are recorded by this app itself (account_events.py). A
finished entry is sealed into a hash chain (chain.py): its number in the chain,
the previous entry's hash and its own, so an edited or deleted row is found.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from containers_app import request_context

from . import bounds, chain, copies
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
    sequence = models.BigIntegerField(null=True, blank=True, unique=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    # The request (or websocket session) that ran it: its log lines carry the same id.
    request_id = models.CharField(max_length=32, blank=True, db_index=True)
    endpoint = models.CharField(max_length=64, blank=True, db_index=True)  # the engine's name

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.outcome}"

    @classmethod
    def begin(cls, actor: Actor, action: str, **fields) -> AuditEntry:
        """A pending entry: who, from where, what; `finish` completes it."""
        return cls.objects.create(
            user=actor.user,
            username=actor.username,
            source_ip=actor.ip,
            action=action,
            request_id=request_context.current(),
            **bounds.bounded(fields),
        )

    def finish(self, outcome: str, error: str = "", **changes) -> None:
        """Complete the entry and seal it into the chain (once: a sealed entry is final)."""
        if self.sequence is not None:
            raise ValueError(f"audit entry {self.pk} is already finished")
        self.finished_at = timezone.now()
        self.duration = self.finished_at - self.started_at
        self.outcome = outcome
        self.error = error
        for name, value in changes.items():
            setattr(self, name, value)
        # Whatever was set meanwhile (an exit code, an override) is bounded too.
        bounded = bounds.bounded(
            {"parameters": self.parameters, "command": self.command, "error": self.error}
        )
        self.parameters, self.command, self.error = (
            bounded["parameters"],
            bounded["command"],
            bounded["error"],
        )
        with transaction.atomic():
            head = ChainHead.locked()
            self.sequence = head.sequence + 1
            self.previous_hash = head.hash
            self.save()
            # The hash is of the row as stored, read back as `verify_audit` reads it.
            stored = AuditEntry.objects.filter(pk=self.pk).values(*chain.FIELDS).get()
            self.hash = chain.digest(stored)
            AuditEntry.objects.filter(pk=self.pk).update(hash=self.hash)
            head.sequence, head.hash = self.sequence, self.hash
            head.save()
            record = chain.record(stored, self.hash)
            transaction.on_commit(lambda: copies.append(record))

    @property
    def duration_ms(self) -> float | None:
        return self.duration.total_seconds() * 1000 if self.duration is not None else None


class ChainHead(models.Model):
    """The last sealed entry's number and hash (one row): what the next entry links to.

    Locked while an entry is sealed, so two entries never take one number."""

    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"chain head #{self.sequence}"

    @classmethod
    def locked(cls) -> ChainHead:
        head = cls.objects.select_for_update().filter(pk=1).first()
        if head is None:  # made by the migration; if it was deleted, the last entry leads on
            last = AuditEntry.objects.exclude(sequence=None).order_by("-sequence").first()
            head = cls.objects.create(
                pk=1,
                sequence=last.sequence if last else 0,
                hash=last.hash if last else chain.GENESIS,
            )
        return head


class Verification(models.Model):
    """One check of the chain (`manage.py verify_audit`, or an admin's button on /audit/)."""

    checked_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    entries = models.BigIntegerField(default=0)
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M:%S} {'intact' if self.ok else self.problem}"
