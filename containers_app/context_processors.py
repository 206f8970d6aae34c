"""The engine's identity for the header of every page."""

from __future__ import annotations

from django.http import HttpRequest

from access import roles

from . import docker_service


def engine(request: HttpRequest) -> dict:
    """`engine` (EngineInfo) or `engine_error` (EngineUnavailable), for signed-in users only.

    The header is not shown to anonymous visitors: the engine's identity is
    nothing to give away on a login page.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if known := getattr(request, "engine_identity", None):
        return {"engine": known}
    error = getattr(request, "engine_error", None)
    if error is None:
        try:
            return {"engine": docker_service.engine_info()}
        except docker_service.DockerServiceError as exc:
            error = exc
    return {"engine_error": error}


def role(request: HttpRequest) -> dict:
    """The user's role, and what it lets them do: pages show only the controls it allows
    (each action checks it again where it happens)."""
    user = getattr(request, "user", None)
    return {"role": roles.role_of(user), **roles.permissions(user)}
