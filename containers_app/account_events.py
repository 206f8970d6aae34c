"""Logins, logouts and failed logins go to the audit log."""

from __future__ import annotations

from django.contrib.auth import signals

from . import actions


def _logged_in(sender, request, user, **kwargs) -> None:
    actions.record_account_event(
        actions.Actor(user, actions.client_ip(request)), "login", user.get_username(), True
    )


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        actor = actions.Actor(user, actions.client_ip(request) if request else None)
        actions.record_account_event(actor, "logout", user.get_username(), True)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    actor = actions.Actor(None, actions.client_ip(request) if request else None)
    actions.record_account_event(actor, "login_failed", credentials.get("username", ""), False)


def connect() -> None:
    signals.user_logged_in.connect(_logged_in, dispatch_uid="dockside-audit-login")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="dockside-audit-logout")
    signals.user_login_failed.connect(_login_failed, dispatch_uid="dockside-audit-login-failed")
