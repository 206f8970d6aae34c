"""The only module that talks to the Docker engine.

It hands back plain frozen dataclasses, never SDK objects, and turns every
failure into one of our own errors. Lists use one Engine API call each.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import docker
import docker.errors
import requests.exceptions
from django.conf import settings

from .formatting import format_port, format_ports, from_epoch, parse_docker_time
from .masking import EnvVar, mask_env, mask_inspect, mask_text

DEFAULT_ENDPOINT = "unix:///var/run/docker.sock"


class DockerServiceError(Exception):
    """Base of the errors this module raises; the message is safe to show."""


class EngineUnavailable(DockerServiceError):
    def __init__(self, endpoint: str, cause: str):
        super().__init__(f"Docker engine at {endpoint} is unreachable: {cause}")
        self.endpoint = endpoint
        self.cause = cause


class NotFound(DockerServiceError):
    def __init__(self, kind: str, ref: str):
        super().__init__(f"No such {kind}: {ref}")
        self.kind = kind
        self.ref = ref


class Conflict(DockerServiceError):
    pass


class InvalidRequest(DockerServiceError):
    pass


# --- the client ---------------------------------------------------------

_clients: dict[str, docker.APIClient] = {}
_clients_lock = threading.Lock()


def endpoint() -> str:
    return settings.DOCKER_HOST or DEFAULT_ENDPOINT


def _new_client(url: str) -> docker.APIClient:
    kwargs = docker.utils.kwargs_from_env()
    kwargs["base_url"] = url
    return docker.APIClient(
        version="auto", timeout=settings.DOCKER_TIMEOUT, max_pool_size=32, **kwargs
    )


def client() -> docker.APIClient:
    """The shared API client for the configured endpoint, created on first use.

    Creating it negotiates the API version, so it fails while the engine is
    down; the next call tries again, which is how pages recover without a
    restart once the engine is back.
    """
    url = endpoint()
    with _clients_lock:
        api = _clients.get(url)
        if api is None:
            try:
                api = _new_client(url)
            except docker.errors.DockerException as exc:
                raise EngineUnavailable(url, describe_connection_error(exc)) from exc
            _clients[url] = api
        return api


def forget_client(url: str) -> None:
    with _clients_lock:
        api = _clients.pop(url, None)
    if api is not None:
        api.close()


def describe_connection_error(exc: BaseException) -> str:
    """A sentence saying why the engine could not be reached."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if (
            isinstance(current, FileNotFoundError)
            or getattr(current, "errno", None) == errno.ENOENT
        ):
            return "the socket does not exist (is dockerd running, and is DOCKER_HOST right?)"
        if isinstance(current, PermissionError) or getattr(current, "errno", None) in {
            errno.EACCES,
            errno.EPERM,
        }:
            return (
                "permission denied on the socket (the user running Dockside needs access to it,"
                " e.g. membership of the docker group)"
            )
        if isinstance(current, ConnectionRefusedError):
            return "connection refused (nothing is listening: is dockerd running?)"
        if isinstance(current, socket.timeout | TimeoutError | requests.exceptions.Timeout):
            return (
                f"no answer within {settings.DOCKER_TIMEOUT} s (the engine is hung or overloaded)"
            )
        pending.append(current.__cause__)
        pending.append(current.__context__)
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        pending.append(getattr(current, "reason", None))
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@contextmanager
def engine_call(kind: str = "object", ref: str = "") -> Iterator[None]:
    """Translate SDK and transport errors into ours."""
    url = endpoint()
    try:
        yield
    except docker.errors.NotFound as exc:
        raise NotFound(kind, ref) from exc
    except docker.errors.APIError as exc:
        message = exc.explanation or str(exc)
        if exc.status_code == 409:
            raise Conflict(message) from exc
        if exc.status_code == 400:
            raise InvalidRequest(message) from exc
        raise DockerServiceError(message) from exc
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        forget_client(url)
        raise EngineUnavailable(url, describe_connection_error(exc)) from exc
    except docker.errors.DockerException as exc:
        raise DockerServiceError(str(exc)) from exc


# --- the engine ---------------------------------------------------------


@dataclass(frozen=True)
class EngineInfo:
    endpoint: str
    server_version: str
    api_version: str
    os: str
    os_type: str
    architecture: str
    kernel_version: str
    hostname: str
    cpus: int
    memory: int
    containers_running: int
    containers_paused: int
    containers_stopped: int
    images: int

    @property
    def containers_total(self) -> int:
        return self.containers_running + self.containers_paused + self.containers_stopped


