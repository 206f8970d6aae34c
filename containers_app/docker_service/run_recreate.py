"""A container read back as the RunSpec that makes it again: `docker run` from `docker inspect`.

Only what differs from the image's own settings and the engine's defaults
becomes a flag (the engine merges the image's ENV, labels, user, workdir,
stop signal and health check into the container's config; it fills in the
log driver, the runtime, the shm size...). What no `docker run` flag can say
is noted instead of guessed at.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from ..quoting import join
from ..run_options.devices import DeviceLimit, DeviceMapping, GpuRequest, Ulimit
from ..run_options.networks import ExtraHost, Link, NetworkAttachment, user_defined
from ..run_options.ports import ExposedPorts, PortMapping
from ..run_options.spec import RestartPolicy, RunSpec
from ..run_options.storage import MountSpec, TmpfsMount, VolumeMount
from .client import NotFound, api_at_least, client, engine_call
from .containers import inspect_container_data
from .engine import EngineInfo, engine_info

# What an engine started without options fills in (dockerd's default-shm-size and
# default-ipc-mode can change them; a container of such an engine then shows the flag).
DEFAULT_SHM_SIZE = 64 * 1024 * 1024
DEFAULT_IPC = "private"
SECCOMP_NAMES = {"seccomp=unconfined", "seccomp=builtin"}


@dataclass(frozen=True)
class EngineDefaults:
    """What the engine fills in for a container created without the flag."""

    log_driver: str = "json-file"
    runtime: str = "runc"
    cgroupns: str = "private"  # "host" on cgroup v1 hosts
    api_version: str = "1.41"


@dataclass
class Recreated:
    """The spec, what else has to run after it (networks to connect), what cannot be said."""

    spec: RunSpec
    after: list[list[str]] = field(default_factory=list)  # more docker commands (argv)
    notes: list[str] = field(default_factory=list)


def _changed_env(container: list[str], image: list[str]) -> tuple[tuple[str, str], ...]:
    inherited = set(image)
    pairs = []
    for entry in dict.fromkeys(container):  # an entry given twice is said once
        if entry in inherited:
            continue
        key, _, value = entry.partition("=")
        pairs.append((key, value))
    return tuple(pairs)


def _command(config: dict, image: dict, notes: list[str]) -> tuple[str, bool, tuple]:
    """(entrypoint, cleared, command) as flags: what the image would not give by itself."""
    entrypoint = config.get("Entrypoint") or []
    cmd = tuple(config.get("Cmd") or ())
    image_entrypoint = image.get("Entrypoint") or []
    image_cmd = tuple(image.get("Cmd") or ())
    if entrypoint == image_entrypoint:
        return "", False, () if cmd == image_cmd else cmd
    if entrypoint in ([], [""]):
        return "", True, cmd
    if len(entrypoint) > 1:
        notes.append(
            f"its entrypoint has {len(entrypoint)} words ({join(entrypoint)}); --entrypoint"
            " takes one program, so the others go before the command: the same process runs"
        )
    return entrypoint[0], False, (*entrypoint[1:], *cmd)


def _health(config: dict, image: dict, notes: list[str]) -> dict:
    mine = config.get("Healthcheck") or {}
    theirs = image.get("Healthcheck") or {}
    if mine == theirs or not mine:
        return {}
    test = mine.get("Test") or []
    if test[:1] == ["NONE"]:
        return {"no_healthcheck": True}
    values: dict = {}
    if test != (theirs.get("Test") or []) and test:
        if test[0] == "CMD-SHELL":
            values["health_cmd"] = " ".join(test[1:])
        else:
            values["health_cmd"] = join(test[1:])
            notes.append(
                "its health check runs a program directly; --health-cmd runs it in a shell"
            )
    for key, attr in (
        ("Interval", "health_interval"),
        ("Timeout", "health_timeout"),
        ("StartPeriod", "health_start_period"),
        ("StartInterval", "health_start_interval"),
        ("Retries", "health_retries"),
    ):
        if mine.get(key) and mine.get(key) != theirs.get(key):
            values[attr] = mine[key]
    return values


def _mount(mount: dict) -> MountSpec:
    """An entry of HostConfig.Mounts as the --mount fields that make it."""
    fields: list[tuple[str, str | None]] = [("type", mount.get("Type", "volume"))]
    if mount.get("Source"):
        fields.append(("source", mount["Source"]))
    fields.append(("target", mount.get("Target", "")))
    if mount.get("ReadOnly"):
        fields.append(("readonly", None))
    if mount.get("Consistency"):
        fields.append(("consistency", mount["Consistency"]))
    bind = mount.get("BindOptions") or {}
    if bind.get("Propagation"):
        fields.append(("bind-propagation", bind["Propagation"]))
    if bind.get("ReadOnlyForceRecursive"):
        fields.append(("bind-recursive", "readonly"))
    elif bind.get("ReadOnlyNonRecursive"):
        fields.append(("bind-recursive", "writable"))
    elif bind.get("NonRecursive"):
        fields.append(("bind-recursive", "disabled"))
    volume = mount.get("VolumeOptions") or {}
    if volume.get("NoCopy"):
        fields.append(("volume-nocopy", None))
    if volume.get("Subpath"):
        fields.append(("volume-subpath", volume["Subpath"]))
    for key, value in sorted((volume.get("Labels") or {}).items()):
        fields.append(("volume-label", f"{key}={value}"))
    driver = volume.get("DriverConfig") or {}
    if driver.get("Name"):
        fields.append(("volume-driver", driver["Name"]))
    for key, value in sorted((driver.get("Options") or {}).items()):
        fields.append(("volume-opt", f"{key}={value}"))
    tmpfs = mount.get("TmpfsOptions") or {}
    if tmpfs.get("SizeBytes"):
        fields.append(("tmpfs-size", str(tmpfs["SizeBytes"])))
    if tmpfs.get("Mode"):
        fields.append(("tmpfs-mode", f"{tmpfs['Mode']:o}"))
    return MountSpec(tuple(fields))


def _ports(host: dict) -> tuple[PortMapping, ...]:
    ports = []
    for key, bindings in sorted((host.get("PortBindings") or {}).items(), key=_port_order):
        number, _, protocol = key.partition("/")
        for binding in bindings or [{}]:
            host_port = binding.get("HostPort") or ""
            first, _, last = host_port.partition("-")
            ports.append(
                PortMapping(
                    int(number),
                    protocol or "tcp",
                    binding.get("HostIp") or "",
                    int(first) if first else None,
                    host_end=int(last) if last else None,
                )
            )
    return tuple(ports)


def _port_order(item: tuple[str, object]) -> tuple[str, int]:
    number, _, protocol = item[0].partition("/")
    return protocol, int(number) if number.isdigit() else 0


def _exposed(config: dict, image: dict, ports: tuple[PortMapping, ...]) -> tuple:
    published = {port.key for port in ports}
    keys = set(config.get("ExposedPorts") or {}) - set(image.get("ExposedPorts") or {}) - published
    exposed = []
    for key in sorted(keys, key=lambda k: _port_order((k, None))):
        number, _, protocol = key.partition("/")
        with contextlib.suppress(ValueError):
            exposed.append(ExposedPorts.parse(f"{number}/{protocol or 'tcp'}"))
    return tuple(exposed)


def _links(host: dict) -> tuple[Link, ...]:
    links = []
    for text in host.get("Links") or []:
        source, _, target = text.partition(":")
        container = source.lstrip("/")
        alias = target.rpartition("/")[2]
        links.append(Link(container, "" if alias == container else alias))
    return tuple(links)


def _networks(data: dict, defaults: EngineDefaults, name: str, recreated: Recreated) -> dict:
    """--network and its aliases and addresses; networks beyond the first, connected after."""
    host = data.get("HostConfig") or {}
    attached = (data.get("NetworkSettings") or {}).get("Networks") or {}
    mode = _network_name(host.get("NetworkMode") or "default", attached)
    short_id = data["Id"][:12]
    values: dict = {}
    primary = "bridge" if mode == "default" else mode
    endpoint = attached.get(primary) or {}
    aliases = tuple(a for a in endpoint.get("Aliases") or [] if a not in {short_id, name})
    ipam = endpoint.get("IPAMConfig") or {}
    if mode != "default":
        values["networks"] = (NetworkAttachment(mode),)
    if user_defined(mode):
        values["network_aliases"] = aliases
        values["ip"] = ipam.get("IPv4Address") or ""
        values["ip6"] = ipam.get("IPv6Address") or ""
        values["link_local_ips"] = tuple(ipam.get("LinkLocalIPs") or ())
        if not host.get("Links"):  # on a network you made, --link is the endpoint's
            values["links"] = tuple(_each(Link.parse, endpoint.get("Links")))
        if endpoint.get("DriverOpts"):
            values["networks"] = (
                NetworkAttachment(
                    mode,
                    driver_opts=tuple(sorted(endpoint["DriverOpts"].items())),
                    long=True,
                ),
            )
    for other, settings in sorted(attached.items()):
        settings = settings or {}
        if other == primary or not user_defined(other):
            continue
        other_aliases = [a for a in settings.get("Aliases") or [] if a not in {short_id, name}]
        other_ipam = settings.get("IPAMConfig") or {}
        if api_at_least(defaults.api_version, "1.44"):
            values["networks"] = (
                *values.get("networks", ()),
                NetworkAttachment(
                    other,
                    aliases=tuple(other_aliases),
                    ip=other_ipam.get("IPv4Address") or "",
                    ip6=other_ipam.get("IPv6Address") or "",
                    long=bool(other_aliases or other_ipam.get("IPv4Address")),
                ),
            )
            continue
        connect = ["docker", "network", "connect"]
        for alias in other_aliases:
            connect += ["--alias", alias]
        if other_ipam.get("IPv4Address"):
            connect += ["--ip", other_ipam["IPv4Address"]]
        if other_ipam.get("IPv6Address"):
            connect += ["--ip6", other_ipam["IPv6Address"]]
        recreated.after.append([*connect, other, name])
    mac = (data.get("Config") or {}).get("MacAddress") or ""
    if mac:
        if api_at_least(defaults.api_version, "1.44"):
            values["mac_address"] = mac
        else:
            recreated.notes.append(
                f"its MAC address {mac} is left out: the docker CLI sets one only on engines"
                f" with API 1.44 or newer (this one has {defaults.api_version})"
            )
    return values


def _network_name(mode: str, attached: dict) -> str:
    """The network mode, by name: some tools give the network's id instead."""
    if mode in attached or not mode or not all(c in "0123456789abcdef" for c in mode):
        return mode
    for name, settings in attached.items():
        if (settings or {}).get("NetworkID", "").startswith(mode):
            return name
    return mode


