"""Health and readiness for load balancers and compose, and Prometheus metrics: no login
and no secrets on the first two, the engine's version only for someone signed in (a
version tells an attacker which holes to try)."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.db.utils import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from access import roles
from engines import lookup

from .. import docker_service, metrics

LAYER_TIMEOUT = 2.0  # seconds for a message to come back through the channel layer


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
        return {"ok": False, "error": docker_service.plain_cause(exc.cause)}
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


def _channel_layer_status() -> dict:
    """A message sent to a new channel through the layer (Redis, when set) comes back."""

    async def round_trip() -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "readyz.ping", "token": token})
        message = await asyncio.wait_for(layer.receive(channel), LAYER_TIMEOUT)
        if message.get("token") != token:
            raise ValueError("another message came back")

    try:
        async_to_sync(round_trip)()
    except Exception as exc:  # any failure is "not ready": said by its kind only
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the channel layer and every engine answer; else 503 and
    which did not (by kind of failure, no addresses or secrets). `engine` is the local
    engine; the others are `engines`, asked at the same time (a slow one costs its own
    timeout, not the sum of them): by name for someone signed in, as counts otherwise
    (an engine's name is nothing to give away)."""
    try:
        endpoints = lookup.every()
    except DatabaseError:
        endpoints = [docker_service.local_endpoint()]
    with ThreadPoolExecutor(max_workers=min(len(endpoints), 8)) as pool:
        checked = list(pool.map(_status_on, endpoints))
    parts = {
        "database": _database_status(),
        "channel_layer": _channel_layer_status(),
        "engine": checked[0],
    }
    waiting = [name for name, part in parts.items() if not part["ok"]]
    others = dict(zip([e.name for e in endpoints[1:]], checked[1:], strict=True))
    down = [name for name, status in others.items() if not status["ok"]]
    if request.user.is_authenticated:
        waiting += [f"engine:{name}" for name in down]
        engines = others
    else:
        waiting += ["engines"] if down else []
        engines = {"ready": len(others) - len(down), "of": len(others)}
    return JsonResponse(
        {
            "status": "ready" if not waiting else "not ready",
            "not_ready": waiting,
            **parts,
            "engines": engines,
        },
        status=503 if waiting else 200,
    )


def _status_on(endpoint: docker_service.Endpoint) -> dict:
    with docker_service.using(endpoint):
        return _engine_status(with_version=False)


@login_not_required
@never_cache
@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics: 404 unless DOCKSIDE_METRICS is `login` (admins) or `public`."""
    mode = settings.DOCKSIDE_METRICS
    if mode == "off":
        raise Http404("metrics are off (DOCKSIDE_METRICS)")
    if mode == "login":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not roles.allows(request.user, roles.Role.ADMIN):
            return HttpResponseForbidden("metrics are for admins")
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)


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
