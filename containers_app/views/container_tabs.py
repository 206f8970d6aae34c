"""A container's tabs beside its overview: logs, terminal, stats and processes.

Each shows the `docker ...` command it stands for; the logs and terminal
tabs have controls, whose command the server answers as the controls change
(`?_preview=1`, as every form's preview).
"""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .. import docker_service, host_proc
from ..forms import LogsForm, TerminalForm
from ..live.fragments import stats_panel
from ..live.stats_math import sample_from, stats_limits
from ..middleware import CONTENT_SECURITY_POLICY
from .flow import controls_command, preview, refused, with_defaults

# xterm.js writes its cell styles into <style> elements: this page alone allows inline styles
# (never inline script).
TERMINAL_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def render_tab(
    request: HttpRequest,
    container: docker_service.ContainerDetail,
    tab: str,
    command: str,
    template: str | None = None,
    **context,
) -> HttpResponse:
    return render(
        request,
        template or f"containers/{tab}.html",
        {"container": container, "tab": tab, "command": command, **context},
    )


@require_GET
def container_logs(request: HttpRequest, ref: str) -> HttpResponse:
    container = docker_service.inspect_container(ref)
    form = LogsForm(with_defaults(request.GET, LogsForm.DEFAULTS), containers=[container.name])
    return preview(request, form) or render_tab(
        request,
        container,
        "logs",
        controls_command(form),
        socket_path=f"/ws/containers/{container.short_id}/logs/",
        download_url=reverse("containers:logs-download", args=[container.short_id]),
    )


@require_GET
def container_terminal(request: HttpRequest, ref: str) -> HttpResponse:
    if answer := refused(request, "terminal"):
        return answer
    container = docker_service.inspect_container(ref)
    form = TerminalForm(
        with_defaults(request.GET, {"shell": "auto"}),
        container=container.name,
        find_shell=partial(docker_service.default_shell, container.id),
    )
    answer = preview(request, form) or render_tab(
        request, container, "terminal", controls_command(form)
    )
    answer["Content-Security-Policy"] = TERMINAL_POLICY
    return answer


@require_GET
def container_stats(request: HttpRequest, ref: str) -> HttpResponse:
    """The panel as it is before the first reading: the charts' axes and limits drawn."""
    container = docker_service.inspect_container(ref)
    engine = docker_service.engine_info()
    request.engine_identity = engine  # the header shows the same, without asking again
    limits = stats_limits(container.limits, engine.cpus, engine.memory)
    state = "waiting" if container.state.running else "not running"
    panel = stats_panel([], state, container.name, limits)
    return render_tab(request, container, "stats", f"docker stats {container.name}", panel=panel)


@require_GET
def container_top(request: HttpRequest, ref: str) -> HttpResponse:
    container = docker_service.inspect_container(ref)
    table = docker_service.top(container.id) if container.state.running else None
    template = "containers/top.html#processes" if request.htmx else "containers/top.html"
    return render_tab(
        request,
        container,
        "processes",
        f"docker top {container.name}",
        template=template,
        table=table,
    )


@require_GET
def container_isolation(request: HttpRequest, ref: str) -> HttpResponse:
    """What isolates a running container: its PIDs, namespaces and cgroup limits beside usage.

    The overview loads it after the page (a stats reading takes the engine a second).
    """
    container = docker_service.inspect_container(ref)
    context = {"container": container, "tab": "overview", "command": ""}
    template = "containers/isolation.html"
    if container.state.running:
        engine = docker_service.engine_info()
        request.engine_identity = engine
        try:
            sample = sample_from(docker_service.stats_once(container.id))
        except docker_service.Conflict:
            container = docker_service.inspect_container(ref)  # it stopped: say so
            context["container"] = container
            return render(request, template + "#panel" if request.htmx else template, context)
        context.update(
            view=host_proc.process_view(container.state.pid, container.id),
            sample=sample,
            limits=stats_limits(container.limits, engine.cpus, engine.memory),
            pid_command=f"docker inspect -f '{{{{.State.Pid}}}}' {container.name}",
            stats_command=f"docker stats --no-stream {container.name}",
        )
    return render(request, template + "#panel" if request.htmx else template, context)
