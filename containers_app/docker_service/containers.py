"""Containers: `docker ps`, `docker inspect`, and the actions on them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from ..masking import EnvVar, mask_env, mask_inspect
from ..specs import DEFAULT_KILL_SIGNAL, DEFAULT_STOP_TIMEOUT, CommitSpec, LifecycleSpec, RunSpec
from .client import Conflict, InvalidRequest, api_at_least, client, endpoint, engine_call
from .run_request import create_request, needed_api
from .sharing import shared
from .times import from_epoch, parse_docker_time


@dataclass(frozen=True)
class PortEntry:
    """One port of a container summary (`/containers/json`): published or only exposed."""

    private_port: int
    protocol: str
    ip: str = ""
    public_port: int | None = None


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
    ports: tuple[PortEntry, ...]
    labels: dict[str, str] = field(hash=False)

    @property
    def short_id(self) -> str:
        return self.id[:12]


def container_summary(item: dict) -> ContainerSummary:
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
        ports=tuple(
            PortEntry(
                p.get("PrivatePort", 0), p.get("Type", "tcp"), p.get("IP", ""), p.get("PublicPort")
            )
            for p in item.get("Ports") or []
        ),
        labels=item.get("Labels") or {},
    )


def list_containers(all: bool = False, filters: dict | None = None) -> list[ContainerSummary]:
    """`docker ps [-a]`: one call to /containers/json (shared by pages asking together)."""

    def ask() -> list[ContainerSummary]:
        api = client()
        with engine_call("container"):
            items = api.containers(all=all, filters=filters)
        return [container_summary(item) for item in items]

    key = ("containers", endpoint(), all, json.dumps(filters, sort_keys=True))
    return list(shared(key, ask))


@dataclass(frozen=True)
class PublishedPort:
    container_port: str
    protocol: str
    host_ip: str
    host_port: str
    any_free_port: bool = False  # published on a port the engine picks when the container starts


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
    stop_signal: str = ""  # the image's or --stop-signal; empty: SIGTERM
    stop_timeout: int | None = None  # --stop-timeout; None: the engine's default
    port_bindings: tuple[PublishedPort, ...] = ()  # -p as configured, running or not
    raw: dict = field(default_factory=dict, hash=False)

    @property
    def short_id(self) -> str:
        return self.id[:12]


def _published_ports(ports: dict | None, configured: bool = False) -> tuple[PublishedPort, ...]:
    result = []
    for key, bindings in sorted((ports or {}).items()):
        port, _, proto = key.partition("/")
        for binding in bindings or [{"HostIp": "", "HostPort": ""}]:
            host_port = binding.get("HostPort") or ""
            result.append(
                PublishedPort(
                    port,
                    proto or "tcp",
                    binding.get("HostIp", ""),
                    host_port,
                    any_free_port=configured and bindings is not None and not host_port,
                )
            )
    return tuple(result)


def _ports(
    running: bool, config: dict, host: dict, network_settings: dict
) -> tuple[PublishedPort, ...]:
    """The ports in use; for a container that is not running, the ones it will publish."""
    if running:
        return _published_ports(network_settings.get("Ports"))
    free = [{"HostIp": "", "HostPort": ""}] if host.get("PublishAllPorts") else None  # -P
    exposed = dict.fromkeys(config.get("ExposedPorts") or {}, free)
    return _published_ports({**exposed, **(host.get("PortBindings") or {})}, configured=True)


def _restart_policy(policy: dict | None) -> str:
    name = (policy or {}).get("Name") or "no"
    retries = (policy or {}).get("MaximumRetryCount") or 0
    return f"{name}:{retries}" if name == "on-failure" and retries else name


def container_detail(data: dict) -> ContainerDetail:
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
        ports=_ports(state.get("Running", False), config, host, network_settings),
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
        stop_signal=config.get("StopSignal") or "",
        stop_timeout=config.get("StopTimeout"),
        port_bindings=_published_ports(host.get("PortBindings"), configured=True),
        raw=mask_inspect(data),
    )


def inspect_container(ref: str) -> ContainerDetail:
    """`docker container inspect REF` (id, short id or name)."""
    return container_detail(inspect_container_data(ref))


def inspect_container_data(ref: str) -> dict:
    """`docker container inspect REF` as the engine answers it, secrets and all: for
    working things out (recreate), never to show; container_detail() makes it a page's."""
    api = client()
    with engine_call("container", ref):
        return api.inspect_container(ref)