def _device_limits(items, parse) -> tuple[DeviceLimit, ...]:
    limits = []
    for item in items or []:
        value = item.get("Weight", item.get("Rate"))
        with contextlib.suppress(ValueError):
            limits.append(parse(f"{item.get('Path', '')}:{value}"))
    return tuple(limits)


def _gpus(requests) -> tuple[GpuRequest, ...]:
    gpus = []
    for request in requests or []:
        if request.get("Driver") == "cdi":
            continue
        capabilities = [c for c in (request.get("Capabilities") or [[]])[0] if c != "gpu"]
        count = request.get("Count")
        gpus.append(
            GpuRequest(
                count=None if count == 1 and not request.get("DeviceIDs") else count,
                driver=request.get("Driver") or "",
                device_ids=tuple(request.get("DeviceIDs") or ()),
                capabilities=tuple(capabilities),
                options=tuple(sorted((request.get("Options") or {}).items())),
            )
        )
    return tuple(gpus)


def _devices(host: dict) -> tuple[DeviceMapping, ...]:
    devices = [
        DeviceMapping(
            d.get("PathOnHost", ""),
            d.get("PathInContainer") or d.get("PathOnHost", ""),
            d.get("CgroupPermissions") or "rwm",
        )
        for d in host.get("Devices") or []
    ]
    for request in host.get("DeviceRequests") or []:
        if request.get("Driver") == "cdi":
            devices += [DeviceMapping(name) for name in request.get("DeviceIDs") or []]
    return tuple(devices)


