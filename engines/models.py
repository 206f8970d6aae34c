"""The Docker engines an admin added beside `local` (the one DOCKER_HOST points to)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from containers_app.docker_service import Endpoint, TLSMaterial
from registries.sealing import seal, unseal


class Engine(models.Model):
    """A named endpoint: `unix:///path`, `tcp://host:port` (with TLS client certificates, or
    plain on a trusted network) or `ssh://user@host`.

    The client key is kept sealed (registries/sealing.py), like registry passwords; the
    CA and client certificates are public and kept as they are.
    """

    name = models.SlugField(max_length=40, unique=True)
    url = models.CharField(max_length=255, unique=True)
    tls_ca = models.TextField(blank=True)
    tls_cert = models.TextField(blank=True)
    sealed_key = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    added_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def uses_tls(self) -> bool:
        return bool(self.tls_cert)

    @property
    def kind(self) -> str:
        scheme = self.url.partition("://")[0]
        return "tcp + TLS" if scheme == "tcp" and self.uses_tls else scheme

    def set_key(self, plain: str) -> None:
        self.sealed_key = seal(plain)

    def key_text(self) -> str:
        return unseal(self.sealed_key)

    def endpoint(self) -> Endpoint:
        tls = None
        if self.uses_tls:
            tls = TLSMaterial(self.tls_ca, self.tls_cert, self.key_text())
        return Endpoint(self.name, self.url, tls, revision=self.changed_at.isoformat())