def engine_info() -> EngineInfo:
    api = client()
    with engine_call():
        info = api.info()
    return EngineInfo(
        endpoint=endpoint(),
        server_version=info.get("ServerVersion", ""),
        api_version=api.api_version,
        os=info.get("OperatingSystem", ""),
        os_type=info.get("OSType", ""),
        architecture=info.get("Architecture", ""),
        kernel_version=info.get("KernelVersion", ""),
        hostname=info.get("Name", ""),
        cpus=info.get("NCPU", 0),
        memory=info.get("MemTotal", 0),
        containers_running=info.get("ContainersRunning", 0),
        containers_paused=info.get("ContainersPaused", 0),
        containers_stopped=info.get("ContainersStopped", 0),
        images=info.get("Images", 0),
    )


def engine_version() -> tuple[str, str]:
    """The engine's version and the API version agreed with it (`docker version`)."""
    api = client()
    with engine_call():
        version = api.version(api_version=False)
    return version.get("Version", ""), api.api_version


# --- containers ---------------------------------------------------------


@dataclass(frozen=True)
class ContainerSummary:
    id: str
    name: str
    image: str
    image_id: str
    command: str
    created: datetime | None
    state: str
    status: str
    ports: str
    labels: dict[str, str] = field(hash=False)

    @property
    def short_id(self) -> str:
        return self.id[:12]


def _container_summary(item: dict) -> ContainerSummary:
    names = item.get("Names") or []
    return ContainerSummary(
        id=item["Id"],
        name=names[0].lstrip("/") if names else "",
        image=item.get("Image", ""),
        image_id=item.get("ImageID", ""),
        command=item.get("Command", ""),
        created=from_epoch(item.get("Created")),
        state=item.get("State", ""),
        status=item.get("Status", ""),
        ports=format_ports(item.get("Ports") or []),
        labels=item.get("Labels") or {},
    )


def list_containers(all: bool = False, filters: dict | None = None) -> list[ContainerSummary]:
    """`docker ps [-a]`: one call to /containers/json."""
    api = client()
    with engine_call("container"):
        items = api.containers(all=all, filters=filters)
    return [_container_summary(item) for item in items]


@dataclass(frozen=True)
class PublishedPort:
    container_port: str
    protocol: str
    host_ip: str
    host_port: str

    def __str__(self) -> str:
        return format_port(self.host_ip, self.host_port, self.container_port, self.protocol)


@dataclass(frozen=True)
class Mount:
    type: str
    source: str
    destination: str
    mode: str
    read_write: bool
    name: str


@dataclass(frozen=True)
class NetworkAttachment:
    name: str
    ip_address: str
    gateway: str
    mac_address: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ContainerState:
    status: str
    running: bool
    paused: bool
    restarting: bool
    oom_killed: bool
    pid: int
    exit_code: int
    error: str
    started_at: datetime | None
    finished_at: datetime | None
    health: str


@dataclass(frozen=True)
class ResourceLimits:
    memory: int
    memory_swap: int
    memory_reservation: int
    nano_cpus: int
    cpu_shares: int
    cpu_quota: int
    cpu_period: int
    cpuset_cpus: str
    pids_limit: int


@dataclass(frozen=True)
class ContainerDetail:
    id: str
    name: str
    image: str
    image_id: str
    created: datetime | None
    state: ContainerState
    path: str
    args: tuple[str, ...]
    cmd: tuple[str, ...] | None
    entrypoint: tuple[str, ...] | None
    env: tuple[EnvVar, ...]
    ports: tuple[PublishedPort, ...]
    mounts: tuple[Mount, ...]
    network_mode: str
    networks: tuple[NetworkAttachment, ...]
    labels: dict[str, str] = field(hash=False)
    restart_policy: str = "no"
    limits: ResourceLimits | None = None
    working_dir: str = ""
    user: str = ""
    hostname: str = ""
    tty: bool = False
    open_stdin: bool = False
    auto_remove: bool = False
    raw: dict = field(default_factory=dict, hash=False)

    @property
    def short_id(self) -> str:
        return self.id[:12]


def _published_ports(ports: dict | None) -> tuple[PublishedPort, ...]:
    result = []
    for key, bindings in sorted((ports or {}).items()):
        port, _, proto = key.partition("/")
        for binding in bindings or [{"HostIp": "", "HostPort": ""}]:
            result.append(
                PublishedPort(port, proto or "tcp", binding.get("HostIp", ""), binding["HostPort"])
            )
    return tuple(result)


def _restart_policy(policy: dict | None) -> str:
    name = (policy or {}).get("Name") or "no"
    retries = (policy or {}).get("MaximumRetryCount") or 0
    return f"{name}:{retries}" if name == "on-failure" and retries else name


