"""Pages fed by websockets beyond one container's: /stats/ and /events/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import docker_service
from ..live.event_filters import EVENT_TYPES, EventFilter
from ..live.fragments import STATS_SORTS
from ..models import EngineEvent

RECENT_EVENTS = 200


@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    """`docker stats`: every running container at once (one engine call), figures as they come."""
    running = docker_service.list_containers()
    sort = request.GET.get("sort", "cpu")
    return render(
        request,
        "stats/list.html",
        {
            "sort": sort if sort in STATS_SORTS else "cpu",
            "rows": [(c.id, c.name, None) for c in sorted(running, key=lambda c: c.name)],
            "command": "docker stats",
        },
    )


@require_GET
def events_page(request: HttpRequest) -> HttpResponse:
    """What Dockside saw the engine do, newest first, and what it does from now on."""
    wanted = EventFilter.from_query(request.GET)
    current_engine = docker_service.current_endpoint().name
    return render(
        request,
        "events/list.html",
        {
            "events": wanted.apply(EngineEvent.objects.filter(endpoint=current_engine))[
                :RECENT_EVENTS
            ],
            "type": wanted.type,
            "action": wanted.action,
            "actor": wanted.actor,
            "types": EVENT_TYPES,
            "query": request.GET.urlencode(),
            "command": wanted.command(),
            "filter": wanted,
        },
    )
