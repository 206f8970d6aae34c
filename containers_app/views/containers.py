"""Container pages: `docker ps [-a]` and `docker container inspect`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import cli, docker_service
from ..container_rows import container_rows, search_text
from ..listing import Column, build_listing
from ..specs import LifecycleSpec, RemoveContainerSpec

EPOCH = datetime.fromtimestamp(0, UTC)
BULK_SPECS = {
    "start": LifecycleSpec("start", ""),
    "stop": LifecycleSpec("stop", ""),
    "remove": RemoveContainerSpec("", force=True),
}

COLUMNS = [
    Column("id", "Container ID", lambda c: c.id),
    Column("image", "Image", lambda c: c.image.lower()),
    Column("command", "Command", lambda c: c.command),
    Column("created", "Created", lambda c: c.created or EPOCH),
    Column("status", "Status", lambda c: (c.state, c.status)),
    Column("ports", "Ports"),
    Column("name", "Name", lambda c: c.name.lower()),
]


@require_GET
def container_list(request: HttpRequest) -> HttpResponse:
    return container_list_page(request)


def container_list_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    containers = docker_service.list_containers(all=show_all)
    listing = build_listing(containers, request.GET, COLUMNS, search_text, "-created")
    bulk_commands = {verb: " ".join(cli.argv(spec)[:-1]) for verb, spec in BULK_SPECS.items()}
    return render(
        request,
        "containers/list.html",
        {
            "listing": listing,
            "rows_html": container_rows(listing.rows),
            "show_all": show_all,
            "command": "docker ps -a" if show_all else "docker ps",
            "bulk_commands": bulk_commands,
            "bulk_commands_json": json.dumps(bulk_commands),
        },
        status=status,
    )


@dataclass(frozen=True)
class ActionButton:
    verb: str
    label: str
    command: str
    confirm: str = ""
    form_page: bool = False


def container_actions(container: docker_service.ContainerDetail) -> list[ActionButton]:
    """The actions that make sense in the container's state, each with its command."""
    name = container.name
    state = container.state.status
    quick = {
        "running": ["stop", "restart", "pause", "kill"],
        "paused": ["unpause", "stop", "kill"],
        "restarting": ["stop", "kill"],
    }.get(state, ["start"])
    buttons = [
        ActionButton(
            verb,
            verb.capitalize(),
            cli.command(LifecycleSpec(verb, name)),
            confirm=f"{verb.capitalize()} {name}?" if verb in {"stop", "kill", "restart"} else "",
        )
        for verb in quick
    ]
    pages = [
        ("logs", "Logs", f"docker logs -f --tail 100 {name}", True),
        ("exec", "Run a command…", f"docker exec {name} COMMAND", state == "running"),
        ("rename", "Rename…", f"docker rename {name} NEW_NAME", True),
        ("commit", "Commit to an image…", f"docker commit {name} REPOSITORY[:TAG]", True),
        ("remove", "Remove…", cli.command(RemoveContainerSpec(name)), True),
    ]
    buttons += [
        ActionButton(verb, label, command, form_page=True)
        for verb, label, command, shown in pages
        if shown
    ]
    return buttons


def detail_context(container: docker_service.ContainerDetail) -> dict:
    return {
        "container": container,
        "actions": container_actions(container),
        "raw_json": json.dumps(container.raw, indent=2, sort_keys=True),
        "command": f"docker container inspect {container.name}",
        "tab": "overview",
    }


@require_GET
def container_detail(request: HttpRequest, ref: str) -> HttpResponse:
    container = docker_service.inspect_container(ref)
    return render(request, "containers/detail.html", detail_context(container))
