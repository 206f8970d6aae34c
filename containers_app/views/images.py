"""Image pages: `docker images`, `docker image inspect` and `docker history`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import docker_service
from ..pages.images import image_detail_context, image_listing


@require_GET
def image_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "images/list.html",
        {"listing": image_listing(request.GET), "command": "docker images"},
    )


@require_GET
def image_detail(request: HttpRequest, ref: str) -> HttpResponse:
    image = docker_service.inspect_image(ref)
    context = image_detail_context(image, request.GET.get("tag") or ref)
    return render(request, "images/detail.html", context)
