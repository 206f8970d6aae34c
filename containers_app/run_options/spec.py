"""`RunSpec`: everything one `docker run` / `docker create` asks for.

One field per flag of the Docker CLI reference that means something to a
remote engine (the table in flags.py names them). Built by the run form or a
pasted command, turned into the command shown (command.py), into the Engine
API request (docker_service/run_request.py), and read back from a container
(docker_service/run_recreate.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .devices import DeviceLimit, DeviceMapping, GpuRequest, Ulimit
from .networks import ExtraHost, Link, NetworkAttachment
from .ports import ExposedPorts, PortMapping
from .storage import MountSpec, TmpfsMount, VolumeMount

RESTART_POLICIES = ("no", "on-failure", "always", "unless-stopped")
Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RestartPolicy:
    name: str = "no"
    max_retries: int = 0

    def __str__(self) -> str:
        if self.name == "on-failure" and self.max_retries:
            return f"on-failure:{self.max_retries}"
        return self.name

    @classmethod
    def parse(cls, text: str) -> RestartPolicy:
        name, colon, retries = text.strip().partition(":")
        if name not in RESTART_POLICIES:
            raise ValueError(f"{text!r}: choose one of {', '.join(RESTART_POLICIES)}")
        if colon and name != "on-failure":
            raise ValueError(f"{text!r}: only on-failure takes a retry count")
        if colon and not (retries.isdigit() and int(retries) >= 0):
            raise ValueError(f"{text!r}: the retry count must be a whole number")
        return cls(name, int(retries) if colon else 0)


@dataclass(frozen=True)
class KeyValueFile:
    """`--env-file` / `--label-file`: a file's name as the command names it, and its lines."""

    name: str
    pairs: Pairs = ()


@dataclass(frozen=True)
class RunSpec:
    """`docker run` (start=True) or `docker create` (start=False)."""

    image: str
    command: tuple[str, ...] = ()
    name: str = ""
    start: bool = True
    detach: bool = True
    remove: bool = False
    pull: str = "missing"
    platform: str = ""
    # process
    entrypoint: str = ""
    clear_entrypoint: bool = False  # --entrypoint '': none, not the image's
    workdir: str = ""
    user: str = ""
    group_add: tuple[str, ...] = ()
    tty: bool = False
    interactive: bool = False
    init: bool = False
    stop_signal: str = ""
    stop_timeout: int | None = None
    restart: RestartPolicy = field(default_factory=RestartPolicy)
    # environment
    env: Pairs = ()
    env_file: KeyValueFile | None = None
    labels: Pairs = ()
    label_file: KeyValueFile | None = None
    # network
    networks: tuple[NetworkAttachment, ...] = ()
    network_aliases: tuple[str, ...] = ()
    ip: str = ""
    ip6: str = ""
    mac_address: str = ""
    link_local_ips: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    ports: tuple[PortMapping, ...] = ()
    publish_all: bool = False
    expose: tuple[ExposedPorts, ...] = ()
    add_hosts: tuple[ExtraHost, ...] = ()
    dns: tuple[str, ...] = ()
    dns_search: tuple[str, ...] = ()
    dns_options: tuple[str, ...] = ()
    hostname: str = ""
    domainname: str = ""
    # storage
    volumes: tuple[VolumeMount, ...] = ()
    mounts: tuple[MountSpec, ...] = ()
    tmpfs: tuple[TmpfsMount, ...] = ()
    volumes_from: tuple[str, ...] = ()
    volume_driver: str = ""
    read_only: bool = False
    storage_opts: Pairs = ()
    # security
    privileged: bool = False
    cap_add: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    security_opts: tuple[str, ...] = ()
    userns: str = ""
    devices: tuple[DeviceMapping, ...] = ()
    device_cgroup_rules: tuple[str, ...] = ()
    cgroupns: str = ""
    cgroup_parent: str = ""
    # resources
    memory: int | None = None
    memory_swap: int | None = None
    memory_reservation: int | None = None
    memory_swappiness: int | None = None
    oom_kill_disable: bool = False
    oom_score_adj: int | None = None
    nano_cpus: int | None = None
    cpu_shares: int | None = None
    cpu_period: int | None = None
    cpu_quota: int | None = None
    cpu_rt_period: int | None = None
    cpu_rt_runtime: int | None = None
    cpuset_cpus: str = ""
    cpuset_mems: str = ""
    pids_limit: int | None = None
    shm_size: int | None = None
    ulimits: tuple[Ulimit, ...] = ()
    gpus: tuple[GpuRequest, ...] = ()
    blkio_weight: int | None = None
    blkio_weight_devices: tuple[DeviceLimit, ...] = ()
    device_read_bps: tuple[DeviceLimit, ...] = ()
    device_write_bps: tuple[DeviceLimit, ...] = ()
    device_read_iops: tuple[DeviceLimit, ...] = ()
    device_write_iops: tuple[DeviceLimit, ...] = ()
    # namespaces and runtime
    pid: str = ""
    ipc: str = ""
    uts: str = ""
    sysctls: Pairs = ()
    runtime: str = ""
    annotations: Pairs = ()
    # health check and logging
    health_cmd: str = ""
    health_interval: int | None = None  # nanoseconds
    health_timeout: int | None = None
    health_start_period: int | None = None
    health_start_interval: int | None = None
    health_retries: int | None = None
    no_healthcheck: bool = False
    log_driver: str = ""
    log_opts: Pairs = ()

    @property
    def verb(self) -> str:
        return "run" if self.start else "create"

    @property
    def foreground(self) -> bool:
        return self.start and not self.detach

    @property
    def network(self) -> str:
        """The network the container starts on (`default` when none is named)."""
        return self.networks[0].name if self.networks else ""

    def attachment(self, index: int) -> NetworkAttachment:
        """The network at `index` (the default one when none is named); the first also
        takes what --network-alias, --ip, --ip6, --mac-address and --link-local-ip say."""
        own = self.networks[index] if self.networks else NetworkAttachment("default")
        if index:
            return own
        return dataclasses.replace(
            own,
            aliases=own.aliases or self.network_aliases,
            ip=own.ip or self.ip,
            ip6=own.ip6 or self.ip6,
            mac_address=own.mac_address or self.mac_address,
            link_local_ips=own.link_local_ips or self.link_local_ips,
        )

    @property
    def all_env(self) -> Pairs:
        """What the container's environment gets: the env file's lines, then `-e`."""
        return (self.env_file.pairs if self.env_file else ()) + self.env

    @property
    def all_labels(self) -> Pairs:
        return (self.label_file.pairs if self.label_file else ()) + self.labels

    @property
    def healthcheck_set(self) -> bool:
        return bool(
            self.health_cmd
            or self.health_interval
            or self.health_timeout
            or self.health_start_period
            or self.health_start_interval
            or self.health_retries
        )
