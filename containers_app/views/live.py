"""Pages fed by websockets: a container's terminal, stats and processes; /stats/ and /events/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import cli, docker_service
from ..event_filters import EVENT_TYPES, EventFilter
from ..live_fragments import STATS_SORTS
from ..middleware import CONTENT_SECURITY_POLICY
from ..models import EngineEvent
from ..specs import TerminalSpec

# xterm.js writes its cell styles into <style> elements: this page alone allows inline styles
# (never inline script).
TERMINAL_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
RECENT_EVENTS = 200


@require_GET
def container_terminal(request: HttpRequest, ref: str) -> HttpResponse:
    container = docker_service.inspect_container(ref)
    response = render(
        request,
        "containers/terminal.html",
        {
            "container": container,
            "tab": "terminal",
            "command": cli.command(TerminalSpec(container.name, ("/bin/sh",), "")),
        },
    )
    response["Content-Security-Policy"] = TERMINAL_POLICY
    return response


@require_GET
def container_stats(request: HttpRequest, ref: str) -> HttpResponse:
    container = docker_service.inspect_container(ref)
    return render(
        request,
        "containers/stats.html",
        {
            "container": container,
            "tab": "stats",
            "command": f"docker stats {container.name}",
        },
    )


@require_GET
def container_top(request: HttpRequest, ref: str) -> HttpResponse:
    container = docker_service.inspect_container(ref)
    table = docker_service.top(container.id) if container.state.running else None
    template = "containers/top.html#processes" if request.htmx else "containers/top.html"
    return render(
        request,
        template,
        {
            "container": container,
            "table": table,
            "tab": "processes",
            "command": f"docker top {container.name}",
        },
    )


@require_GET
def stats_page(request: HttpRequest) -> HttpResponse:
    """`docker stats` for every running container; without an engine there is nothing to show."""
    request.engine_identity = docker_service.engine_info()  # 503 now; the header reuses it
    sort = request.GET.get("sort", "cpu")
    return render(
        request,
        "stats/list.html",
        {
            "sort": sort if sort in STATS_SORTS else "cpu",
            "command": "docker stats",
        },
    )


@require_GET
def events_page(request: HttpRequest) -> HttpResponse:
    """What Dockside saw the engine do, newest first, and what it does from now on."""
    wanted = EventFilter.from_query(request.GET)
    return render(
        request,
        "events/list.html",
        {
            "events": wanted.apply(EngineEvent.objects.all())[:RECENT_EVENTS],
            "type": wanted.type,
            "action": wanted.action,
            "actor": wanted.actor,
            "types": EVENT_TYPES,
            "query": request.GET.urlencode(),
            "command": "docker events",
        },
    )
