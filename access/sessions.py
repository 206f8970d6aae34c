"""Open websockets follow their user: they close when the user signs out, is deactivated,
changes role or password (Channels groups `user.<id>` and `session.<key>`)."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

REVOKED = "session.revoked"  # the message; consumers close with 4401 on it


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    return f"session.{session_key}"


def groups_of(scope) -> list[str]:
    """The groups a socket opened by this scope's user and session listens to."""
    user = scope.get("user")
    session = scope.get("session")
    groups = [user_group(user.pk)] if user is not None and user.pk else []
    if session is not None and session.session_key:
        groups.append(session_group(session.session_key))
    return groups


def revoke(group: str, reason: str) -> None:
    """Close every socket listening to `group` (from synchronous code: views, signals)."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, {"type": REVOKED, "reason": reason})
