"""Who may do what: viewer < operator < admin, checked where each action happens.

A viewer sees lists, details, logs, stats, events and the audit log of their own
actions. An operator also starts, stops, restarts, kills, pauses, runs one-shot
commands and terminals, runs and creates containers (within the host-access
policy) and pulls, creates volumes (within the policy too) and networks, connects
containers to networks, builds, pushes, saves and loads images, and tests and browses
the registries an admin stored. An admin does everything else: removing, renaming,
committing, tagging, pruning, registries and their credentials, users, roles and the
policy. Superusers are admins.
"""

from __future__ import annotations

from containers_app.docker_service import DockerServiceError

from .models import Membership, Role

RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}

# Every audited action, with the role it takes and what it is, in words. An action not
# listed takes the admin role.
NEEDS = {
    "logs_download": (Role.VIEWER, "downloading logs"),
    "pull": (Role.OPERATOR, "pulling images"),
    "run": (Role.OPERATOR, "running containers"),
    "create": (Role.OPERATOR, "creating containers"),
    "start": (Role.OPERATOR, "starting containers"),
    "stop": (Role.OPERATOR, "stopping containers"),
    "restart": (Role.OPERATOR, "restarting containers"),
    "kill": (Role.OPERATOR, "killing containers"),
    "pause": (Role.OPERATOR, "pausing containers"),
    "unpause": (Role.OPERATOR, "unpausing containers"),
    "exec": (Role.OPERATOR, "running commands in containers"),
    "terminal": (Role.OPERATOR, "opening a terminal"),
    "rename": (Role.ADMIN, "renaming containers"),
    "remove_container": (Role.ADMIN, "removing containers"),
    "commit": (Role.ADMIN, "committing containers to images"),
    "tag": (Role.ADMIN, "tagging images"),
    "remove_image": (Role.ADMIN, "removing images"),
    "prune_containers": (Role.ADMIN, "pruning containers"),
    "prune_images": (Role.ADMIN, "pruning images"),
    "create_volume": (Role.OPERATOR, "creating volumes"),
    "remove_volume": (Role.ADMIN, "removing volumes"),
    "prune_volumes": (Role.ADMIN, "pruning volumes"),
    "copy_from": (Role.OPERATOR, "reading a container's files"),
    "copy_to": (Role.OPERATOR, "copying files into a container"),
    "volume_copy": (Role.OPERATOR, "reading a volume's files"),
    "create_network": (Role.OPERATOR, "creating networks"),
    "network_connect": (Role.OPERATOR, "connecting containers to networks"),
    "network_disconnect": (Role.OPERATOR, "disconnecting containers from networks"),
    "remove_network": (Role.ADMIN, "removing networks"),
    "prune_networks": (Role.ADMIN, "pruning networks"),
    "replace": (Role.ADMIN, "replacing a container"),
    "build": (Role.OPERATOR, "building images"),
    "push": (Role.OPERATOR, "pushing images"),
    "save": (Role.OPERATOR, "saving images to a tar"),
    "load": (Role.OPERATOR, "loading images from a tar"),
    "registry_login": (Role.OPERATOR, "testing a registry's login"),
    "registry_browse": (Role.OPERATOR, "browsing a registry"),
    "add_registry": (Role.ADMIN, "adding registries"),
    "change_registry": (Role.ADMIN, "changing a registry's credentials"),
    "remove_registry": (Role.ADMIN, "removing registries"),
    "add_engine": (Role.ADMIN, "adding engines"),
    "change_engine": (Role.ADMIN, "changing an engine"),
    "remove_engine": (Role.ADMIN, "removing engines"),
    "stack_save": (Role.OPERATOR, "writing a stack's files"),
    "stack_up": (Role.OPERATOR, "deploying stacks"),
    "stack_down": (Role.OPERATOR, "taking stacks down"),
    "stack_down_volumes": (Role.ADMIN, "removing a stack's volumes"),
    "stack_stop": (Role.OPERATOR, "stopping stacks"),
    "stack_start": (Role.OPERATOR, "starting stacks"),
    "stack_restart": (Role.OPERATOR, "restarting stacks"),
    "stack_pull": (Role.OPERATOR, "pulling a stack's images"),
    "stack_scale": (Role.OPERATOR, "scaling a stack's services"),
}


def needs(action: str) -> tuple[str, str]:
    """(the role an action takes, what it is in words)."""
    return NEEDS.get(action, (Role.ADMIN, action.replace("_", " ")))


def role_of(user) -> str | None:
    """The user's role; None for nobody signed in (or a deactivated account)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    try:
        return user.membership.role
    except Membership.DoesNotExist:
        return Role.VIEWER


def allows(user, needed: str) -> bool:
    role = role_of(user)
    return role is not None and RANK[role] >= RANK[needed]


def permissions(user) -> dict[str, bool]:
    """What pages show to this user: the controls of an operator, of an admin."""
    return {"can_operate": allows(user, Role.OPERATOR), "can_admin": allows(user, Role.ADMIN)}


def refusal(user, needed: str, doing: str) -> str:
    """Why `user` may not do it, in words: the role it takes, and theirs."""
    role = role_of(user)
    you = f"you are {article_of(role)} {role}" if role else "you are not signed in"
    return f"{doing[:1].upper()}{doing[1:]} takes the {needed} role or above; {you}."


def article_of(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


class NotAllowed(DockerServiceError):
    """The signed-in user's role does not allow this (HTTP 403, websocket 4403)."""

    status = 403


def require(user, needed: str, doing: str) -> None:
    """Raise NotAllowed unless `user` has the role `needed` (or above)."""
    if not allows(user, needed):
        raise NotAllowed(refusal(user, needed, doing))
