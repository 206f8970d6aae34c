"""A container's files (`docker cp`, the archive API) and its changes (`docker diff`).

Paths are the container's own, absolute and normalised; a link is shown as a link and
opening it opens the path it names inside the same container, never anything outside.
"""

from __future__ import annotations

import posixpath
import tarfile
import tempfile
import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET, require_POST

from .. import actions, cli, docker_service
from ..docker_service import DockerServiceError, http_status
from ..forms.fields import PATH_MAX
from ..pages.engine_errors import explain
from ..specs import CopyFromSpec, CopyToSpec
from .flow import refused
from .streaming import streamed

SHOWN_BYTES = 256 * 1024  # a file is shown on the page up to this much


class BadPath(ValueError):
    pass


def container_path(value: str | None) -> str:
    """An absolute, normalised path inside the container (`..` cannot climb above /)."""
    path = value or "/"
    if "\x00" in path or len(path) > PATH_MAX or not path.startswith("/"):
        raise BadPath(f"{path[:200]!r} is not a path in the container: write one from /")
    return posixpath.normpath(path).replace("//", "/")


def crumbs_of(path: str) -> list[tuple[str, str]]:
    parts = [part for part in path.split("/") if part]
    return [("/", "/")] + [(part, "/" + "/".join(parts[: i + 1])) for i, part in enumerate(parts)]


def files_url(container: str, path: str) -> str:
    return f"{reverse('containers:files', args=[container])}?{urlencode({'path': path})}"


def _refusal_page(request, container, path, message: str, status: int) -> HttpResponse:
    context = {"container": container, "tab": "files", "path": path, "problem": message}
    return render(request, "containers/files.html", context, status=status)


@require_GET
def container_files(request: HttpRequest, ref: str) -> HttpResponse:
    if answer := refused(request, "copy_from"):
        return answer
    container = docker_service.inspect_container(ref)
    try:
        path = container_path(request.GET.get("path"))
    except BadPath as exc:
        return _refusal_page(request, container, "/", str(exc), 400)
    actions.check_files_reach(
        actions.Actor.from_request(request), CopyFromSpec(container.name, path)
    )
    try:
        listing = docker_service.list_directory(container.id, path)
    except docker_service.NotFound:
        message = f"{path} does not exist in {container.name}."
        return _refusal_page(request, container, path, message, 404)
    context = {
        "container": container,
        "tab": "files",
        "path": path,
        "crumbs": crumbs_of(path),
        "listing": listing,
        "parent": posixpath.dirname(path) if path != "/" else "",
        "command": f"docker cp {container.name}:{path} - | tar -tv",
        "tar_command": cli.command(CopyFromSpec(container.name, path)),
        "upload_max_mb": settings.DOCKSIDE_UPLOAD_MAX_MB,
    }
    if listing.stat.kind == "link":
        target = listing.stat.link_target or listing.entries[0].link_target
        context["link_path"] = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    elif listing.stat.kind == "file":
        context.update(_shown_file(request, container, path, listing.stat.size))
    return render(request, "containers/files.html", context)


def _shown_file(request, container, path: str, size: int) -> dict:
    spec = CopyFromSpec(container.name, path, archive=False)
    context = {
        "file_command": f"docker cp {container.name}:{path} - | tar -xO",
        "download_command": cli.command(spec),
    }
    if request.GET.get("show") != "1":
        return context
    data, whole = actions.read_file(actions.Actor.from_request(request), spec, SHOWN_BYTES)
    if b"\x00" in data[:8192]:
        context["binary"] = True
        return context
    context["content"] = data.decode("utf-8", "replace")
    context["cut"] = whole > len(data)
    return context


