"""An image as the stack of layers it is (`docker history` beside `RootFS.Layers`), which
other local images share each layer (by diff ID), and each container's writable layer on
top (`SizeRw`): the union file system, drawn.

Which images hold which layers takes each image's RootFS. An image's layers never change
for its id, so they are read once per image and kept: a page costs four engine calls,
plus one per image this process has not seen before.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime

from ..masking import mask_text
from .client import client, engine_call
from .times import from_epoch

# Classic-builder history says "/bin/sh -c #(nop) CMD [...]" for what only sets metadata
# and made no layer (COPY and ADD say #(nop) too, and do make one); BuildKit writes the
# instruction itself.
NOP = "#(nop) "
METADATA = re.compile(
    r"(ARG|CMD|ENTRYPOINT|ENV|EXPOSE|HEALTHCHECK|LABEL|MAINTAINER|ONBUILD|SHELL|STOPSIGNAL"
    r"|USER|VOLUME|WORKDIR)\b"
)
SHELL_PREFIX = "/bin/sh -c "

_rootfs: dict[str, tuple[str, ...]] = {}
_rootfs_lock = threading.Lock()


@dataclass(frozen=True)
class LayerRow:
    instruction: str
    created: datetime | None
    size: int
    diff_id: str  # "" for an instruction that only set metadata
    shared_with: tuple[str, ...] = ()  # other local images holding this layer
    comment: str = ""

    @property
    def short_diff_id(self) -> str:
        return self.diff_id.removeprefix("sha256:")[:12]


@dataclass(frozen=True)
class WritableLayer:
    id: str
    name: str
    state: str
    size_rw: int

    @property
    def short_id(self) -> str:
        return self.id[:12]


@dataclass(frozen=True)
class ImageLayers:
    id: str
    name: str
    rows: tuple[LayerRow, ...]  # bottom (the base) first
    layer_count: int
    mapped: bool  # the history's instructions could be matched to the layers one to one
    containers: tuple[WritableLayer, ...]
    size: int

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]


def instruction_of(created_by: str) -> str:
    """ "/bin/sh -c #(nop)  CMD ["sh"]" as `CMD ["sh"]`, "/bin/sh -c echo" as `RUN echo`."""
    text = created_by.strip()
    if text.startswith(SHELL_PREFIX + NOP):
        return text.removeprefix(SHELL_PREFIX + NOP).strip()
    if text.startswith(SHELL_PREFIX):
        return "RUN " + text.removeprefix(SHELL_PREFIX)
    return text


def _makes_layer(created_by: str, size: int) -> bool:
    if size > 0:
        return True
    instruction = instruction_of(created_by)
    return not METADATA.match(instruction) and bool(instruction or created_by == "")


def _rootfs_of(api, image_ids: set[str]) -> dict[str, tuple[str, ...]]:
    """Each image's diff IDs: kept ones, and read (once) for images not seen before."""
    with _rootfs_lock:
        for gone in set(_rootfs) - image_ids:
            del _rootfs[gone]
        missing = image_ids - set(_rootfs)
    for image_id in missing:
        data = api.inspect_image(image_id)
        layers = tuple((data.get("RootFS") or {}).get("Layers") or ())
        with _rootfs_lock:
            _rootfs[image_id] = layers
    with _rootfs_lock:
        return {image_id: _rootfs[image_id] for image_id in image_ids if image_id in _rootfs}


def _nearest_first(names, tags: list[str]) -> tuple[str, ...]:
    """Other tags of the same repository first (the versions), then the rest, by name."""
    repositories = {tag.rpartition(":")[0] for tag in tags}
    return tuple(
        sorted(names, key=lambda name: (name.rpartition(":")[0] not in repositories, name))
    )


def image_layers(ref: str) -> ImageLayers:
    api = client()
    with engine_call("image", ref):
        data = api.inspect_image(ref)
        image_id = data["Id"]
        history = list(reversed(api.history(image_id)))  # oldest first
        images = api.images(all=False)
        containers = api.containers(all=True, size=True, filters={"ancestor": image_id})
        names = {
            item["Id"]: [t for t in item.get("RepoTags") or [] if t != "<none>:<none>"]
            for item in images
        }
        rootfs = _rootfs_of(api, set(names) - {image_id})
    diff_ids = tuple((data.get("RootFS") or {}).get("Layers") or ())
    tags = data.get("RepoTags") or []
    holders: dict[str, list[str]] = {}
    for other, layers in rootfs.items():
        for diff_id in set(layers):
            holders.setdefault(diff_id, []).append(
                names[other][0] if names.get(other) else other.removeprefix("sha256:")[:12]
            )
    makes = [_makes_layer(h.get("CreatedBy", ""), h.get("Size", 0)) for h in history]
    if sum(makes) != len(diff_ids):
        makes = [h.get("Size", 0) > 0 for h in history]
    mapped = sum(makes) == len(diff_ids)
    rows, index = [], 0
    for entry, makes_layer in zip(history, makes, strict=True):
        diff_id = ""
        if mapped and makes_layer:
            diff_id, index = diff_ids[index], index + 1
        rows.append(
            LayerRow(
                instruction=mask_text(instruction_of(entry.get("CreatedBy", ""))),
                created=from_epoch(entry.get("Created")),
                size=entry.get("Size", 0),
                diff_id=diff_id,
                shared_with=_nearest_first(holders.get(diff_id, ()), tags) if diff_id else (),
                comment=entry.get("Comment") or "",
            )
        )
    return ImageLayers(
        id=image_id,
        name=tags[0] if tags else image_id.removeprefix("sha256:")[:12],
        rows=tuple(rows),
        layer_count=len(diff_ids),
        mapped=mapped,
        containers=tuple(
            WritableLayer(
                c["Id"],
                (c.get("Names") or ["/"])[0].lstrip("/"),
                c.get("State", ""),
                c.get("SizeRw") or 0,
            )
            for c in containers
            if c.get("ImageID") == image_id
        ),
        size=data.get("Size", 0),
    )
