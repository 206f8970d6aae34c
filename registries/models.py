"""A registry Dockside pushes to and pulls from with stored credentials."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .sealing import seal, unseal


class Registry(models.Model):
    """An address (`127.0.0.1:5000`, `ghcr.io`, `docker.io`) and who to sign in as.

    The password or token is kept sealed (see sealing.py); nothing shows it back.
    """

    address = models.CharField(max_length=255, unique=True)
    username = models.CharField(max_length=255, blank=True)
    sealed_secret = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    added_at = models.DateTimeField(auto_now_add=True)
    last_login_ok = models.DateTimeField(null=True, blank=True)
    last_login_message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "registries"

    def __str__(self) -> str:
        return self.address

    @property
    def has_secret(self) -> bool:
        return bool(self.sealed_secret)

    def set_secret(self, plain: str) -> None:
        self.sealed_secret = seal(plain)

    def auth_config(self) -> dict | None:
        """What the engine takes as X-Registry-Auth for this registry; None without a user."""
        if not self.username:
            return None
        return {
            "username": self.username,
            "password": unseal(self.sealed_secret),
            "serveraddress": self.address,
        }

    @classmethod
    def for_reference(cls, domain: str) -> Registry | None:
        """The stored registry an image reference's domain names (Docker Hub as docker.io)."""
        return cls.objects.filter(address__in=_spellings(domain)).first()


HUB_SPELLINGS = ("docker.io", "index.docker.io", "registry-1.docker.io")


def _spellings(domain: str) -> tuple[str, ...]:
    return HUB_SPELLINGS if domain in HUB_SPELLINGS or not domain else (domain,)
