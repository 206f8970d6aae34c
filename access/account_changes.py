"""What happens to accounts, wherever it is done: changes made in the Django admin go to the
audit log, and a sign-out, a deactivation, a new role or a new password closes the user's
open websockets at once."""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model, signals
from django.db.models.signals import post_delete, post_save, pre_save

from audit.actors import Actor
from audit.models import AuditEntry

from .models import Membership, Role
from .sessions import revoke, session_group, user_group

ADMIN_ACTIONS = {ADDITION: "admin_add", CHANGE: "admin_change", DELETION: "admin_delete"}


def _admin_logged(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    """The Django admin records each change it makes: so does the audit log, with who."""
    if not created:
        return
    model = instance.content_type.model if instance.content_type else "object"
    entry = AuditEntry.begin(
        Actor(instance.user, None),
        ADMIN_ACTIONS.get(instance.action_flag, "admin_change"),
        target_kind=model[:20],
        target_id=str(instance.object_id or "")[:128],
        target_name=str(instance.object_repr)[:512],
        parameters={"change": instance.get_change_message()[:2000]},
    )
    entry.finish(AuditEntry.Outcome.SUCCEEDED)


def _signed_out(sender, request, user, **kwargs) -> None:
    if request is not None and request.session.session_key:
        revoke(session_group(request.session.session_key), "signed out")


def _user_saving(sender, instance, **kwargs) -> None:
    """Note what the row held, to see after saving what changed."""
    if instance.pk:
        old = sender.objects.filter(pk=instance.pk).values("password", "is_active", "is_superuser")
        instance._dockside_before = old.first()


def _user_saved(sender, instance, created: bool, **kwargs) -> None:
    before = getattr(instance, "_dockside_before", None)
    if created or not before:
        return
    if not instance.is_active:
        revoke(user_group(instance.pk), "the account was deactivated")
    elif before["password"] != instance.password:
        revoke(user_group(instance.pk), "the password was changed")
    elif before["is_superuser"] != instance.is_superuser:
        if not instance.is_superuser:  # unticked in /admin/: no longer an admin here either
            Membership.objects.filter(user=instance, role=Role.ADMIN).update(role=Role.VIEWER)
        revoke(user_group(instance.pk), "the role changed")


def _user_deleted(sender, instance, **kwargs) -> None:
    revoke(user_group(instance.pk), "the account was removed")


def _role_changed(sender, instance: Membership, **kwargs) -> None:
    revoke(user_group(instance.user_id), "the role changed")


def connect() -> None:
    user = get_user_model()
    post_save.connect(_admin_logged, sender=LogEntry, dispatch_uid="dockside-admin-audit")
    signals.user_logged_out.connect(_signed_out, dispatch_uid="dockside-signed-out")
    pre_save.connect(_user_saving, sender=user, dispatch_uid="dockside-user-saving")
    post_save.connect(_user_saved, sender=user, dispatch_uid="dockside-user-saved")
    post_delete.connect(_user_deleted, sender=user, dispatch_uid="dockside-user-deleted")
    post_save.connect(_role_changed, sender=Membership, dispatch_uid="dockside-role-saved")
    post_delete.connect(_role_changed, sender=Membership, dispatch_uid="dockside-role-deleted")
