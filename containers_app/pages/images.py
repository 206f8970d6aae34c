"""The image pages: the list's rows and columns, the detail page's context."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.http import QueryDict

from .. import docker_service
from ..models import Build
from ..references import split_reference
from .listing import Column, Listing, build_listing

EPOCH = datetime.fromtimestamp(0, UTC)

COLUMNS = [
    Column("repository", "Repository", lambda i: (i.dangling, i.repository.lower())),
    Column("tag", "Tag", lambda i: i.tag),
    Column("id", "Image ID", lambda i: i.id),
    Column("created", "Created", lambda i: i.created or EPOCH),
    Column("size", "Size", lambda i: i.size),
    Column("containers", "Containers", lambda i: i.containers),
]


def _search_text(image: docker_service.ImageSummary) -> str:
    return f"{image.repository}:{image.tag} {image.id}".lower()


def image_listing(params: QueryDict) -> Listing:
    return build_listing(docker_service.list_images(), params, COLUMNS, _search_text, "-created")


def image_detail_context(image: docker_service.ImageDetail, tag: str) -> dict:
    """What the image page shows, named by `tag` when the image still has it."""
    name = tag if tag in image.tags else image.tags[0] if image.tags else image.short_id
    return {
        "image": image,
        "name": name,
        "repository": split_reference(name)[0] if image.tags else "",
        "other_tags": other_tags(name) if image.tags else [],
        "build": Build.objects.filter(image_id=image.id, state=Build.State.SUCCEEDED).first(),
        "raw_json": json.dumps(image.raw, indent=2, sort_keys=True),
        "command": f"docker image inspect {name}",
        "history_command": f"docker history {name}",
    }


def other_tags(reference: str) -> list[docker_service.ImageSummary]:
    """The engine's other tags of the same repository, newest first: what a rollback can pick."""
    repository, tag = split_reference(reference)
    return sorted(
        (
            image
            for image in docker_service.list_images(usage=False)
            if image.repository == repository and image.tag != tag and not image.dangling
        ),
        key=lambda image: image.created or EPOCH,
        reverse=True,
    )


def local_image_names() -> list[str]:
    """Every tag on the engine, for the image fields' suggestions (one engine call).

    None while the engine is down: the form still shows, and says the engine is down.
    """
    try:
        images = docker_service.list_images(usage=False)
    except docker_service.DockerServiceError:
        return []
    return sorted({image.reference for image in images if not image.dangling})