def create_container(spec: RunSpec) -> str:
    """`docker create` from a spec; returns the new container's id.

    What this engine's API is too old for is refused first, in the CLI's words.
    """
    api = client()
    for version, what in needed_api(spec):
        if not api_at_least(api.api_version, version):
            raise InvalidRequest(
                f"{what} requires API version {version}, but the Docker daemon API version"
                f" is {api.api_version}"
            )
    body = create_request(spec)
    with engine_call("image", spec.image):
        created = api.create_container_from_config(
            body, name=spec.name or None, platform=spec.platform or None
        )
    return created["Id"]


def start_container(ref: str) -> None:
    api = client()
    with engine_call("container", ref):
        api.start(ref)


def remove_container(ref: str, force: bool = False, volumes: bool = False) -> None:
    api = client()
    with engine_call("container", ref):
        api.remove_container(ref, force=force, v=volumes)


def _stop_timeout(api, ref: str, asked: int | None) -> int:
    """`docker restart` without -t waits the container's own stop timeout (docker-py needs one)."""
    if asked is not None:
        return asked
    configured = api.inspect_container(ref)["Config"].get("StopTimeout")
    return DEFAULT_STOP_TIMEOUT if configured is None else configured


def container_lifecycle(spec: LifecycleSpec) -> None:
    """start, stop, restart, kill, pause or unpause, like the CLI verb of the same name."""
    api = client()
    ref = spec.container
    with engine_call("container", ref):
        if spec.verb == "start":
            api.start(ref)
        elif spec.verb == "stop":
            api.stop(ref, timeout=spec.timeout)
        elif spec.verb == "restart":
            api.restart(ref, timeout=_stop_timeout(api, ref, spec.timeout))
        elif spec.verb == "kill":
            api.kill(ref, signal=spec.signal or DEFAULT_KILL_SIGNAL)
        elif spec.verb == "pause":
            api.pause(ref)
        elif spec.verb == "unpause":
            api.unpause(ref)
        else:
            raise InvalidRequest(f"unknown container action {spec.verb!r}")


def rename_container(ref: str, new_name: str) -> None:
    api = client()
    with engine_call("container", ref):
        api.rename(ref, new_name)


def commit_container(spec: CommitSpec) -> str:
    api = client()
    with engine_call("container", spec.container):
        result = api.commit(
            spec.container,
            repository=spec.repository,
            tag=spec.tag or None,
            message=spec.message or None,
            author=spec.author or None,
            changes=list(spec.changes) or None,
            pause=spec.pause,
        )
    return result["Id"]


@dataclass(frozen=True)
class ProcessTable:
    """`docker top`: the container's processes as the host's ps sees them."""

    titles: tuple[str, ...]
    processes: tuple[tuple[str, ...], ...]


def top(ref: str) -> ProcessTable:
    api = client()
    with engine_call("container", ref):
        result = api.top(ref)
    return ProcessTable(
        tuple(result.get("Titles") or ()),
        tuple(tuple(row) for row in result.get("Processes") or ()),
    )


def stats_once(ref: str) -> dict:
    """One `docker stats --no-stream` reading (the engine takes two a second apart, so that
    CPU is a rate)."""
    api = client()
    with engine_call("container", ref):
        try:
            return api.stats(ref, decode=False, stream=False)
        except ValueError as exc:  # an empty answer: the container stopped meanwhile
            raise Conflict(f"{ref} gave no stats reading: it has stopped") from exc
