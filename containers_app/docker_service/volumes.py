"""Volumes: `docker volume ls`, `inspect`, `create` and `rm`, and what the host-access
policy needs to know of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime

from ..masking import mask_text, mask_value
from .client import DockerServiceError, NotFound, client, engine_call
from .files import archive_stream
from .times import parse_docker_time

ANONYMOUS_LABEL = "com.docker.volume.anonymous"  # engines from 23.0 mark anonymous volumes
ANONYMOUS_NAME = re.compile(r"[0-9a-f]{64}")
HELPER_LABEL = "dockside.helper"  # on the short-lived containers that read a volume
HELPER_MOUNT = "/volume"


@dataclass(frozen=True)
class VolumeUser:
    """A container that mounts a volume, and where."""

    id: str
    name: str
    state: str
    destination: str
    read_only: bool

    @property
    def short_id(self) -> str:
        return self.id[:12]


@dataclass(frozen=True)
class VolumeSummary:
    name: str
    driver: str
    mountpoint: str
    scope: str
    created: datetime | None
    labels: dict[str, str] = field(hash=False)
    options: dict[str, str] = field(hash=False)
    users: tuple[VolumeUser, ...] = ()
    size: int | None = None  # only when asked for (`/system/df`); -1: the driver cannot tell

    @property
    def dangling(self) -> bool:
        """No container, running or not, mounts it: what `docker volume prune` removes."""
        return not self.users

    @property
    def anonymous(self) -> bool:
        return ANONYMOUS_LABEL in self.labels or bool(ANONYMOUS_NAME.fullmatch(self.name))

    @property
    def short_name(self) -> str:
        return self.name[:12] if self.anonymous else self.name

    @property
    def bind_device(self) -> str | None:
        """The host directory it really is (`local`, `o=bind`), else None."""
        return bind_device_of(self.driver, self.options)


@dataclass(frozen=True)
class VolumeDetail(VolumeSummary):
    raw: dict = field(default_factory=dict, hash=False, compare=False)  # inspect, secrets masked


def bind_device_of(driver: str, options: dict[str, str]) -> str | None:
    mount_options = {option.strip() for option in options.get("o", "").split(",")}
    if driver == "local" and mount_options & {"bind", "rbind"}:
        return options.get("device") or None
    return None


def masked_options(options: dict[str, str] | None) -> dict[str, str]:
    """Driver options (and labels) as shown: `o=addr=…,password=x` (CIFS, NFS) hides its
    secrets, and so does a secret-looking key."""
    return {key: mask_text(mask_value(key, value)[0]) for key, value in (options or {}).items()}


def _users_by_volume(containers: list[dict]) -> dict[str, list[VolumeUser]]:
    users: dict[str, list[VolumeUser]] = {}
    for container in containers:
        name = (container.get("Names") or ["/"])[0].lstrip("/")
        for mount in container.get("Mounts") or []:
            if mount.get("Type") == "volume" and mount.get("Name"):
                users.setdefault(mount["Name"], []).append(
                    VolumeUser(
                        container["Id"],
                        name,
                        container.get("State", ""),
                        mount.get("Destination", ""),
                        not mount.get("RW", True),
                    )
                )
    return users


def _summary(item: dict, users: list[VolumeUser], size: int | None, cls=VolumeSummary, **more):
    return cls(
        name=item["Name"],
        driver=item.get("Driver", ""),
        mountpoint=item.get("Mountpoint", ""),
        scope=item.get("Scope", ""),
        created=parse_docker_time(item.get("CreatedAt")),
        labels=item.get("Labels") or {},
        options=masked_options(item.get("Options")),
        users=tuple(sorted(users, key=lambda user: user.name)),
        size=size,
        **more,
    )


def list_volumes(sizes: bool = False) -> list[VolumeSummary]:
    """`docker volume ls`, with the containers that mount each (one list of containers for
    all), and with `sizes` the disk each takes (`docker system df -v`: one call, a slow one)."""
    api = client()
    with engine_call("volume"):
        volumes = api.volumes().get("Volumes") or []
        users = _users_by_volume(api.containers(all=True))
        usage = {}
        if sizes:
            usage = {
                item["Name"]: (item.get("UsageData") or {}).get("Size", -1)
                for item in api.df().get("Volumes") or []
            }
    return [
        _summary(item, users.get(item["Name"], []), usage.get(item["Name"]) if sizes else None)
        for item in volumes
    ]


def inspect_volume(name: str) -> VolumeDetail:
    api = client()
    with engine_call("volume", name):
        item = api.inspect_volume(name)
        users = _users_by_volume(api.containers(all=True, filters={"volume": item["Name"]}))
    raw = {
        **item,
        "Options": masked_options(item.get("Options")),
        "Labels": masked_options(item.get("Labels")),
    }
    return _summary(item, users.get(item["Name"], []), None, VolumeDetail, raw=raw)


def create_volume(
    name: str, driver: str, options: dict[str, str], labels: dict[str, str]
) -> VolumeDetail:
    api = client()
    with engine_call("volume driver", driver):  # what the engine may not find is the driver
        created = api.create_volume(
            name or None, driver=driver or None, driver_opts=options or None, labels=labels or None
        )
    return inspect_volume(created["Name"])


def remove_volume(name: str, force: bool = False) -> None:
    api = client()
    with engine_call("volume", name):
        api.remove_volume(name, force=force)


def volume_bind_device(name: str) -> str | None:
    """The host directory a named volume really is (`local` driver, `o=bind` or `rbind`),
    else None.

    A volume that does not exist yet is None: the engine makes an ordinary one.
    """
    api = client()
    try:
        with engine_call("volume", name):
            volume = api.inspect_volume(name)
    except NotFound:
        return None
    return bind_device_of(volume.get("Driver", ""), volume.get("Options") or {})


def helper_image(volume: VolumeDetail) -> str:
    """An image already on the engine to make the helper from: it is never started, so any
    will do; the one a user of the volume runs, else the newest."""
    api = client()
    with engine_call("image"):
        if volume.users:
            return api.inspect_container(volume.users[0].id)["Image"]
        images = sorted(api.images(), key=lambda image: image.get("Created", 0), reverse=True)
    if not images:
        raise DockerServiceError(
            "there is no image on this engine to make the helper container from: pull one"
        )
    return images[0]["Id"]


@contextmanager
def volume_helper(volume: VolumeDetail, image: str) -> Iterator[str]:
    """A container that mounts the volume read-only at /volume, with no network, never
    started, labelled, and removed (with anything anonymous it made) when done."""
    api = client()
    with engine_call("volume", volume.name):
        created = api.create_container(
            image,
            command=["true"],
            entrypoint=[],
            labels={HELPER_LABEL: "volume-files"},
            network_disabled=True,
            host_config=api.create_host_config(
                binds={volume.name: {"bind": HELPER_MOUNT, "mode": "ro"}}, network_mode="none"
            ),
        )
    try:
        yield created["Id"]
    finally:
        with suppress(DockerServiceError), engine_call("container", created["Id"]):
            api.remove_container(created["Id"], force=True, v=True)


def volume_path(path: str) -> str:
    """A path inside the volume (from /) as the helper sees it."""
    return HELPER_MOUNT if path == "/" else f"{HELPER_MOUNT}{path}"


def volume_stream(volume: VolumeDetail, image: str, path: str) -> Iterator[bytes]:
    """The tar of `path` in the volume; the helper goes when the stream ends or is dropped
    (an error before the first chunk is raised here, with the helper gone already)."""
    with ExitStack() as stack:
        container = stack.enter_context(volume_helper(volume, image))
        chunks = archive_stream(container, volume_path(path))
        helper = stack.pop_all()

    def streamed() -> Iterator[bytes]:
        with helper:
            yield from chunks

    return streamed()
