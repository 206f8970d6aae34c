"""Image pages: `docker images`, `docker image inspect` and `docker history`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import docker_service
from ..pages.images import image_detail_context, image_listing


@require_GET
def image_list(request: HttpRequest) -> HttpResponse:
    listing = image_listing(request.GET)
    return render(
        request,
        "images/list.html",
        {
            "listing": listing,
            "command": "docker images",
            "image_count": len({image.id for image, _ in listing.rows}),
        },
    )


@require_GET
def image_detail(request: HttpRequest, ref: str) -> HttpResponse:
    image = docker_service.inspect_image(ref)
    context = image_detail_context(image, request.GET.get("tag") or ref)
    return render(request, "images/detail.html", context)
