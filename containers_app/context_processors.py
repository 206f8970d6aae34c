"""What the header of every page shows: the engine's identity, the user's role, and
its links."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

from access import roles

from . import docker_service

LINKS = {
    "home": "home",
    "containers": "containers:list",
    "images": "images:list",
    "volumes": "volumes:list",
    "networks": "networks:list",
    "stacks": "stacks:list",
    "registries": "registries:list",
    "system": "system",
    "stats": "stats",
    "events": "events",
    "audit": "audit:list",
    "access": "access:users",
    "engines": "engines:list",
    "logout": "logout",
}
ASSETS = {
    "icon": "img/dockside.svg",
    "css": "css/dockside.css",
    "js": "js/dockside.js",
    "explain_js": "js/explain.js",
}


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


@cache
def _links(prefix: str, urlconf: str | None) -> dict[str, str]:
    """(`reverse()` reads the prefix and urlconf from the thread: the arguments key the cache.)"""
    return {key: reverse(name) for key, name in LINKS.items()}


@cache
def _assets() -> dict[str, str]:
    return {key: static(path) for key, path in ASSETS.items()}


def links(request: HttpRequest) -> dict:
    """The header's links and assets, made once per script prefix (an engine's `/e/NAME/`)
    and process instead of reversed on every page (0.4 ms a page)."""
    return {"links": _links(get_script_prefix(), get_urlconf()), "assets": _assets()}
