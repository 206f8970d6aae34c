"""Logins, logouts and failed logins go to the audit log."""

from __future__ import annotations

from django.contrib.auth import signals

from .actors import Actor, client_ip
from .models import AuditEntry


def record(actor: Actor, action: str, username: str, succeeded: bool, error: str = "") -> None:
    name = username.replace("\x00", "\ufffd")[:512]  # a NUL is refused by PostgreSQL
    entry = AuditEntry.begin(actor, action, target_kind="account", target_name=name)
    outcome = AuditEntry.Outcome.SUCCEEDED if succeeded else AuditEntry.Outcome.FAILED
    entry.finish(outcome, error=error)


def _logged_in(sender, request, user, **kwargs) -> None:
    record(Actor(user, client_ip(request)), "login", user.get_username(), True)


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(
            Actor(user, client_ip(request) if request else None),
            "logout",
            user.get_username(),
            True,
        )


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    actor = Actor(None, client_ip(request) if request else None)
    record(actor, "login_failed", credentials.get("username", ""), False)


def connect() -> None:
    signals.user_logged_in.connect(_logged_in, dispatch_uid="dockside-audit-login")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="dockside-audit-logout")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="dockside-audit-login-failed")
