"""Every flag of `docker run` / `docker create`, once: its field, its section, what it does.

The run form's fields, the command shown (command.py) and a pasted command
read back all come from this table, in its order. What the engine is sent for
each is docker_service/run_request.py. Flags that only matter to a terminal
client, or to a Windows engine, are listed with the reason they change nothing
here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..references import check_container_name, check_hostname
from .devices import DeviceLimit, DeviceMapping, GpuRequest, Ulimit, cgroup_rule
from .networks import (
    ExtraHost,
    Link,
    NetworkAttachment,
    any_ip,
    dns_search,
    domain_name,
    ip_address,
    mac_address,
)
from .ports import ExposedPorts, PortMapping
from .spec import RestartPolicy
from .storage import MountSpec, TmpfsMount, VolumeMount
from .units import (
    format_cpus,
    format_duration,
    format_size,
    format_swap,
    integer,
    parse_cpus,
    parse_memory,
    parse_size,
    parse_swap,
    positive_duration,
)

SIGNAL = re.compile(r"(SIG)?[A-Z][A-Z0-9+-]*|[0-9]{1,2}", re.ASCII)
CPUSET = re.compile(r"\d+(-\d+)?(,\d+(-\d+)?)*", re.ASCII)
NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.:/-]*", re.ASCII)
CAPABILITY = re.compile(r"(CAP_)?[A-Z_]+|ALL", re.ASCII | re.IGNORECASE)
PLATFORM = re.compile(r"[a-z0-9_]+(/[a-z0-9_]+(/[a-z0-9_.]+)?)?", re.ASCII)
SYSCTL_NAMES = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
    "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
}  # fmt: skip
SYSCTL_PREFIXES = ("net.", "fs.mqueue.")


@dataclass(frozen=True)
class Flag:
    """One flag; `kind`: switch (no value), value (one), many (repeated) or pairs (KEY=VALUE)."""

    name: str
    attr: str  # the RunSpec field and the form field
    kind: str
    label: str
    help: str
    section: str
    parse: Callable[[str], Any] = str
    show: Callable[[Any], str] = str
    short: str = ""
    aliases: tuple[str, ...] = ()
    placeholder: str = ""
    api: str = ""  # the Engine API version the flag needs
    field: str = ""  # the form field, when not named as the spec's

    @property
    def form_field(self) -> str:
        return self.field or self.attr


def _matching(pattern: re.Pattern, what: str, example: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        if not pattern.fullmatch(value):
            raise ValueError(f"{text!r}: {what}, such as {example}")
        return value

    return parse


def _one_of(choices: tuple[str, ...], what: str, container: bool = False) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        if container and value.startswith("container:"):
            check_container_name(value.removeprefix("container:"))
            return value
        if value not in choices:
            extra = " or container:NAME" if container else ""
            raise ValueError(f"{text!r}: the {what} is {', '.join(choices)}{extra}")
        return value

    return parse


def _security_opt(text: str) -> str:
    value = text.strip()
    key, sep, item = value.partition("=")
    if not sep and key != "no-new-privileges":
        key, sep, item = value.partition(":")
    if key != "no-new-privileges" and (not sep or not item):
        raise ValueError(
            f"{text!r}: write key=value, such as no-new-privileges, seccomp=unconfined,"
            " apparmor=unconfined or label=disable"
        )
    if key == "seccomp" and item not in {"unconfined", "builtin"}:
        raise ValueError(
            f"{text!r}: seccomp=FILE makes the CLI read a profile from your own disk;"
            " Dockside takes seccomp=unconfined or seccomp=builtin"
        )
    return value


def parse_key_value(text: str, what: str, value_required: bool = True) -> tuple[str, str]:
    """`KEY=VALUE` of `-e`, `-l`, `--sysctl`...: (key, value)."""
    key, sep, value = text.partition("=")
    if not key or any(c.isspace() for c in key):
        raise ValueError(f"{text!r}: expected KEY=VALUE with a {what} name before =")
    if not sep and value_required:
        raise ValueError(
            f"{text!r}: give a value ({key}=...); taking it from Dockside's own environment"
            " is not supported"
        )
    return key, value


def pair(what: str, value_required: bool = True, check_key=None):
    """A parser of `KEY=VALUE` lines for one flag."""

    def parse(text: str) -> tuple[str, str]:
        key, value = parse_key_value(text, what, value_required)
        if check_key is not None:
            check_key(key, text)
        return key, value

    return parse


def show_pair(item: tuple[str, str]) -> str:
    return f"{item[0]}={item[1]}"


def _sysctl(key: str, text: str) -> None:
    if key not in SYSCTL_NAMES and not key.startswith(SYSCTL_PREFIXES):
        raise ValueError(
            f"{text!r}: only namespaced sysctls can be set in a container: net.*, fs.mqueue.*"
            " and kernel.msg*/sem/shm*"
        )


capability = _matching(CAPABILITY, "a capability name", "NET_ADMIN or SYS_TIME")


def _volumes_from(text: str) -> str:
    value = text.strip()
    name, _, mode = value.partition(":")
    check_container_name(name)
    if mode and mode not in {"ro", "rw"}:
        raise ValueError(f"{text!r}: write container[:ro|rw]")
    return value


def _group(text: str) -> str:
    return _matching(re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9_.-]*"), "a group name or id", "audio")(
        text
    )


def _dns_option(text: str) -> str:
    return _matching(re.compile(r"\S+"), "a resolver option", "ndots:2 or timeout:3")(text)


def _alias(text: str) -> str:
    return _matching(NETWORK_ALIAS, "a name other containers can use", "db")(text)


NETWORK_ALIAS = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", re.ASCII)
SECTIONS = {  # the sections that fold away until they hold something, in their order
    "networking": "More networking",
    "storage": "More storage",
    "security": "Security",
    "resources": "Resources",
    "runtime": "Process and namespaces",
    "health": "Health check",
    "logging": "Logging",
}

F = Flag
FLAGS: tuple[Flag, ...] = (
    F("--rm", "remove", "switch", "Remove when it exits (--rm)",
      "Deletes the container (and its anonymous volumes) as soon as it stops.", "run"),
    F("--name", "name", "value", "Name (--name)",
      "What to call the container (docker picks a name such as eager_turing otherwise).",
      "run", check_container_name, placeholder="optional: web"),
    F("--pull", "pull", "value", "Pull the image (--pull)",
      "missing pulls only when the engine lacks the image; always checks the registry first.",
      "run", _one_of(("missing", "never", "always"), "pull policy")),
    F("--platform", "platform", "value", "Platform (--platform)",
      "Which image variant to use on a multi-platform engine, such as linux/arm64.", "runtime",
      _matching(PLATFORM, "os[/architecture[/variant]]", "linux/amd64"), placeholder="linux/amd64"),
    F("--publish", "ports", "many", "Published ports (-p)",
      "host:container maps a port of the host to one of the container; ranges map ranges.",
      "network", PortMapping.parse, short="-p", placeholder="8080:80\n127.0.0.1:5353:53/udp"),
    F("--publish-all", "publish_all", "switch", "Publish every exposed port (-P)",
      "Each port the image exposes gets a free port on the host.", "networking", short="-P"),
    F("--expose", "expose", "many", "Exposed ports (--expose)",
      "Marks ports the container listens on, without publishing them (-P publishes them).",
      "networking", ExposedPorts.parse, placeholder="8080\n9000-9010/udp"),
    F("--env", "env", "pairs", "Environment (-e)",
      "Variables the container's processes see; one KEY=value per line.", "data",
      pair("variable"), show_pair, short="-e", placeholder="KEY=value"),
    F("--volume", "volumes", "many", "Volumes and bind mounts (-v)",
      "source:target[:options]: a host path or a volume name mounted in the container.",
      "data", VolumeMount.parse, short="-v",
      placeholder="/host/dir:/data:ro\nvolume-name:/var/lib/db"),
    F("--mount", "mounts", "many", "Mounts (--mount)",
      "The long form of -v: type=bind|volume|tmpfs,source=...,target=...,readonly and options.",
      "storage", MountSpec.parse, placeholder="type=volume,source=data,target=/data"),
    F("--tmpfs", "tmpfs", "many", "Memory-backed directories (--tmpfs)",
      "A tmpfs at this path: fast, never written to disk, gone when the container stops.",
      "storage", TmpfsMount.parse, placeholder="/run:rw,size=64m"),
    F("--volumes-from", "volumes_from", "many", "Volumes of another container (--volumes-from)",
      "Mounts every volume of that container at the same paths.", "storage", _volumes_from,
      placeholder="data-container:ro"),
    F("--volume-driver", "volume_driver", "value", "Volume driver (--volume-driver)",
      "The driver that creates the named and anonymous volumes -v asks for.", "storage",
      _matching(NAME, "a driver name", "local")),
    F("--read-only", "read_only", "switch", "Read-only root file system (--read-only)",
      "The container can write only to volumes and tmpfs mounts.", "storage"),
    F("--storage-opt", "storage_opts", "pairs", "Storage driver options (--storage-opt)",
      "Per-container options of the storage driver, such as size=10G where it supports it.",
      "storage", pair("storage option"), show_pair, placeholder="size=10G"),
    F("--network", "networks", "many", "Network (--network)",
      "bridge (the default), none, host, container:NAME or a network you made; one per line,"
      " or name=...,alias=...,ip=...", "network", NetworkAttachment.parse, aliases=("--net",),
      placeholder="default: bridge; none, host or a network name", field="network"),
    F("--network-alias", "network_aliases", "many", "Network aliases (--network-alias)",
      "Extra names other containers on the network can reach this one by.", "networking",
      _alias, aliases=("--net-alias",)),
    F("--ip", "ip", "value", "IPv4 address (--ip)",
      "A fixed address on the (user-defined) network, inside its subnet.", "networking",
      ip_address(4, "IPv4 address"), placeholder="172.30.100.104"),
    F("--ip6", "ip6", "value", "IPv6 address (--ip6)",
      "A fixed IPv6 address on the (user-defined) network.", "networking",
      ip_address(6, "IPv6 address"), placeholder="2001:db8::33"),
    F("--mac-address", "mac_address", "value", "MAC address (--mac-address)",
      "The container's Ethernet address on its network.", "networking", mac_address,
      placeholder="92:d0:c6:0a:29:33", api="1.44"),
    F("--link-local-ip", "link_local_ips", "many", "Link-local addresses (--link-local-ip)",
      "Extra addresses only reachable on the local link.", "networking", any_ip),
    F("--link", "links", "many", "Links (--link)",
      "Legacy: reach another container by name[:alias]; user-defined networks do it better.",
      "networking", Link.parse, placeholder="db:database"),
    F("--add-host", "add_hosts", "many", "Extra /etc/hosts entries (--add-host)",
      "host:address lines added to /etc/hosts; host-gateway is the host's own address.",
      "networking", ExtraHost.parse, placeholder="db:10.0.0.5\nhost.docker.internal:host-gateway"),
    F("--dns", "dns", "many", "DNS servers (--dns)",
      "Name servers the container asks instead of the engine's.", "networking", any_ip,
      placeholder="1.1.1.1"),
    F("--dns-search", "dns_search", "many", "DNS search domains (--dns-search)",
      "Domains tried after short names (db -> db.example.com).", "networking", dns_search),
    F("--dns-option", "dns_options", "many", "DNS options (--dns-option)",
      "Resolver options for /etc/resolv.conf, such as ndots:2.", "networking", _dns_option,
      aliases=("--dns-opt",)),
    F("--restart", "restart", "value", "Restart policy",
      "What the engine does when the container stops (never for a container you stop).",
      "limits", RestartPolicy.parse),
    F("--label", "labels", "pairs", "Labels (-l)",
      "Metadata to find and filter containers by; one key=value per line.", "data",
      pair("label", value_required=False), show_pair, short="-l",
      placeholder="com.example.team=web"),
    F("--workdir", "workdir", "value", "Working directory (-w)",
      "The directory the command starts in.", "process", short="-w", placeholder="/app"),
    F("--user", "user", "value", "User (-u)",
      "Who the process runs as: name or uid, optionally :group.", "process", short="-u",
      placeholder="1000:1000 or nobody"),
    F("--group-add", "group_add", "many", "Extra groups (--group-add)",
      "Supplementary groups the process gets, by name or id.", "security", _group),
    F("--hostname", "hostname", "value", "Hostname (-h)",
      "The name the container sees for itself (default: its short id).", "network",
      check_hostname, short="-h"),
    F("--domainname", "domainname", "value", "Domain name (--domainname)",
      "The container's NIS domain name.", "networking", domain_name),
    F("--memory", "memory", "value", "Memory limit (--memory)",
      "The most RAM the container may use; past it the kernel kills a process (OOM).",
      "limits", parse_memory, format_size, short="-m", placeholder="256m"),
    F("--cpus", "nano_cpus", "value", "CPU limit (--cpus)",
      "How many CPUs' worth of time the container may use, such as 0.5.", "limits",
      parse_cpus, format_cpus, placeholder="0.5", field="cpus"),
    F("--entrypoint", "entrypoint", "value", "Entrypoint (--entrypoint)",
      "The program that runs instead of the image's ENTRYPOINT; the command becomes its"
      " arguments.", "process", placeholder="optional: /bin/sh"),
    F("--interactive", "interactive", "switch", "Keep stdin open (-i)",
      "The process can read input (a shell needs it).", "process", short="-i"),
    F("--tty", "tty", "switch", "Allocate a terminal (-t)",
      "The process gets a terminal: colours, line editing, prompts.", "process", short="-t"),
    F("--init", "init", "switch", "Run an init process (--init)",
      "A tiny init as PID 1 passes signals on and reaps zombie processes.", "runtime"),
    F("--stop-signal", "stop_signal", "value", "Stop signal (--stop-signal)",
      "What docker stop sends first (SIGTERM unless the image says otherwise).", "runtime",
      _matching(SIGNAL, "a signal name or number", "SIGQUIT")),
    F("--stop-timeout", "stop_timeout", "value", "Stop timeout (--stop-timeout)",
      "Seconds docker stop waits after the signal before it kills (default 10).", "runtime",
      integer(-1, 2**31 - 1, "stop timeout"), placeholder="10"),
    F("--privileged", "privileged", "switch", "Privileged (--privileged)",
      "Every capability and device of the host: as good as root on the host.", "security"),
    F("--cap-add", "cap_add", "many", "Add capabilities (--cap-add)",
      "Kernel privileges beyond Docker's default set, such as NET_ADMIN or SYS_TIME.",
      "security", capability, placeholder="NET_ADMIN"),
    F("--cap-drop", "cap_drop", "many", "Drop capabilities (--cap-drop)",
      "Privileges the process loses, such as ALL then --cap-add what it needs.", "security",
      capability, placeholder="ALL"),
    F("--security-opt", "security_opts", "many", "Security options (--security-opt)",
      "no-new-privileges, seccomp=unconfined, apparmor=PROFILE, label=...", "security",
      _security_opt, placeholder="no-new-privileges"),
    F("--userns", "userns", "value", "User namespace (--userns)",
      "host turns off the engine's user-namespace remapping for this container.", "security",
      _one_of(("host",), "user namespace mode")),
    F("--device", "devices", "many", "Devices (--device)",
      "A host device inside the container: /dev/host[:/dev/inside][:rwm].", "security",
      DeviceMapping.parse, placeholder="/dev/fuse"),
    F("--device-cgroup-rule", "device_cgroup_rules", "many",
      "Device cgroup rules (--device-cgroup-rule)",
      "Allow devices by number, such as 'c 42:* rmw', for devices added later.", "security",
      cgroup_rule),
    F("--cgroupns", "cgroupns", "value", "Cgroup namespace (--cgroupns)",
      "private: the container sees only its own cgroups; host: the host's.", "security",
      _one_of(("host", "private"), "cgroup namespace mode")),
    F("--cgroup-parent", "cgroup_parent", "value", "Parent cgroup (--cgroup-parent)",
      "The cgroup the container's cgroup is made under.", "security",
      _matching(re.compile(r"[^\s:]+"), "a cgroup path", "/docker-limited")),
    F("--gpus", "gpus", "many", "GPUs (--gpus)",
      "all, a number, or device=ID: GPUs through the NVIDIA runtime (the engine needs it).",
      "resources", GpuRequest.parse, placeholder="all"),
    F("--ulimit", "ulimits", "many", "Ulimits (--ulimit)",
      "Per-process limits such as open files: name=soft[:hard].", "resources", Ulimit.parse,
      placeholder="nofile=1024:2048"),
    F("--shm-size", "shm_size", "value", "Shared memory size (--shm-size)",
      "The size of /dev/shm (default 64m); databases and browsers want more.", "resources",
      lambda text: parse_size(text, "shared memory size"), format_size, placeholder="256m"),
    F("--pids-limit", "pids_limit", "value", "Process limit (--pids-limit)",
      "The most processes the container may run (-1: no limit); stops fork bombs.",
      "resources", integer(-1, 2**63 - 1, "process limit"), placeholder="100"),
    F("--memory-swap", "memory_swap", "value", "Memory plus swap (--memory-swap)",
      "RAM plus swap the container may use; -1 for unlimited swap.", "resources", parse_swap,
      format_swap, placeholder="1g"),
    F("--memory-reservation", "memory_reservation", "value",
      "Memory reservation (--memory-reservation)",
      "A soft limit the kernel reclaims down to when the host runs short.", "resources",
      lambda text: parse_size(text, "memory reservation"), format_size),
    F("--memory-swappiness", "memory_swappiness", "value", "Swappiness (--memory-swappiness)",
      "0 to 100: how readily the container's memory is swapped out.", "resources",
      integer(0, 100, "swappiness")),
    F("--oom-kill-disable", "oom_kill_disable", "switch", "Never OOM-kill (--oom-kill-disable)",
      "The kernel does not kill the container's processes when it reaches --memory.",
      "resources"),
    F("--oom-score-adj", "oom_score_adj", "value", "OOM score adjustment (--oom-score-adj)",
      "-1000 to 1000: how likely the host's OOM killer picks this container.", "resources",
      integer(-1000, 1000, "OOM score adjustment")),
    F("--cpu-shares", "cpu_shares", "value", "CPU shares (-c, --cpu-shares)",
      "A relative weight (default 1024) when CPUs are busy.", "resources",
      integer(0, 2**63 - 1, "CPU shares"), short="-c", placeholder="512"),
    F("--cpu-period", "cpu_period", "value", "CPU period (--cpu-period)",
      "The CFS period in microseconds that --cpu-quota counts against.", "resources",
      integer(0, 2**63 - 1, "CPU period")),
    F("--cpu-quota", "cpu_quota", "value", "CPU quota (--cpu-quota)",
      "Microseconds of CPU time per period (--cpus sets both for you).", "resources",
      integer(-1, 2**63 - 1, "CPU quota")),
    F("--cpu-rt-period", "cpu_rt_period", "value", "Real-time period (--cpu-rt-period)",
      "Real-time scheduler period in microseconds.", "resources",
      integer(0, 2**63 - 1, "real-time period")),
    F("--cpu-rt-runtime", "cpu_rt_runtime", "value", "Real-time runtime (--cpu-rt-runtime)",
      "Real-time scheduler runtime in microseconds per period.", "resources",
      integer(0, 2**63 - 1, "real-time runtime")),
    F("--cpuset-cpus", "cpuset_cpus", "value", "CPUs it may run on (--cpuset-cpus)",
      "Pin the container to these CPUs, such as 0-1 or 0,2.", "resources",
      _matching(CPUSET, "CPU numbers", "0-3 or 0,2"), placeholder="0-1"),
    F("--cpuset-mems", "cpuset_mems", "value", "Memory nodes (--cpuset-mems)",
      "NUMA memory nodes the container may use, such as 0.", "resources",
      _matching(CPUSET, "memory node numbers", "0 or 0-1")),
    F("--blkio-weight", "blkio_weight", "value", "Block I/O weight (--blkio-weight)",
      "10 to 1000: a relative share of disk time.", "resources",
      integer(0, 1000, "block I/O weight")),
    F("--blkio-weight-device", "blkio_weight_devices", "many",
      "Block I/O weight per device (--blkio-weight-device)", "/dev/sda:200", "resources",
      DeviceLimit.weight),
    F("--device-read-bps", "device_read_bps", "many", "Read rate limit (--device-read-bps)",
      "Bytes per second from a device: /dev/sda:1mb.", "resources", DeviceLimit.bytes_rate),
    F("--device-write-bps", "device_write_bps", "many", "Write rate limit (--device-write-bps)",
      "Bytes per second to a device: /dev/sda:1mb.", "resources", DeviceLimit.bytes_rate),
    F("--device-read-iops", "device_read_iops", "many", "Read IO/s limit (--device-read-iops)",
      "Reads per second from a device: /dev/sda:1000.", "resources", DeviceLimit.io_rate),
    F("--device-write-iops", "device_write_iops", "many",
      "Write IO/s limit (--device-write-iops)",
      "Writes per second to a device: /dev/sda:1000.", "resources", DeviceLimit.io_rate),
    F("--pid", "pid", "value", "PID namespace (--pid)",
      "host: the container sees every process of the host; container:NAME shares one's.",
      "runtime", _one_of(("host",), "PID namespace", container=True)),
    F("--ipc", "ipc", "value", "IPC namespace (--ipc)",
      "Shared memory: private, shareable, none, host or container:NAME.", "runtime",
      _one_of(("none", "private", "shareable", "host"), "IPC mode", container=True)),
    F("--uts", "uts", "value", "UTS namespace (--uts)",
      "host: the container uses the host's hostname.", "runtime",
      _one_of(("host",), "UTS namespace mode")),
    F("--sysctl", "sysctls", "pairs", "Kernel parameters (--sysctl)",
      "Namespaced sysctls such as net.ipv4.ip_forward=1.", "runtime",
      pair("sysctl", check_key=_sysctl), show_pair, placeholder="net.core.somaxconn=1024"),
    F("--runtime", "runtime", "value", "Runtime (--runtime)",
      "The OCI runtime that starts the container (runc unless the engine has others).",
      "runtime", _matching(NAME, "a runtime name", "runc")),
    F("--annotation", "annotations", "pairs", "OCI annotations (--annotation)",
      "Key=value pairs passed through to the OCI runtime.", "runtime",
      pair("annotation", value_required=False), show_pair, api="1.43"),
    F("--health-cmd", "health_cmd", "value", "Health command (--health-cmd)",
      "A shell command run inside the container; exit 0 means healthy.", "health",
      placeholder="wget -qO- http://localhost/ || exit 1"),
    F("--health-interval", "health_interval", "value", "Check every (--health-interval)",
      "Time between checks, such as 30s.", "health",
      positive_duration("health check interval"), format_duration, placeholder="30s"),
    F("--health-timeout", "health_timeout", "value", "Check timeout (--health-timeout)",
      "How long one check may run before it counts as failed.", "health",
      positive_duration("health check timeout"), format_duration, placeholder="5s"),
    F("--health-retries", "health_retries", "value", "Failures before unhealthy (--health-retries)",
      "Consecutive failed checks that make the container unhealthy.", "health",
      integer(0, 2**31 - 1, "number of retries"), placeholder="3"),
    F("--health-start-period", "health_start_period", "value",
      "Start period (--health-start-period)",
      "Failures during this time after start do not count.", "health",
      positive_duration("start period"), format_duration, placeholder="10s"),
    F("--health-start-interval", "health_start_interval", "value",
      "Check every, while starting (--health-start-interval)",
      "Time between checks during the start period.", "health",
      positive_duration("start interval"), format_duration, api="1.44"),
    F("--no-healthcheck", "no_healthcheck", "switch", "No health check (--no-healthcheck)",
      "Turns off the image's HEALTHCHECK.", "health"),
    F("--log-driver", "log_driver", "value", "Log driver (--log-driver)",
      "Where the container's output goes: json-file, local, syslog, journald, none, …",
      "logging", _matching(NAME, "a log driver name", "local"), placeholder="json-file"),
    F("--log-opt", "log_opts", "pairs", "Log options (--log-opt)",
      "Options of the log driver, such as max-size=10m and max-file=3.", "logging",
      pair("log option", value_required=False), show_pair, placeholder="max-size=10m"),
)  # fmt: skip

BY_NAME: dict[str, Flag] = {}
for _flag in FLAGS:
    BY_NAME[_flag.name] = _flag
    for _other in _flag.aliases:
        BY_NAME[_other] = _flag
SHORT: dict[str, str] = {flag.short: flag.name for flag in FLAGS if flag.short}
SHORT |= {"-d": "--detach", "-a": "--attach", "-q": "--quiet"}
SHOWN_SHORT = {"-p", "-P", "-e", "-v", "-l", "-w", "-u", "-h"}  # as people write them

# Flags the paste box accepts that change nothing on the engine: (takes a value, why).
CLIENT_ONLY = {
    "--attach": (True, "chooses which streams your terminal shows; a foreground run here"
                 " shows both"),
    "--detach-keys": (True, "sets the keys that detach your terminal; there is none here"),
    "--sig-proxy": (False, "passes your terminal's signals on to the process; there is no"
                    " terminal here"),
    "--cidfile": (True, "writes the new id to a file on your machine; the page shows it"),
    "--quiet": (False, "hides the pull's progress in your terminal"),
    "--disable-content-trust": (False, "content trust is checked by your CLI, not the engine"),
    "--kernel-memory": (True, "is deprecated: the kernel no longer supports it and the CLI"
                        " ignores it"),
}  # fmt: skip
# Flags that cannot fill the form here: (takes a value, why).
NOT_HERE = {
    "--cpu-count": (True, "is for Windows engines only"),
    "--cpu-percent": (True, "is for Windows engines only"),
    "--io-maxbandwidth": (True, "is for Windows engines only"),
    "--io-maxiops": (True, "is for Windows engines only"),
    "--isolation": (True, "chooses between Windows isolations; Linux containers have one"),
    "--use-api-socket": (False, "hands the container the engine's socket and your registry"
                         " credentials: root on the host, which Dockside does not give out"),
    "--help": (False, "prints the CLI's help: there is nothing to run"),
}  # fmt: skip
