"""Volume pages and actions: `docker volume ls`, `inspect`, `create`, `rm`, and the files
inside (read-only, through a helper container)."""

from __future__ import annotations

import posixpath

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from .. import actions, cli, docker_service
from ..forms import CreateVolumeForm, RemoveVolumeForm
from ..pages.volume_rows import volume_rows
from ..pages.volumes import list_command, volume_detail_context, volume_listing
from ..pages.waits import Busy
from ..specs import VolumeCopySpec
from .files import BadPath, container_path, crumbs_of
from .flow import ActionPage, Done, handle_action, refused
from .streaming import streamed


@require_GET
def volume_list(request: HttpRequest) -> HttpResponse:
    listing, sizes = volume_listing(request.GET)
    context = {
        "listing": listing,
        "rows_html": volume_rows(listing.rows, sizes),
        "sizes": sizes,
        "dangling": request.GET.get("dangling") == "1",
        "command": list_command(request.GET),
    }
    return render(request, "volumes/list.html", context)


@require_GET
def volume_detail(request: HttpRequest, name: str) -> HttpResponse:
    volume = docker_service.inspect_volume(name)
    return render(request, "volumes/detail.html", volume_detail_context(volume))


@require_http_methods(["GET", "POST"])
def create_volume(request: HttpRequest) -> HttpResponse:
    if answer := refused(request, "create_volume"):
        return answer
    form = CreateVolumeForm(request.POST if request.method == "POST" else None)

    def act(actor: actions.Actor, spec) -> Done:
        override = form.cleaned_data.get("override_policy", False)
        volume = actions.create_volume(actor, spec, override)
        return Done(
            f"Volume {volume.short_name} is ready.",
            redirect_to=reverse("volumes:detail", args=[volume.name]),
        )

    page = ActionPage(
        "volumes/create.html",
        "Create a volume",
        "Create",
        busy=Busy("Creating the volume", "the driver prepares its storage."),
    )
    return handle_action(request, form, page, act, request.POST.get("name", ""))


@require_http_methods(["GET", "POST"])
def remove_volume(request: HttpRequest, name: str) -> HttpResponse:
    if answer := refused(request, "remove_volume"):
        return answer
    volume = docker_service.inspect_volume(name)
    form = RemoveVolumeForm(request.POST if request.method == "POST" else {}, volume=volume.name)

    def act(actor: actions.Actor, spec) -> Done:
        actions.remove_volume(actor, spec)
        return Done(f"Removed the volume {volume.short_name}.", redirect_to=reverse("volumes:list"))

    page = ActionPage(
        "volumes/remove.html",
        f"Remove {volume.short_name}",
        "Remove",
        {"volume": volume},
        danger=True,
        confirm=f"Remove the volume {volume.short_name} and its data? This cannot be undone.",
        busy=Busy(f"Removing {volume.short_name}", "its files are deleted."),
    )
    return handle_action(request, form, page, act, volume.name)


@require_GET
def volume_files(request: HttpRequest, name: str) -> HttpResponse:
    """The volume's files, read-only, through a helper container made for the request."""
    if answer := refused(request, "volume_copy"):
        return answer
    volume = docker_service.inspect_volume(name)
    try:
        path = container_path(request.GET.get("path"))
    except BadPath as exc:
        context = {"volume": volume, "problem": str(exc)}
        return render(request, "volumes/files.html", context, status=400)
    actions.check_volume_reach(actions.Actor.from_request(request), volume, path)
    image = docker_service.helper_image(volume)
    try:
        with docker_service.volume_helper(volume, image) as helper:
            listing = docker_service.list_directory(helper, docker_service.volume_path(path))
    except docker_service.NotFound:
        context = {"volume": volume, "problem": f"{path} does not exist in {volume.short_name}."}
        return render(request, "volumes/files.html", context, status=404)
    inside = len(docker_service.HELPER_MOUNT)
    context = {
        "volume": volume,
        "path": path,
        "crumbs": crumbs_of(path),
        "parent": posixpath.dirname(path) if path != "/" else "",
        "listing": listing,
        "entries": [(entry, entry.path[inside:] or "/") for entry in listing.entries],
        "command": cli.command(VolumeCopySpec(volume.name, path, image)) + " | tar -tv",
        "download_command": cli.command(VolumeCopySpec(volume.name, path, image)),
    }
    return render(request, "volumes/files.html", context)


@require_GET
def volume_download(request: HttpRequest, name: str) -> HttpResponse:
    """A file of the volume as itself (`?as=file`), or a directory (the whole volume by
    default) as a tar."""
    if answer := refused(request, "volume_copy"):
        return answer
    volume = docker_service.inspect_volume(name)
    try:
        path = container_path(request.GET.get("path"))
    except BadPath as exc:
        context = {"volume": volume, "problem": str(exc)}
        return render(request, "volumes/files.html", context, status=400)
    as_file = request.GET.get("as") == "file"
    spec = VolumeCopySpec(volume.name, path, docker_service.helper_image(volume), not as_file)
    stream = actions.volume_copy(actions.Actor.from_request(request), spec, volume)
    base = posixpath.basename(path) or volume.short_name
    if as_file:
        response = streamed(docker_service.file_from_tar(stream, path), "application/octet-stream")
    else:
        base = f"{volume.short_name}-{posixpath.basename(path) or 'volume'}.tar"
        response = streamed(stream, "application/x-tar")
    response["Content-Disposition"] = content_disposition_header(True, base)
    return response
