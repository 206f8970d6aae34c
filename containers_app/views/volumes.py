"""Volume pages and actions: `docker volume ls`, `inspect`, `create`, `rm`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .. import actions, docker_service
from ..forms import CreateVolumeForm, RemoveVolumeForm
from ..pages.volumes import list_command, volume_detail_context, volume_listing
from ..pages.waits import Busy
from .flow import ActionPage, Done, handle_action, refused


@require_GET
def volume_list(request: HttpRequest) -> HttpResponse:
    listing, sizes = volume_listing(request.GET)
    context = {
        "listing": listing,
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