@require_GET
def download_files(request: HttpRequest, ref: str) -> HttpResponse:
    """`docker cp c:/path -` as a download (a tar), or one file as itself (`?as=file`)."""
    if answer := refused(request, "copy_from"):
        return answer
    container = docker_service.inspect_container(ref)
    try:
        path = container_path(request.GET.get("path"))
    except BadPath as exc:
        return _refusal_page(request, container, "/", str(exc), 400)
    as_file = request.GET.get("as") == "file"
    spec = CopyFromSpec(container.name, path, archive=not as_file)
    actor = actions.Actor.from_request(request)
    stream = actions.copy_from(actor, spec)
    name = posixpath.basename(path) or "root"
    if as_file:
        stream = docker_service.file_from_tar(stream, path)
        content_type = "application/octet-stream"
    else:
        name, content_type = f"{container.name}-{name}.tar", "application/x-tar"
    response = streamed(stream, content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_POST
def upload_files(request: HttpRequest, ref: str) -> HttpResponse:
    """`docker cp ./FILE c:/dir` (or `docker cp - c:/dir` for a tar): the upload is spooled
    to a private temporary file, never whole in memory, and streamed to the engine."""
    if answer := refused(request, "copy_to"):
        return answer
    container = docker_service.inspect_container(ref)
    actor = actions.Actor.from_request(request)
    limit = settings.DOCKSIDE_UPLOAD_MAX_MB * 1024 * 1024
    asked = {"directory": request.GET.get("path", "")}
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        problem = f"the upload is larger than {settings.DOCKSIDE_UPLOAD_MAX_MB} MiB"
        actions.record_rejected(actor, "copy_to", "container", container.name, asked, problem)
        return _refusal_page(request, container, "/", f"Not copied: {problem}.", 413)
    try:
        directory = container_path(request.POST.get("directory"))
    except BadPath as exc:
        actions.record_rejected(actor, "copy_to", "container", container.name, asked, str(exc))
        return _refusal_page(request, container, "/", str(exc), 400)
    upload = request.FILES.get("file")
    extract = request.POST.get("extract") == "on"
    problem = _upload_problem(upload, extract)
    if problem:
        asked = {"directory": directory, "extract": str(extract)}
        actions.record_rejected(actor, "copy_to", "container", container.name, asked, problem)
        messages.error(request, f"Not copied: {problem}.")
        return redirect(files_url(container.short_id, directory))
    spec = CopyToSpec(container.name, directory, upload.name, extract, upload.size)
    try:
        if extract:
            upload.seek(0)
            actions.copy_to(actor, spec, upload)
        else:
            with tempfile.TemporaryFile() as tar_file:  # created 0600, gone when closed
                with tarfile.open(fileobj=tar_file, mode="w") as tar:
                    member = tarfile.TarInfo(upload.name)
                    member.size, member.mode, member.mtime = upload.size, 0o644, time.time()
                    upload.seek(0)
                    tar.addfile(member, upload)
                tar_file.seek(0)
                actions.copy_to(actor, spec, tar_file)
    except DockerServiceError as exc:
        if isinstance(exc, docker_service.EngineUnavailable):
            raise
        message = f"Not copied: {explain(exc).sentence}"
        return _refusal_page(request, container, directory, message, http_status(exc, 400))
    what = "the archive's files" if extract else upload.name
    messages.success(request, f"Copied {what} into {directory}.")
    return redirect(files_url(container.short_id, directory))


def _upload_problem(upload, extract: bool) -> str:
    if upload is None:
        return "choose a file to copy"
    name = upload.name or ""
    if not extract and (not name or "/" in name or name in {".", ".."} or "\x00" in name):
        return f"{name[:100]!r} is not a file name"
    if upload.size > settings.DOCKSIDE_UPLOAD_MAX_MB * 1024 * 1024:
        return f"the file is larger than {settings.DOCKSIDE_UPLOAD_MAX_MB} MiB"
    if extract:
        upload.seek(0)
        if not tarfile.is_tarfile(upload):
            return f"{name} is not a tar archive (untick Extract to copy it as one file)"
    return ""


@require_GET
def container_diff(request: HttpRequest, ref: str) -> HttpResponse:
    """`docker diff` as a tree, with counts."""
    container = docker_service.inspect_container(ref)
    changes = docker_service.container_diff(container.id)
    kinds = ("added", "changed", "deleted")
    counts = {kind: sum(change.kind == kind for change in changes) for kind in kinds}
    context = {
        "container": container,
        "tab": "diff",
        "command": f"docker diff {container.name}",
        "tree": _tree(changes),
        "counts": counts,
        "total": len(changes),
    }
    return render(request, "containers/diff.html", context)


def _tree(changes) -> list[dict]:
    """Changes as nested nodes: {name, path, kind, children}, directories first."""
    root: dict = {"children": {}}
    for change in changes:
        node = root
        parts = [part for part in change.path.split("/") if part]
        for depth, part in enumerate(parts):
            path = "/" + "/".join(parts[: depth + 1])
            blank = {"name": part, "path": path, "kind": "", "children": {}}
            node = node["children"].setdefault(part, blank)
        node["kind"] = change.kind

    def listed(node: dict) -> list[dict]:
        children = sorted(node["children"].values(), key=lambda n: (not n["children"], n["name"]))
        return [{**child, "children": listed(child)} for child in children]

    return listed(root)
