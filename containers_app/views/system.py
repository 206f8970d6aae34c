"""Health check for load balancers and compose: no login, no secrets, and the engine's
version only for someone signed in (a version tells an attacker which holes to try)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import docker_service


def _database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _engine_status(with_version: bool) -> dict:
    try:
        version, api_version = docker_service.engine_version()
    except docker_service.EngineUnavailable as exc:
        return {"ok": False, "error": exc.cause}
    except docker_service.DockerServiceError:
        return {"ok": False, "error": "the engine answered with an error"}
    if not with_version:
        return {"ok": True}
    return {"ok": True, "version": version, "api_version": api_version}


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while Dockside can serve (its database answers); the engine's state is in the body."""
    database = _database_status()
    engine = _engine_status(with_version=request.user.is_authenticated)
    healthy = database["ok"] and engine["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "engine": engine},
        status=200 if database["ok"] else 503,
    )


@require_GET
def system_page(request: HttpRequest) -> HttpResponse:
    """`docker system df` and `docker info`'s essentials."""
    context = {
        "usage": docker_service.disk_usage(),
        "engine_facts": docker_service.engine_essentials(),
        "command": "docker system df",
        "info_command": "docker info",
    }
    return render(request, "system.html", context)
