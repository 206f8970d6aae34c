"""Log pages (the viewer connects its websocket) and the full log as a download."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import actions, docker_service
from ..docker_service import DockerServiceError, LogOptions
from ..forms import LogsForm
from ..live.log_lines import LogParser, Records
from ..live.log_query import parse_log_query
from ..specs import LogsSpec
from .flow import controls_command, preview, with_defaults

COMPOSE_PROJECT = "com.docker.compose.project"
COMPOSE_SERVICE = "com.docker.compose.service"
SAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]")
DOWNLOAD_MAX_LINE = 64 * 1024 * 1024  # a file keeps long lines whole (one request's memory)


@require_GET
def merged_logs(request: HttpRequest) -> HttpResponse:
    """Several logs in one view: a selection (?containers=, in its order) or a compose
    project (?project=), or one service of it (and ?service=)."""
    refs = [ref for ref in request.GET.getlist("containers") if ref]
    project = request.GET.get("project", "")
    service = request.GET.get("service", "")
    everything = docker_service.list_containers(all=True)
    projects = sorted(
        {c.labels[COMPOSE_PROJECT] for c in everything if COMPOSE_PROJECT in c.labels}
    )
    chosen = [c for ref in refs for c in everything if ref in (c.name, c.id[:12], c.id)]
    if project:
        chosen += [
            c
            for c in everything
            if c.labels.get(COMPOSE_PROJECT) == project
            and (not service or c.labels.get(COMPOSE_SERVICE) == service)
        ]
    chosen = list({c.id: c for c in chosen}.values())
    query = "&".join(f"containers={c.short_id}" for c in chosen)
    form = LogsForm(
        with_defaults(request.GET, LogsForm.DEFAULTS), containers=[c.name for c in chosen]
    )
    if chosen and (answer := preview(request, form)):
        return answer
    return render(
        request,
        "logs/merged.html",
        {
            "containers": chosen,
            "everything": sorted(everything, key=lambda c: c.name),
            "projects": projects,
            "project": project,
            "socket_path": f"/ws/logs/?{query}" if chosen else "",
            "command": controls_command(form) if chosen else form.placeholder(),
        },
    )


def _text(records: Records, timestamps: bool) -> bytes:
    """Records as `docker logs` prints them: the text, after its timestamp with -t."""
    return b"".join(
        record.split(b" ", 1 if timestamps else 2)[-1] + b"\n"
        for record in records.data.split(b"\n")[:-1]
    )


async def _open_logs(container_id: str, options: LogOptions) -> docker_service.Stream:
    """Open the stream in a thread; a request cancelled meanwhile closes it once open."""
    opening = asyncio.ensure_future(
        asyncio.to_thread(docker_service.open_logs, container_id, options)
    )
    try:
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_close_if_opened)
        raise


def _close_if_opened(opening: asyncio.Future) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().close()


def _audit_download(request: HttpRequest, name: str, options, timestamps: bool) -> None:
    """A download is a read that matters: who took which log, as `docker logs` would."""
    spec = LogsSpec(
        (name,),
        tail="all",
        since=options.since,
        until=options.until,
        timestamps=timestamps,
        stdout=options.stdout,
        stderr=options.stderr,
        follow=False,
    )
    with actions.audited(
        actions.Actor.from_request(request), "logs_download", spec, "container", name
    ):
        pass


@require_GET
async def download_logs(request: HttpRequest, ref: str) -> HttpResponse:
    """The whole log (since/until/stdout/stderr/timestamps as asked), streamed from the engine."""
    try:
        query = parse_log_query(request.GET, follow_default=False)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    container = await asyncio.to_thread(docker_service.inspect_container, ref)
    options = replace(query.options, follow=False, tail="all")
    await sync_to_async(_audit_download)(request, container.name, options, query.timestamps)

    async def body():
        """Opened here, not before: a download cancelled before it starts leaves no stream open."""
        try:
            stream = await _open_logs(container.id, options)
        except DockerServiceError as exc:  # the headers have gone: say it in the file
            yield f"[Dockside could not read this log: {exc}]\n"
            return
        parser = LogParser(container.tty, max_line=DOWNLOAD_MAX_LINE)
        try:
            while data := await asyncio.to_thread(stream.read):
                lines = parser.feed(data)
                if lines:
                    yield _text(lines, query.timestamps)
            yield _text(parser.flush(), query.timestamps)
        finally:
            stream.close()

    response = StreamingHttpResponse(body(), content_type="text/plain; charset=utf-8")
    filename = SAFE_FILENAME.sub("_", container.name) or container.short_id
    response["Content-Disposition"] = f'attachment; filename="{filename}.log"'
    return response
