"""Changes to accounts made in Dockside's own pages and commands, each an audit entry.

Only admins change accounts; a refusal is a failed entry too. The last active admin
cannot be demoted, deactivated or removed: someone must be left to manage the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from audit.actors import Actor
from audit.models import AuditEntry

from .models import Membership, Role, SignInFailures
from .roles import NotAllowed, allows, refusal, role_of


class AccountError(NotAllowed):
    """A change refused for what it would do (the last admin, a taken name)."""

    status = 400


def _audited(actor: Actor | None, action: str, target: str, parameters: dict, change: Callable):
    """Check the actor is an admin (None: the command line, which is the host's), record the
    change as pending, make it, and finish the entry."""
    entry = AuditEntry.begin(
        actor or Actor(None, None),
        action,
        target_kind="account",
        target_name=target[:512],
        parameters={**parameters, **({} if actor else {"via": "manage.py"})},
    )
    try:
        if actor is not None and not allows(actor.user, Role.ADMIN):
            raise NotAllowed(refusal(actor.user, Role.ADMIN, "managing accounts"))
        with transaction.atomic():
            result = change()
    except Exception as exc:
        entry.finish(AuditEntry.Outcome.FAILED, error=str(exc)[:2000])
        raise
    entry.finish(AuditEntry.Outcome.SUCCEEDED)
    return result


def active_admins() -> int:
    users = get_user_model().objects.filter(is_active=True)
    return sum(1 for user in users.select_related("membership") if role_of(user) == Role.ADMIN)


def _keep_an_admin(user, losing: bool) -> None:
    if losing and role_of(user) == Role.ADMIN and active_admins() <= 1:
        raise AccountError(f"{user.get_username()} is the last active admin: make another first")


def create_account(actor: Actor | None, username: str, password: str, role: str):
    def change():
        model = get_user_model()
        if model.objects.filter(username=username).exists():
            raise AccountError(f"the name {username} is taken")
        user = model.objects.create_user(username, password=password)
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True  # the Django admin too
            user.save(update_fields=["is_staff", "is_superuser"])
        Membership.objects.create(user=user, role=role)
        return user

    return _audited(actor, "account_create", username, {"role": role}, change)


def set_role(actor: Actor | None, user, role: str) -> None:
    def change():
        _keep_an_admin(user, losing=role != Role.ADMIN)
        admin = role == Role.ADMIN
        if user.is_superuser != admin or user.is_staff != admin:
            user.is_superuser = user.is_staff = admin
            user.save(update_fields=["is_superuser", "is_staff"])
        Membership.objects.update_or_create(user=user, defaults={"role": role})

    was = role_of(user)
    _audited(actor, "account_role", user.get_username(), {"from": was, "to": role}, change)


def set_active(actor: Actor | None, user, active: bool) -> None:
    def change():
        _keep_an_admin(user, losing=not active)
        user.is_active = active
        user.save(update_fields=["is_active"])

    action = "account_activate" if active else "account_deactivate"
    _audited(actor, action, user.get_username(), {}, change)


def set_password(actor: Actor | None, user, password: str) -> None:
    def change():
        user.set_password(password)
        user.save(update_fields=["password"])

    _audited(actor, "account_password", user.get_username(), {}, change)


def delete_account(actor: Actor | None, user) -> None:
    def change():
        _keep_an_admin(user, losing=True)
        user.delete()

    _audited(actor, "account_delete", user.get_username(), {}, change)


def lift_lockout(actor: Actor | None, key: str) -> None:
    def change():
        SignInFailures.objects.filter(key=key).delete()

    _audited(actor, "signin_unlock", key, {}, change)
