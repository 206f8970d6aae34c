"""Who asks, and from where: what the audit log records about the person."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest


@dataclass(frozen=True)
class Actor:
    user: AbstractBaseUser | None
    ip: str | None

    @classmethod
    def from_request(cls, request: HttpRequest | None) -> Actor:
        ip = client_ip(request) if request is not None else None
        return cls(signed_in(getattr(request, "user", None)), ip)

    @classmethod
    def from_scope(cls, scope) -> Actor:
        """Who opened a websocket (Channels' scope, after the auth middleware)."""
        return cls(signed_in(scope.get("user")), (scope.get("client") or [None])[0])

    @property
    def username(self) -> str:
        return self.user.get_username() if self.user else ""


def signed_in(user) -> AbstractBaseUser | None:
    """The user if signed in (not Django's AnonymousUser), else None."""
    return user if user is not None and user.is_authenticated else None


def client_ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
