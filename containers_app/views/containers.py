"""Container pages: `docker ps [-a]` and `docker container inspect`."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access import roles

from .. import cli, docker_service
from ..pages.container_rows import container_rows, rows_digest, search_text
from ..pages.containers import COLUMNS, detail_context
from ..pages.listing import build_listing
from ..pages.waits import bulk_busy
from ..specs import LifecycleSpec, RemoveContainerSpec

BULK_SPECS = {
    "start": LifecycleSpec("start", ""),
    "stop": LifecycleSpec("stop", ""),
    "remove": RemoveContainerSpec(""),
    "remove-force": RemoveContainerSpec("", force=True),
}


@require_GET
def container_list(request: HttpRequest) -> HttpResponse:
    return container_list_page(request)


def container_list_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    containers = docker_service.list_containers(all=show_all)
    listing = build_listing(containers, request.GET, COLUMNS, search_text, "-created")
    bulk_commands = {
        verb: " ".join(cli.on_engine(cli.argv(spec)[:-1])) for verb, spec in BULK_SPECS.items()
    }
    return render(
        request,
        "containers/list.html",
        {
            "listing": listing,
            "rows_html": container_rows(listing.rows),
            "rows_digest": rows_digest(c.id for c in containers),
            "show_all": show_all,
            "command": "docker ps -a" if show_all else "docker ps",
            "bulk_commands": bulk_commands,
            "bulk_commands_json": json.dumps(bulk_commands),
            "bulk_busy": {verb: bulk_busy(verb) for verb in ("start", "stop", "remove")},
        },
        status=status,
    )


@require_GET
def container_detail(request: HttpRequest, ref: str) -> HttpResponse:
    data = docker_service.inspect_container_data(ref)
    engine = docker_service.engine_info()
    request.engine_identity = engine  # the header shows the same, without asking again
    context = detail_context(data, engine, roles.permissions(request.user))
    return render(request, "containers/detail.html", context)