def _swap(host: dict) -> int | None:
    swap, memory = host.get("MemorySwap") or 0, host.get("Memory") or 0
    if swap == 0 or (memory and swap == 2 * memory):
        return None  # what the engine sets by itself
    return swap


def _volumes(config: dict, image: dict, host: dict) -> tuple[VolumeMount, ...]:
    binds = []
    covered = set()
    for text in host.get("Binds") or []:
        try:
            mount = VolumeMount.parse(text)
        except ValueError:
            source, _, rest = text.partition(":")
            target, _, mode = rest.partition(":")
            mount = VolumeMount(target, source, mode)
        binds.append(mount)
        covered.add(mount.target)
    covered |= {m.get("Target") for m in host.get("Mounts") or []}
    covered |= set(host.get("Tmpfs") or {})
    anonymous = set(config.get("Volumes") or {}) - set(image.get("Volumes") or {}) - covered
    return tuple(binds) + tuple(VolumeMount(target) for target in sorted(anonymous))


def spec_from_inspect(data: dict, image: dict, defaults: EngineDefaults) -> Recreated:
    """The RunSpec whose `docker run` makes this container again (image: the image's Config)."""
    config = data.get("Config") or {}
    host = data.get("HostConfig") or {}
    name = (data.get("Name") or "").lstrip("/")
    notes: list[str] = []
    recreated = Recreated(RunSpec(image=config.get("Image", "")), notes=notes)
    entrypoint, cleared, command = _command(config, image, notes)
    network_mode = host.get("NetworkMode") or "default"
    hostname = config.get("Hostname") or ""
    if (
        hostname == data["Id"][:12]
        or network_mode == "host"
        or network_mode.startswith("container:")
    ):
        hostname = ""  # the engine's choice, or the host's or another container's name
    labels = {
        key: value
        for key, value in (config.get("Labels") or {}).items()
        if (image.get("Labels") or {}).get(key) != value
    }
    ports = _ports(host)
    restart = host.get("RestartPolicy") or {}
    masked = host.get("MaskedPaths")
    security = []
    for option in host.get("SecurityOpt") or []:
        if option.startswith("seccomp=") and option not in SECCOMP_NAMES:
            notes.append(
                "its seccomp profile (a JSON document the CLI read from a file) is left out:"
                " save it to a file and add --security-opt seccomp=FILE"
            )
        else:
            security.append(option)
    if masked == [] and host.get("ReadonlyPaths") == []:
        security.append("systempaths=unconfined")
    ulimits = tuple(
        Ulimit(u["Name"], u.get("Soft", 0), u.get("Hard", 0)) for u in host.get("Ulimits") or []
    )
    log = host.get("LogConfig") or {}
    values = dict(
        image=config.get("Image", ""),
        command=command,
        name=name,
        start=(data.get("State") or {}).get("Status") != "created",
        entrypoint=entrypoint,
        clear_entrypoint=cleared,
        workdir=_differing(config.get("WorkingDir"), image.get("WorkingDir")),
        user=_differing(config.get("User"), image.get("User")),
        group_add=tuple(host.get("GroupAdd") or ()),
        tty=bool(config.get("Tty")),
        interactive=bool(config.get("OpenStdin")),
        init=bool(host.get("Init")),
        stop_signal=_differing(config.get("StopSignal"), image.get("StopSignal")),
        stop_timeout=config.get("StopTimeout"),
        restart=RestartPolicy(
            restart.get("Name") or "no",
            restart.get("MaximumRetryCount") or 0 if restart.get("Name") == "on-failure" else 0,
        ),
        remove=bool(host.get("AutoRemove")),
        env=_changed_env(config.get("Env") or [], image.get("Env") or []),
        labels=tuple(labels.items()),
        links=_links(host),
        ports=ports,
        publish_all=bool(host.get("PublishAllPorts")),
        expose=_exposed(config, image, ports),
        add_hosts=tuple(_each(ExtraHost.parse, host.get("ExtraHosts"))),
        dns=tuple(host.get("Dns") or ()),
        dns_search=tuple(host.get("DnsSearch") or ()),
        dns_options=tuple(host.get("DnsOptions") or ()),
        hostname=hostname,
        domainname=config.get("Domainname") or "",
        volumes=_volumes(config, image, host),
        mounts=tuple(_mount(m) for m in host.get("Mounts") or []),
        tmpfs=tuple(TmpfsMount(k, v) for k, v in sorted((host.get("Tmpfs") or {}).items())),
        volumes_from=tuple(host.get("VolumesFrom") or ()),
        volume_driver=host.get("VolumeDriver") or "",
        read_only=bool(host.get("ReadonlyRootfs")),
        storage_opts=tuple(sorted((host.get("StorageOpt") or {}).items())),
        privileged=bool(host.get("Privileged")),
        cap_add=tuple(c.removeprefix("CAP_") for c in host.get("CapAdd") or ()),
        cap_drop=tuple(c.removeprefix("CAP_") for c in host.get("CapDrop") or ()),
        security_opts=tuple(security),
        userns=host.get("UsernsMode") or "",
        devices=_devices(host),
        device_cgroup_rules=tuple(host.get("DeviceCgroupRules") or ()),
        cgroupns=_differing(host.get("CgroupnsMode"), defaults.cgroupns),
        cgroup_parent=host.get("CgroupParent") or "",
        memory=host.get("Memory") or None,
        memory_swap=_swap(host),
        memory_reservation=host.get("MemoryReservation") or None,
        memory_swappiness=_set(host.get("MemorySwappiness"), -1),
        oom_kill_disable=bool(host.get("OomKillDisable")),
        oom_score_adj=host.get("OomScoreAdj") or None,
        nano_cpus=host.get("NanoCpus") or None,
        cpu_shares=host.get("CpuShares") or None,
        cpu_period=host.get("CpuPeriod") or None,
        cpu_quota=host.get("CpuQuota") or None,
        cpu_rt_period=host.get("CpuRealtimePeriod") or None,
        cpu_rt_runtime=host.get("CpuRealtimeRuntime") or None,
        cpuset_cpus=host.get("CpusetCpus") or "",
        cpuset_mems=host.get("CpusetMems") or "",
        pids_limit=host.get("PidsLimit") or None,
        shm_size=_set(host.get("ShmSize"), DEFAULT_SHM_SIZE, 0),
        ulimits=ulimits,
        gpus=_gpus(host.get("DeviceRequests")),
        blkio_weight=host.get("BlkioWeight") or None,
        blkio_weight_devices=_device_limits(host.get("BlkioWeightDevice"), DeviceLimit.weight),
        device_read_bps=_device_limits(host.get("BlkioDeviceReadBps"), DeviceLimit.bytes_rate),
        device_write_bps=_device_limits(host.get("BlkioDeviceWriteBps"), DeviceLimit.bytes_rate),
        device_read_iops=_device_limits(host.get("BlkioDeviceReadIOps"), DeviceLimit.io_rate),
        device_write_iops=_device_limits(host.get("BlkioDeviceWriteIOps"), DeviceLimit.io_rate),
        pid=host.get("PidMode") or "",
        ipc=_differing(host.get("IpcMode"), DEFAULT_IPC),
        uts=host.get("UTSMode") or "",
        sysctls=tuple(sorted((host.get("Sysctls") or {}).items())),
        runtime=_differing(host.get("Runtime"), defaults.runtime),
        annotations=tuple(sorted((host.get("Annotations") or {}).items())),
        log_driver=_differing(log.get("Type"), defaults.log_driver),
        log_opts=tuple(sorted((log.get("Config") or {}).items())),
    )
    values.update(_health(config, image, notes))
    values.update(_networks(data, defaults, name, recreated))
    recreated.spec = RunSpec(**values)
    return recreated


