"""`docker container|image|volume|network prune`, and what each would remove."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .client import api_at_least, client, engine_call
from .containers import list_containers
from .images import image_rows
from .networks import list_networks
from .volumes import ANONYMOUS_LABEL, list_volumes

# A network a container in one of these states uses has endpoints: prune leaves it.
ACTIVE_STATES = {"running", "paused", "restarting"}

# From Engine API 1.42 `docker volume prune` keeps named volumes unless told `-a`.
VOLUME_PRUNE_ALL_API = "1.42"


def volume_prune_tells_named(api_version: str | None = None) -> bool:
    """Whether this engine's volume prune spares named volumes unless told `-a`."""
    return api_at_least(api_version or client().api_version, VOLUME_PRUNE_ALL_API)


def prune_candidates(kind: str, labels: tuple[str, ...] = (), every: bool = False) -> list:
    """What `docker container|image|volume prune` would remove, with the same filters."""
    label_filter = {"label": list(labels)} if labels else {}
    if kind == "volume":
        return _volume_candidates(labels, every)
    if kind == "network":
        return _network_candidates(labels)
    if kind == "container":
        statuses = {"status": ["created", "exited", "dead"]}
        stopped = list_containers(all=True, filters={**statuses, **label_filter})
        return sorted(stopped, key=lambda c: c.created or datetime.min.replace(tzinfo=UTC))
    api = client()
    with engine_call("image"):
        dangling = api.images(filters={"dangling": True, **label_filter})
        used = {c.get("ImageID") for c in api.containers(all=True)}
    return [row for item in dangling if item["Id"] not in used for row in image_rows(item, 0)]


def _volume_candidates(labels: tuple[str, ...], every: bool) -> list:
    """Unused local volumes with all of `labels` (key or key=value); named ones only when
    the engine prunes them (`every`, or an engine older than API 1.42)."""
    anonymous_only = not every and volume_prune_tells_named()
    found = []
    for volume in list_volumes():
        if not volume.dangling or volume.scope != "local":
            continue
        if anonymous_only and ANONYMOUS_LABEL not in volume.labels:
            continue
        if all(_has_label(volume.labels, label) for label in labels):
            found.append(volume)
    return sorted(found, key=lambda v: v.created or datetime.min.replace(tzinfo=UTC))


def _network_candidates(labels: tuple[str, ...]) -> list:
    """Local networks no running container is on, built-ins aside, with all of `labels`.

    The engine counts only endpoints, which stopped containers do not have: a network only
    stopped containers use goes too, and they will not start again until it is back.
    """
    found = []
    for network in list_networks():
        if network.built_in or network.scope != "local":
            continue
        if any(endpoint.state in ACTIVE_STATES for endpoint in network.endpoints):
            continue
        if all(_has_label(network.labels, label) for label in labels):
            found.append(network)
    return sorted(found, key=lambda n: n.created or datetime.min.replace(tzinfo=UTC))


def _has_label(labels: dict[str, str], wanted: str) -> bool:
    key, equals, value = wanted.partition("=")
    return key in labels and (not equals or labels[key] == value)


@dataclass(frozen=True)
class PruneResult:
    removed: tuple[str, ...]
    space_reclaimed: int


def prune(kind: str, labels: tuple[str, ...] = (), every: bool = False) -> PruneResult:
    api = client()
    filters = {"label": list(labels)} if labels else None
    with engine_call(kind):
        if kind == "container":
            result = api.prune_containers(filters=filters)
            removed = result.get("ContainersDeleted") or []
        elif kind == "network":
            result = api.prune_networks(filters=filters)
            removed = result.get("NetworksDeleted") or []
        elif kind == "volume":
            if every and volume_prune_tells_named():
                filters = {**(filters or {}), "all": True}
            result = api.prune_volumes(filters=filters)
            removed = result.get("VolumesDeleted") or []
        else:
            result = api.prune_images(filters={**(filters or {}), "dangling": True})
            removed = [
                item["Deleted"] for item in result.get("ImagesDeleted") or [] if "Deleted" in item
            ]
    return PruneResult(tuple(removed), result.get("SpaceReclaimed") or 0)
