"""What each action is asked to do, as plain frozen dataclasses.

A spec is built by a form (or by parsing a pasted command), turned into the
equivalent `docker` argv by `cli.py`, carried out by `actions.py`, and stored
(masked) in the audit log: one object, so the three cannot drift apart.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .references import VOLUME_NAME

RESTART_POLICIES = ("no", "on-failure", "always", "unless-stopped")
PROTOCOLS = ("tcp", "udp", "sctp")
DEFAULT_STOP_TIMEOUT = 10  # the engine's, for containers created without --stop-timeout
DEFAULT_KILL_SIGNAL = "KILL"


@dataclass(frozen=True)
class PortMapping:
    """`-p [host_ip:][host_port:]container_port[/protocol]`; no host port = a random one."""

    container_port: int
    protocol: str = "tcp"
    host_ip: str = ""
    host_port: int | None = None

    def __str__(self) -> str:
        target = f"{self.container_port}"
        if self.protocol != "tcp":
            target += f"/{self.protocol}"
        host_ip = f"[{self.host_ip}]" if ":" in self.host_ip else self.host_ip
        host_port = "" if self.host_port is None else str(self.host_port)
        if host_ip:
            return f"{host_ip}:{host_port}:{target}"
        if host_port:
            return f"{host_port}:{target}"
        return target

    @property
    def key(self) -> str:
        return f"{self.container_port}/{self.protocol}"

    @classmethod
    def parse(cls, text: str) -> PortMapping:
        """`8080:80`, `127.0.0.1:8080:80/udp`, `[::1]::80`, `80`; ValueError says what is wrong."""
        value = text.strip()
        rest, slash, protocol = value.rpartition("/")
        if not slash:
            rest, protocol = value, "tcp"
        if protocol not in PROTOCOLS:
            raise ValueError(f"{text!r}: protocol must be one of {', '.join(PROTOCOLS)}")
        host_ip = ""
        if rest.startswith("["):
            address, bracket, rest = rest[1:].partition("]")
            if not bracket or not rest.startswith(":"):
                raise ValueError(f"{text!r}: write an IPv6 address as [::1]:8080:80")
            host_ip, rest = address, rest[1:]
            parts = ["", *rest.split(":")] if rest.count(":") == 1 else None
            if parts is None:
                raise ValueError(f"{text!r}: expected [ip]:host_port:container_port")
        else:
            parts = rest.split(":")
        if len(parts) == 3:
            host_ip = host_ip or parts[0]
            host_port, container_port = parts[1], parts[2]
        elif len(parts) == 2:
            host_port, container_port = parts
        elif len(parts) == 1:
            host_port, container_port = "", parts[0]
        else:
            raise ValueError(f"{text!r}: expected [ip:][host_port:]container_port[/protocol]")
        if host_ip:
            try:
                ipaddress.ip_address(host_ip)
            except ValueError as exc:
                raise ValueError(f"{text!r}: {host_ip!r} is not an IP address") from exc
        return cls(
            container_port=_port_number(container_port, text, "container port"),
            protocol=protocol,
            host_ip=host_ip,
            host_port=_port_number(host_port, text, "host port") if host_port else None,
        )


@dataclass(frozen=True)
class VolumeMount:
    """`-v source:target[:ro]`: a bind mount (absolute source), a named volume, or anonymous."""

    target: str
    source: str = ""
    read_only: bool = False

    def __str__(self) -> str:
        if not self.source:
            return self.target
        return f"{self.source}:{self.target}" + (":ro" if self.read_only else "")

    @classmethod
    def parse(cls, text: str) -> VolumeMount:
        """`/host/path:/in/container[:ro|rw]`, `volume-name:/in/container`, or `/anonymous`."""
        parts = text.strip().split(":")
        mode = ""
        if len(parts) == 3:
            mode = parts.pop()
            if mode not in {"ro", "rw"}:
                raise ValueError(f"{text!r}: the mode must be ro or rw, not {mode!r}")
        if len(parts) == 1:
            source, target = "", parts[0]
            if mode:
                raise ValueError(f"{text!r}: an anonymous volume takes no mode")
        elif len(parts) == 2:
            source, target = parts
        else:
            raise ValueError(f"{text!r}: expected source:/container/path[:ro]")
        if not target.startswith("/"):
            raise ValueError(f"{text!r}: the container path must be absolute (start with /)")
        if source and not source.startswith("/") and not VOLUME_NAME.fullmatch(source):
            if source.startswith((".", "~")):
                raise ValueError(
                    f"{text!r}: give the host path in full (/home/...): Dockside has no"
                    " current directory to resolve it against"
                )
            raise ValueError(f"{text!r}: {source!r} is neither an absolute path nor a volume name")
        return cls(target=target, source=source, read_only=mode == "ro")


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
class RunSpec:
    """`docker run` (start=True) or `docker create` (start=False)."""

    image: str
    command: tuple[str, ...] = ()
    name: str = ""
    start: bool = True
    detach: bool = True
    remove: bool = False
    entrypoint: str = ""
    ports: tuple[PortMapping, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    volumes: tuple[VolumeMount, ...] = ()
    network: str = ""
    restart: RestartPolicy = field(default_factory=RestartPolicy)
    labels: tuple[tuple[str, str], ...] = ()
    workdir: str = ""
    user: str = ""
    hostname: str = ""
    memory: int | None = None
    nano_cpus: int | None = None
    tty: bool = False
    interactive: bool = False
    pull: str = "missing"

    @property
    def verb(self) -> str:
        return "run" if self.start else "create"

    @property
    def foreground(self) -> bool:
        return self.start and not self.detach


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
    """`docker container prune` / `docker image prune` (dangling only), with label filters."""

    kind: str
    labels: tuple[str, ...] = ()


def _port_number(text: str, original: str, what: str) -> int:
    if "-" in text:
        raise ValueError(f"{original!r}: port ranges are not supported; publish each port")
    if not text.isdigit():
        raise ValueError(f"{original!r}: the {what} must be a number")
    number = int(text)
    if not 0 < number < 65536:
        raise ValueError(f"{original!r}: the {what} {number} is out of range (1-65535)")
    return number


def parse_key_value(text: str, what: str, value_required: bool = True) -> tuple[str, str]:
    """`KEY=VALUE` of `-e` and `-l`."""
    key, sep, value = text.partition("=")
    if not key or any(c.isspace() for c in key):
        raise ValueError(f"{text!r}: expected KEY=VALUE with a {what} name before =")
    if not sep and value_required:
        raise ValueError(
            f"{text!r}: give a value ({key}=...); taking it from Dockside's own environment"
            " is not supported"
        )
    return key, value


MEMORY = re.compile(r"(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?")
MEMORY_UNITS = {None: 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
MIN_MEMORY = 6 * 1024 * 1024


def parse_memory(text: str) -> int:
    """`--memory 64m` to bytes, as Docker's RAMInBytes reads it."""
    match = MEMORY.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r}: expected a size such as 64m, 512m or 1.5g")
    unit = match[2].lower() if match[2] else None
    size = int(Decimal(match[1]) * MEMORY_UNITS[unit])
    if size < MIN_MEMORY:
        raise ValueError(f"{text!r}: the smallest memory limit Docker allows is 6m")
    return size


def format_memory(size: int) -> str:
    for suffix, unit in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def parse_cpus(text: str) -> int:
    """`--cpus 0.5` to nano CPUs, as the CLI computes NanoCPUs."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(f"{text!r}: expected a number of CPUs such as 0.5 or 2") from exc
    nano = value * 10**9
    if not value.is_finite() or nano != nano.to_integral_value():
        raise ValueError(f"{text!r}: at most 9 decimal places")
    if nano <= 0:
        raise ValueError(f"{text!r}: the number of CPUs must be more than 0")
    return int(nano)


def format_cpus(nano_cpus: int) -> str:
    text = f"{Decimal(nano_cpus) / 10**9:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