def _differing(value: str | None, default: str | None) -> str:
    return "" if not value or value == (default or "") else value


def _set(value, *unset):
    return None if value is None or value in unset else value


def _each(parse, items) -> list:
    parsed = []
    for item in items or []:
        with contextlib.suppress(ValueError):
            parsed.append(parse(item))
    return parsed


def defaults_of(engine: EngineInfo) -> EngineDefaults:
    return EngineDefaults(
        log_driver=engine.logging_driver,
        runtime=engine.default_runtime,
        cgroupns="private" if engine.cgroup_version == "2" else "host",
        api_version=engine.api_version,
    )


def recreate(data: dict, engine: EngineInfo) -> Recreated:
    """What makes the container of this `docker inspect` again (asks for its image's config)."""
    api = client()
    image: dict = {}
    with contextlib.suppress(NotFound), engine_call("image", data["Image"]):
        image = api.inspect_image(data["Image"]).get("Config") or {}
    return spec_from_inspect(data, image, defaults_of(engine))


def recreate_container(ref: str, engine: EngineInfo | None = None) -> Recreated:
    """What makes the container `ref` again: inspect it, its image and the engine's defaults
    (`engine`: the `docker info` the caller has already)."""
    return recreate(inspect_container_data(ref), engine or engine_info())
