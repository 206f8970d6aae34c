"""What each action is asked to do, as plain frozen dataclasses.

A spec is built by a form (or by parsing a pasted command), turned into the
equivalent `docker` argv by `cli.py`, carried out by `actions.py`, and stored
(masked) in the audit log: one object, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from .run_options.flags import parse_key_value
from .run_options.ports import PROTOCOLS, ExposedPorts, PortMapping
from .run_options.spec import RESTART_POLICIES, RestartPolicy, RunSpec
from .run_options.storage import VolumeMount
from .run_options.units import format_cpus, format_memory, parse_cpus, parse_memory

__all__ = [
    "PROTOCOLS",
    "RESTART_POLICIES",
    "ExposedPorts",
    "PortMapping",
    "RestartPolicy",
    "RunSpec",
    "VolumeMount",
    "format_cpus",
    "format_memory",
    "parse_cpus",
    "parse_key_value",
    "parse_memory",
]

DEFAULT_STOP_TIMEOUT = 10  # the engine's, for containers created without --stop-timeout
DEFAULT_KILL_SIGNAL = "KILL"


@dataclass(frozen=True)
class ExecSpec:
    """`docker exec [-u user] [-w dir] [-e K=V] container command...` (one-shot, no TTY)."""

    container: str
    command: tuple[str, ...]
    user: str = ""
    workdir: str = ""
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TerminalSpec:
    """`docker exec -it [-u user] container command...`: an interactive session."""

    container: str
    command: tuple[str, ...]
    user: str = ""


@dataclass(frozen=True)
class LogsSpec:
    """`docker logs` of one container, or of several side by side, as the log viewer reads them.

    `since` is as the CLI takes it (a Go duration, a time, or Unix seconds).
    """

    containers: tuple[str, ...]
    tail: str = "100"
    since: str = ""
    timestamps: bool = False
    stdout: bool = True
    stderr: bool = True
    follow: bool = True
    until: str = ""  # downloads only


@dataclass(frozen=True)
class CommitSpec:
    container: str
    repository: str
    tag: str = ""
    message: str = ""
    author: str = ""
    changes: tuple[str, ...] = ()
    pause: bool = True

    @property
    def reference(self) -> str:
        return f"{self.repository}:{self.tag}" if self.tag else self.repository


@dataclass(frozen=True)
class TagSpec:
    source: str
    target: str


@dataclass(frozen=True)
class PullSpec:
    reference: str


@dataclass(frozen=True)
class LifecycleSpec:
    """start, stop, restart, kill, pause, unpause of one container."""

    verb: str
    container: str
    timeout: int | None = None
    signal: str = ""


@dataclass(frozen=True)
class RenameSpec:
    container: str
    new_name: str


@dataclass(frozen=True)
class RemoveContainerSpec:
    container: str
    force: bool = False
    volumes: bool = False


@dataclass(frozen=True)
class RemoveImageSpec:
    image: str
    force: bool = False
    no_prune: bool = False


@dataclass(frozen=True)
class PruneSpec:
    """`docker container prune` / `docker image prune` (dangling only) / `docker volume
    prune` (`every`: named volumes too, `-a`, where the engine tells them apart), with
    label filters."""

    kind: str
    labels: tuple[str, ...] = ()
    every: bool = False


@dataclass(frozen=True)
class CreateVolumeSpec:
    """`docker volume create [-d driver] [-o key=value]... [--label k=v]... [name]`."""

    name: str = ""
    driver: str = "local"
    options: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RemoveVolumeSpec:
    volume: str
    force: bool = False


@dataclass(frozen=True)
class CreateNetworkSpec:
    """`docker network create [-d driver] [--subnet …] [--gateway …] [--ip-range …]
    [--internal] [--attachable] [--label k=v]… [-o k=v]… name`."""

    name: str
    driver: str = "bridge"
    subnet: str = ""
    gateway: str = ""
    ip_range: str = ""
    internal: bool = False
    attachable: bool = False
    labels: tuple[tuple[str, str], ...] = ()
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ConnectSpec:
    """`docker network connect [--alias a]… [--ip address] network container`."""

    network: str
    container: str
    aliases: tuple[str, ...] = ()
    ip: str = ""


@dataclass(frozen=True)
class DisconnectSpec:
    network: str
    container: str
    force: bool = False


@dataclass(frozen=True)
class RemoveNetworkSpec:
    network: str


@dataclass(frozen=True)
class CopyFromSpec:
    """`docker cp CONTAINER:PATH -` (a tar, as the CLI writes to stdout) or, for one file,
    `docker cp CONTAINER:PATH .` (the file itself)."""

    container: str
    path: str
    archive: bool = True


@dataclass(frozen=True)
class CopyToSpec:
    """`docker cp ./NAME CONTAINER:DIR` (a file) or `docker cp - CONTAINER:DIR` (a tar read
    from stdin, extracted there)."""

    container: str
    directory: str
    source: str = ""
    archive: bool = False
    size: int = 0


@dataclass(frozen=True)
class VolumeCopySpec:
    """A volume's file or directory, read through a helper container that mounts it
    read-only (created, copied from, removed): what `docker cp` cannot do for a volume."""

    volume: str
    path: str  # inside the volume, from /
    image: str
    archive: bool = True


# --- building and moving images -----------------------------------------------

BUILD_SOURCES = ("dockerfile", "archive", "directory")


@dataclass(frozen=True)
class BuildSpec:
    """`docker build`: from a Dockerfile typed in (with files beside it), an uploaded
    archive (`-` reads it from stdin), or a directory on the Docker host."""

    source: str  # one of BUILD_SOURCES
    tags: tuple[str, ...]
    build_args: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    target: str = ""
    no_cache: bool = False
    pull: bool = False
    platform: str = ""
    network: str = ""  # "none": RUN steps get no network; "": the engine's default bridge
    directory: str = ""  # source "directory": the path on the host
    archive: str = ""  # source "archive": the uploaded file's name
    zipped: bool = False  # the archive is a zip: unpacked first, as the CLI cannot read one
    files: tuple[str, ...] = ()  # source "dockerfile": the files beside it
    dockerfile: str = ""  # source "dockerfile": its text


@dataclass(frozen=True)
class PushSpec:
    """`docker push TARGET`, after `docker tag SOURCE TARGET` when they differ."""

    source: str
    target: str


@dataclass(frozen=True)
class SaveSpec:
    """`docker save -o FILE IMAGE...`: the images, their layers and tags, as one tar."""

    images: tuple[str, ...]
    filename: str = "images.tar"


@dataclass(frozen=True)
class LoadSpec:
    """`docker load -i FILE`: images from a tar `docker save` wrote."""

    filename: str
    size: int = 0


@dataclass(frozen=True)
class RegistryLoginSpec:
    """`docker login`: the password goes in on stdin, never on the command line (and is
    never part of a spec)."""

    address: str
    username: str


@dataclass(frozen=True)
class RegistryLogoutSpec:
    """`docker logout ADDRESS`: Dockside forgets the stored credentials."""

    address: str


@dataclass(frozen=True)
class ContextSpec:
    """`docker context create NAME --docker host=URL`: the CLI's name for what Dockside
    calls an engine. With TLS the three PEM files are read from a folder named NAME;
    `update` changes a context that exists."""

    name: str
    host: str
    tls: bool = False
    update: bool = False


@dataclass(frozen=True)
class ContextRemoveSpec:
    """`docker context rm NAME`: Dockside forgets the engine (the engine itself is untouched)."""

    name: str
