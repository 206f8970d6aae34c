"""`docker container prune` and `docker image prune`, and what they would remove."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .client import client, engine_call
from .containers import list_containers
from .images import image_rows


def prune_candidates(kind: str, labels: tuple[str, ...] = ()) -> list:
    """What `docker container prune` / `docker image prune` would remove, with the same filters."""
    label_filter = {"label": list(labels)} if labels else {}
    if kind == "container":
        statuses = {"status": ["created", "exited", "dead"]}
        stopped = list_containers(all=True, filters={**statuses, **label_filter})
        return sorted(stopped, key=lambda c: c.created or datetime.min.replace(tzinfo=UTC))
    api = client()
    with engine_call("image"):
        dangling = api.images(filters={"dangling": True, **label_filter})
        used = {c.get("ImageID") for c in api.containers(all=True)}
    return [row for item in dangling if item["Id"] not in used for row in image_rows(item, 0)]


@dataclass(frozen=True)
class PruneResult:
    removed: tuple[str, ...]
    space_reclaimed: int


def prune(kind: str, labels: tuple[str, ...] = ()) -> PruneResult:
    api = client()
    filters = {"label": list(labels)} if labels else None
    with engine_call(kind):
        if kind == "container":
            result = api.prune_containers(filters=filters)
            removed = result.get("ContainersDeleted") or []
        else:
            result = api.prune_images(filters={**(filters or {}), "dangling": True})
            removed = [
                item["Deleted"] for item in result.get("ImagesDeleted") or [] if "Deleted" in item
            ]
    return PruneResult(tuple(removed), result.get("SpaceReclaimed") or 0)