def _container_detail(data: dict) -> ContainerDetail:
    state = data.get("State") or {}
    config = data.get("Config") or {}
    host = data.get("HostConfig") or {}
    network_settings = data.get("NetworkSettings") or {}
    health = (state.get("Health") or {}).get("Status", "")
    return ContainerDetail(
        id=data["Id"],
        name=data.get("Name", "").lstrip("/"),
        image=config.get("Image", ""),
        image_id=data.get("Image", ""),
        created=parse_docker_time(data.get("Created")),
        state=ContainerState(
            status=state.get("Status", ""),
            running=state.get("Running", False),
            paused=state.get("Paused", False),
            restarting=state.get("Restarting", False),
            oom_killed=state.get("OOMKilled", False),
            pid=state.get("Pid", 0),
            exit_code=state.get("ExitCode", 0),
            error=state.get("Error", ""),
            started_at=parse_docker_time(state.get("StartedAt")),
            finished_at=parse_docker_time(state.get("FinishedAt")),
            health=health,
        ),
        path=data.get("Path", ""),
        args=tuple(data.get("Args") or ()),
        cmd=tuple(config["Cmd"]) if config.get("Cmd") is not None else None,
        entrypoint=tuple(config["Entrypoint"]) if config.get("Entrypoint") is not None else None,
        env=tuple(mask_env(config.get("Env"))),
        ports=_published_ports(network_settings.get("Ports")),
        mounts=tuple(
            Mount(
                type=m.get("Type", ""),
                source=m.get("Source", ""),
                destination=m.get("Destination", ""),
                mode=m.get("Mode", ""),
                read_write=m.get("RW", True),
                name=m.get("Name", ""),
            )
            for m in data.get("Mounts") or []
        ),
        network_mode=host.get("NetworkMode", ""),
        networks=tuple(
            NetworkAttachment(
                name=name,
                ip_address=net.get("IPAddress", ""),
                gateway=net.get("Gateway", ""),
                mac_address=net.get("MacAddress", ""),
                aliases=tuple(net.get("Aliases") or ()),
            )
            for name, net in sorted((network_settings.get("Networks") or {}).items())
        ),
        labels=config.get("Labels") or {},
        restart_policy=_restart_policy(host.get("RestartPolicy")),
        limits=ResourceLimits(
            memory=host.get("Memory") or 0,
            memory_swap=host.get("MemorySwap") or 0,
            memory_reservation=host.get("MemoryReservation") or 0,
            nano_cpus=host.get("NanoCpus") or 0,
            cpu_shares=host.get("CpuShares") or 0,
            cpu_quota=host.get("CpuQuota") or 0,
            cpu_period=host.get("CpuPeriod") or 0,
            cpuset_cpus=host.get("CpusetCpus") or "",
            pids_limit=host.get("PidsLimit") or 0,
        ),
        working_dir=config.get("WorkingDir", ""),
        user=config.get("User", ""),
        hostname=config.get("Hostname", ""),
        tty=config.get("Tty", False),
        open_stdin=config.get("OpenStdin", False),
        auto_remove=host.get("AutoRemove", False),
        raw=mask_inspect(data),
    )


def inspect_container(ref: str) -> ContainerDetail:
    """`docker container inspect REF` (id, short id or name)."""
    api = client()
    with engine_call("container", ref):
        data = api.inspect_container(ref)
    return _container_detail(data)


# --- images -------------------------------------------------------------


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


def split_reference(ref: str) -> tuple[str, str]:
    """`registry:5000/name:tag` -> (`registry:5000/name`, `tag`); digests stay in the tag part."""
    if "@" in ref:
        repository, _, digest = ref.partition("@")
        return repository, digest
    repository, sep, tag = ref.rpartition(":")
    if not sep or "/" in tag:
        return ref, "latest"
    return repository, tag


def _image_rows(item: dict, containers: int) -> list[ImageSummary]:
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


def list_images() -> list[ImageSummary]:
    """`docker images`: one row per repository:tag, with how many containers use each image.

    Two calls: /images/json for the images and /containers/json?all=1 to count
    containers per image id (the engine leaves `Containers` at -1 in lists).
    """
    api = client()
    with engine_call("image"):
        images = api.images()
        usage = Counter(c.get("ImageID", "") for c in api.containers(all=True))
    return [row for item in images for row in _image_rows(item, usage[item["Id"]])]


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
            _container_summary(c) for c in containers if c.get("ImageID") == data["Id"]
        ),
        raw=mask_inspect(data),
    )
