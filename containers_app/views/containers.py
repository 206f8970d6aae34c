"""Container pages: `docker ps [-a]` and `docker container inspect`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import docker_service
from ..container_rows import container_rows
from ..listing import Column, build_listing

EPOCH = datetime.fromtimestamp(0, UTC)

COLUMNS = [
    Column("id", "Container ID", lambda c: c.id),
    Column("image", "Image", lambda c: c.image.lower()),
    Column("command", "Command", lambda c: c.command),
    Column("created", "Created", lambda c: c.created or EPOCH),
    Column("status", "Status", lambda c: (c.state, c.status)),
    Column("ports", "Ports"),
    Column("name", "Name", lambda c: c.name.lower()),
]


def _search_text(container: docker_service.ContainerSummary) -> str:
    return f"{container.name} {container.image} {container.id}".lower()


@require_GET
def container_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    containers = docker_service.list_containers(all=show_all)
    listing = build_listing(containers, request.GET, COLUMNS, _search_text, "-created")
    return render(
        request,
        "containers/list.html",
        {
            "listing": listing,
            "rows_html": container_rows(listing.rows),
            "show_all": show_all,
            "command": "docker ps -a" if show_all else "docker ps",
        },
    )


@require_GET
def container_detail(request: HttpRequest, ref: str) -> HttpResponse:
    container = docker_service.inspect_container(ref)
    return render(
        request,
        "containers/detail.html",
        {
            "container": container,
            "raw_json": json.dumps(container.raw, indent=2, sort_keys=True),
            "command": f"docker container inspect {container.name}",
        },
    )
