"""The engine a page works on, and the others to switch to (the header's switcher)."""

from __future__ import annotations

from django.http import HttpRequest

from containers_app.docker_service import LOCAL

from . import lookup
from .paths import engine_path


def engines(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = getattr(request, "engine_name", LOCAL)
    base = getattr(request, "engine_base", "/")
    match = getattr(request, "resolver_match", None)
    # A list page has its twin on every engine; an object's page goes to that engine's home.
    here = request.path_info if match is not None and not match.kwargs else "/"
    return {
        "current_engine": current,
        "engine_prefix": "" if current == LOCAL else f"/e/{current}",
        "engine_choices": [(name, engine_path(name, here, base)) for name in lookup.names()],
    }
