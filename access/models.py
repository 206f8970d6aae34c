"""A user's role, the host-access policy, and the record of failed sign-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "viewer"
    OPERATOR = "operator", "operator"
    ADMIN = "admin", "admin"


class Membership(models.Model):
    """A user's role; a user without one is a viewer, a superuser always an admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class HostPolicy(models.Model):
    """What a container may get of the host (one row). The defaults give it nothing."""

    bind_roots = models.TextField(
        blank=True,
        help_text="Host directories bind mounts may come from, one absolute path per line"
        " (none: no bind mounts). The Docker socket is never one of them.",
    )
    capabilities = models.TextField(
        blank=True,
        help_text="Capabilities --cap-add may add, one per line (such as NET_BIND_SERVICE).",
    )
    allow_privileged = models.BooleanField(default=False)
    allow_host_namespaces = models.BooleanField(default=False)
    allow_devices = models.BooleanField(default=False)
    allow_sysctls = models.BooleanField(default=False)
    allow_unconfined = models.BooleanField(default=False)
    allow_root_with_binds = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "host-access policy"

    def __str__(self) -> str:
        return "host-access policy"

    @classmethod
    def current(cls) -> HostPolicy:
        return cls.objects.get_or_create(pk=1)[0]

    def root_list(self) -> list[str]:
        return [line.strip() for line in self.bind_roots.splitlines() if line.strip()]

    def capability_list(self) -> set[str]:
        return {line.strip().upper().removeprefix("CAP_") for line in self.capabilities.split()}


class SignInFailures(models.Model):
    """Failed sign-ins in a row for one username or one source address (`key`)."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
