"""/stacks/: the engine's Compose projects; /stacks/<name>/: one of them, service by
service, with what it made and its merged logs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from containers_app import docker_service

from .listing import PROJECT, find_stack, list_stacks
from .tool import ToolMissing, find_tool


def _tool() -> dict:
    """Which Compose tool this host has, for the page to say."""
    try:
        return {"tool": find_tool()}
    except ToolMissing as exc:
        return {"tool_missing": str(exc)}


@require_GET
def stack_list(request: HttpRequest) -> HttpResponse:
    context = {"stacks": list_stacks(), "command": "docker compose ls --all", **_tool()}
    return render(request, "stacks/list.html", context)


@require_GET
def stack_detail(request: HttpRequest, name: str) -> HttpResponse:
    stack = find_stack(name)
    if stack is None:
        raise Http404(f"No Compose project {name} has a container on this engine.")
    made = docker_service.labelled_networks_and_volumes(f"{PROJECT}={name}")
    context = {
        "stack": stack,
        "made": made,
        "command": f"docker compose -p {name} ps --all",
        **_tool(),
    }
    return render(request, "stacks/detail.html", context)
