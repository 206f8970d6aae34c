"""Images: `docker images`, `docker image inspect`, `docker history`, and the actions on them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from ..masking import EnvVar, mask_env, mask_inspect, mask_text
from ..references import split_reference
from .client import DockerServiceError, NotFound, client, engine_call
from .containers import ContainerSummary, container_summary
from .times import from_epoch, parse_docker_time


@dataclass(frozen=True)
class ImageSummary:
    id: str
    repository: str
    tag: str
    created: datetime | None
    size: int
    containers: int
    labels: dict[str, str] = field(hash=False)

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]

    @property
    def dangling(self) -> bool:
        return self.repository == "<none>"

    @property
    def reference(self) -> str:
        return self.short_id if self.dangling else f"{self.repository}:{self.tag}"


def image_present(ref: str) -> bool:
    api = client()
    try:
        with engine_call("image", ref):
            api.inspect_image(ref)
    except NotFound:
        return False
    return True


def image_id(ref: str) -> str | None:
    """The id of the image `ref` names on the engine, or None."""
    api = client()
    try:
        with engine_call("image", ref):
            return api.inspect_image(ref)["Id"]
    except NotFound:
        return None


def image_user(ref: str) -> str:
    """The user an image's containers run as unless told (`USER`; "" is root)."""
    api = client()
    with engine_call("image", ref):
        return (api.inspect_image(ref).get("Config") or {}).get("User") or ""


def image_rows(item: dict, containers: int) -> list[ImageSummary]:
    tags = [t for t in item.get("RepoTags") or [] if t != "<none>:<none>"]
    if not tags:
        digests = [d for d in item.get("RepoDigests") or [] if d != "<none>@<none>"]
        tags = [f"{d.partition('@')[0]}:<none>" for d in digests] or ["<none>:<none>"]
    rows = []
    for ref in tags:
        repository, tag = ref.rsplit(":", 1) if ref.endswith(":<none>") else split_reference(ref)
        rows.append(
            ImageSummary(
                id=item["Id"],
                repository=repository,
                tag=tag,
                created=from_epoch(item.get("Created")),
                size=item.get("Size", 0),
                containers=containers,
                labels=item.get("Labels") or {},
            )
        )
    return rows


def list_images(usage: bool = True) -> list[ImageSummary]:
    """`docker images`: one row per repository:tag, with how many containers use each image.

    Two calls: /images/json for the images and /containers/json?all=1 to count
    containers per image id (the engine leaves `Containers` at -1 in lists). Without
    `usage`, only the first (for what needs names only; the counts are then -1).
    """
    api = client()
    with engine_call("image"):
        images = api.images()
        users = api.containers(all=True) if usage else []
    counts = Counter(c.get("ImageID", "") for c in users)
    return [row for item in images for row in image_rows(item, counts[item["Id"]] if usage else -1)]


@dataclass(frozen=True)
class HistoryLayer:
    id: str
    created: datetime | None
    created_by: str
    size: int
    comment: str
    tags: tuple[str, ...]

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12] if self.id != "<missing>" else self.id


@dataclass(frozen=True)
class ImageDetail:
    id: str
    tags: tuple[str, ...]
    digests: tuple[str, ...]
    created: datetime | None
    size: int
    architecture: str
    os: str
    author: str
    comment: str
    parent: str
    cmd: tuple[str, ...] | None
    entrypoint: tuple[str, ...] | None
    env: tuple[EnvVar, ...]
    exposed_ports: tuple[str, ...]
    working_dir: str
    user: str
    volumes: tuple[str, ...]
    labels: dict[str, str] = field(hash=False)
    layers: tuple[str, ...] = ()
    history: tuple[HistoryLayer, ...] = ()
    containers: tuple[ContainerSummary, ...] = ()
    raw: dict = field(default_factory=dict, hash=False)

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]


def inspect_image(ref: str) -> ImageDetail:
    """`docker image inspect REF` plus `docker history REF` and the containers made from it."""
    api = client()
    with engine_call("image", ref):
        data = api.inspect_image(ref)
        history = api.history(data["Id"])
        containers = api.containers(all=True, filters={"ancestor": data["Id"]})
    config = data.get("Config") or {}
    return ImageDetail(
        id=data["Id"],
        tags=tuple(data.get("RepoTags") or ()),
        digests=tuple(data.get("RepoDigests") or ()),
        created=parse_docker_time(data.get("Created")),
        size=data.get("Size", 0),
        architecture=data.get("Architecture", ""),
        os=data.get("Os", ""),
        author=data.get("Author", ""),
        comment=data.get("Comment", ""),
        parent=data.get("Parent", ""),
        cmd=tuple(config["Cmd"]) if config.get("Cmd") is not None else None,
        entrypoint=tuple(config["Entrypoint"]) if config.get("Entrypoint") is not None else None,
        env=tuple(mask_env(config.get("Env"))),
        exposed_ports=tuple(sorted(config.get("ExposedPorts") or {})),
        working_dir=config.get("WorkingDir", ""),
        user=config.get("User", ""),
        volumes=tuple(sorted(config.get("Volumes") or {})),
        labels=config.get("Labels") or {},
        layers=tuple((data.get("RootFS") or {}).get("Layers") or ()),
        history=tuple(
            HistoryLayer(
                id=layer.get("Id", ""),
                created=from_epoch(layer.get("Created")),
                created_by=mask_text(layer.get("CreatedBy", "")),
                size=layer.get("Size", 0),
                comment=layer.get("Comment", ""),
                tags=tuple(layer.get("Tags") or ()),
            )
            for layer in history
        ),
        containers=tuple(
            container_summary(c) for c in containers if c.get("ImageID") == data["Id"]
        ),
        raw=mask_inspect(data),
    )


def tag_image(source: str, target: str) -> None:
    repository, tag = split_reference(target)
    api = client()
    with engine_call("image", source):
        api.tag(source, repository, tag)


@dataclass(frozen=True)
class RemovedImage:
    untagged: tuple[str, ...]
    deleted: tuple[str, ...]


def remove_image(ref: str, force: bool = False, no_prune: bool = False) -> RemovedImage:
    api = client()
    with engine_call("image", ref):
        response = api.remove_image(ref, force=force, noprune=no_prune)
    return RemovedImage(
        untagged=tuple(item["Untagged"] for item in response if "Untagged" in item),
        deleted=tuple(item["Deleted"] for item in response if "Deleted" in item),
    )


def pull_image(ref: str, auth_config: dict | None = None) -> Iterator[dict]:
    """`docker pull`: the engine's progress items, decoded, as they arrive.

    Errors inside the stream come as `{"error": ...}` items: they are raised
    as PullFailed, after the items before them were yielded. `auth_config`: the stored
    registry's credentials; never those of the account Dockside runs as.
    """
    repository, tag = split_reference(ref)
    api = client()
    with engine_call("image", ref):
        for item in api.pull(
            repository, tag=tag, stream=True, decode=True, auth_config=auth_config or {}
        ):
            if "error" in item:
                raise PullFailed(item.get("error") or "the pull failed")
            yield item


class PullFailed(DockerServiceError):
    pass
