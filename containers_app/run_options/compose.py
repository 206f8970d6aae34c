"""A RunSpec as a Compose file with one service: the same container, written the Compose way.

The keys are the Compose Specification's (docker-compose 1.29 reads them all);
what has no Compose key is said in `notes`. Networks and named volumes the
container uses already exist, so they are declared `external`. Every `$` is
written `$$`: Compose would otherwise read it as a variable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .networks import user_defined
from .spec import RunSpec
from .units import format_cpus, format_duration, format_size

SERVICE_NAME = re.compile(r"[^a-z0-9_.-]+")
PLAIN = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./@+=:-]*", re.ASCII)
SEXAGESIMAL = re.compile(r"[-+]?\d[\d_]*(:\d+)+(\.\d*)?")  # YAML 1.1 reads 8080:80 as a number
# ... and 2024-01-01 as a date, 0b101 as a number, .inf and .nan as floats.
YAML_11 = re.compile(r"\d{4}-\d{1,2}-\d{1,2}.*|[-+]?0b[01_]+|[-+]?\.(inf|nan)", re.IGNORECASE)
YAML_WORDS = {
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "",
}  # fmt: skip
UNCONFINED_PATHS = "systempaths=unconfined"
NUMBER = re.compile(r"[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o?[0-7]+")


@dataclass
class ComposeFile:
    document: dict
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        return yaml_text(self.document)

    def commented(self, more_notes: list[str] = ()) -> str:
        """The text, what Compose cannot say (`more_notes` first) as comments at the top."""
        notes = [*more_notes, *self.notes]
        return (
            "".join("".join(f"# {line}\n" for line in note.splitlines() or [""]) for note in notes)
            + self.text()
        )


def _escape(value):
    """`$` as `$$` in every string: Compose interpolates variables in all of them."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {_escape(k): _escape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape(v) for v in value]
    return value


def service_name(spec: RunSpec) -> str:
    base = spec.name or spec.image.rpartition("/")[2].partition(":")[0]
    return SERVICE_NAME.sub("-", base.lower()).strip("-._") or "app"


def _networking(spec: RunSpec, service: dict, top: dict) -> None:
    if spec.mac_address:
        service["mac_address"] = spec.mac_address
    if not spec.networks:
        service["network_mode"] = "bridge"  # as docker run: not a network of the project
        return
    first = spec.networks[0].name
    if not user_defined(first):
        service["network_mode"] = first
        return
    networks = {}
    for index in range(len(spec.networks)):
        attachment = spec.attachment(index)
        settings: dict = {}
        if attachment.aliases:
            settings["aliases"] = list(attachment.aliases)
        if attachment.ip:
            settings["ipv4_address"] = attachment.ip
        if attachment.ip6:
            settings["ipv6_address"] = attachment.ip6
        if attachment.link_local_ips:
            settings["link_local_ips"] = list(attachment.link_local_ips)
        if attachment.driver_opts:
            settings["driver_opts"] = dict(attachment.driver_opts)
        networks[attachment.name] = settings or None
        top.setdefault("networks", {})[attachment.name] = {"external": True}
    service["networks"] = networks


def _storage(spec: RunSpec, service: dict, top: dict, notes: list[str]) -> None:
    volumes: list = []
    for volume in spec.volumes:
        volumes.append(str(volume))
        if volume.source and not volume.bind:
            top.setdefault("volumes", {})[volume.source] = {"external": True}
    for mount in spec.mounts:
        settings = mount.settings()
        entry: dict = {"type": settings["Type"], "target": settings["Target"]}
        if settings.get("Source"):
            entry["source"] = settings["Source"]
            if settings["Type"] == "volume":
                top.setdefault("volumes", {})[settings["Source"]] = {"external": True}
        if settings.get("ReadOnly"):
            entry["read_only"] = True
        if settings.get("Consistency"):
            entry["consistency"] = settings["Consistency"]
        bind = settings.get("BindOptions") or {}
        if bind.get("Propagation"):
            entry["bind"] = {"propagation": bind["Propagation"]}
        volume = settings.get("VolumeOptions") or {}
        if volume.get("NoCopy") or volume.get("Subpath"):
            entry["volume"] = {"nocopy": True} if volume.get("NoCopy") else {}
            if volume.get("Subpath"):
                entry["volume"]["subpath"] = volume["Subpath"]
        tmpfs = settings.get("TmpfsOptions") or {}
        if tmpfs:
            entry["tmpfs"] = {}
            if tmpfs.get("SizeBytes"):
                entry["tmpfs"]["size"] = tmpfs["SizeBytes"]
            if tmpfs.get("Mode"):
                entry["tmpfs"]["mode"] = tmpfs["Mode"]
        unsaid = [
            key
            for key, present in (
                ("volume-driver and volume-opt", volume.get("DriverConfig")),
                ("volume-label", volume.get("Labels")),
                ("bind-recursive", {"NonRecursive", "ReadOnlyNonRecursive"} & set(bind)
                 or bind.get("ReadOnlyForceRecursive")),
            )
            if present
        ]  # fmt: skip
        if unsaid:
            notes.append(
                f"--mount {mount}: Compose has no key for its {' and '.join(unsaid)}; make the"
                " volume with docker volume create and name it as external"
            )
        volumes.append(entry)
    if volumes:
        service["volumes"] = volumes
    if spec.tmpfs:
        service["tmpfs"] = [str(mount) for mount in spec.tmpfs]
    if spec.volumes_from:
        service["volumes_from"] = [f"container:{name}" for name in spec.volumes_from]
    if spec.volume_driver:
        service["volume_driver"] = spec.volume_driver
    if spec.read_only:
        service["read_only"] = True
    if spec.storage_opts:
        service["storage_opt"] = dict(spec.storage_opts)


def _resources(spec: RunSpec, service: dict, notes: list[str]) -> None:
    sizes = (
        ("mem_limit", spec.memory),
        ("mem_reservation", spec.memory_reservation),
        ("shm_size", spec.shm_size),
    )
    for key, size in sizes:
        if size:
            service[key] = format_size(size)
    if spec.memory_swap:
        service["memswap_limit"] = -1 if spec.memory_swap == -1 else format_size(spec.memory_swap)
    numbers = (
        ("mem_swappiness", spec.memory_swappiness),
        ("oom_score_adj", spec.oom_score_adj),
        ("cpu_shares", spec.cpu_shares),
        ("cpu_period", spec.cpu_period),
        ("cpu_quota", spec.cpu_quota),
        ("cpu_rt_period", spec.cpu_rt_period),
        ("cpu_rt_runtime", spec.cpu_rt_runtime),
        ("pids_limit", spec.pids_limit),
    )
    for key, number in numbers:
        if number is not None:
            service[key] = number
    if spec.nano_cpus:
        service["cpus"] = format_cpus(spec.nano_cpus)
    if spec.cpuset_cpus:
        service["cpuset"] = spec.cpuset_cpus
    if spec.cpuset_mems:
        notes.append(f"--cpuset-mems {spec.cpuset_mems} has no Compose key")
    if spec.oom_kill_disable:
        service["oom_kill_disable"] = True
    if spec.ulimits:
        service["ulimits"] = {
            u.name: u.soft if u.soft == u.hard else {"soft": u.soft, "hard": u.hard}
            for u in spec.ulimits
        }
    blkio: dict = {}
    if spec.blkio_weight:
        blkio["weight"] = spec.blkio_weight
    for key, limits, unit in (
        ("weight_device", spec.blkio_weight_devices, "weight"),
        ("device_read_bps", spec.device_read_bps, "rate"),
        ("device_write_bps", spec.device_write_bps, "rate"),
        ("device_read_iops", spec.device_read_iops, "rate"),
        ("device_write_iops", spec.device_write_iops, "rate"),
    ):
        if limits:
            blkio[key] = [{"path": d.path, unit: d.value} for d in limits]
    if blkio:
        service["blkio_config"] = blkio
    if spec.gpus:
        devices = []
        for gpu in spec.gpus:
            request = gpu.request()
            device: dict = {"capabilities": request["Capabilities"][0]}
            if request["Driver"]:
                device["driver"] = request["Driver"]
            if request["DeviceIDs"]:
                device["device_ids"] = request["DeviceIDs"]
            else:
                device["count"] = "all" if request["Count"] == -1 else request["Count"]
            if request["Options"]:
                device["options"] = request["Options"]
            devices.append(device)
        service["deploy"] = {"resources": {"reservations": {"devices": devices}}}


def _health(spec: RunSpec, service: dict) -> None:
    if spec.no_healthcheck:
        service["healthcheck"] = {"disable": True}
        return
    if not spec.healthcheck_set:
        return
    check: dict = {}
    if spec.health_cmd:
        check["test"] = ["CMD-SHELL", spec.health_cmd]
    for key, value in (
        ("interval", spec.health_interval),
        ("timeout", spec.health_timeout),
        ("start_period", spec.health_start_period),
        ("start_interval", spec.health_start_interval),
    ):
        if value:
            check[key] = format_duration(value)
    if spec.health_retries:
        check["retries"] = spec.health_retries
    service["healthcheck"] = check


def compose_file(spec: RunSpec) -> ComposeFile:
    """The spec as a Compose file with one service (and its external networks and volumes)."""
    notes: list[str] = []
    top: dict = {}
    service: dict = {"image": spec.image}
    if spec.name:
        service["container_name"] = spec.name
    if spec.clear_entrypoint:
        service["entrypoint"] = [""]
    elif spec.entrypoint:
        service["entrypoint"] = [spec.entrypoint]
    if spec.command:
        service["command"] = list(spec.command)
    texts = (
        ("working_dir", spec.workdir),
        ("user", spec.user),
        ("hostname", spec.hostname),
        ("domainname", spec.domainname),
        ("stop_signal", spec.stop_signal),
        ("pid", spec.pid),
        ("ipc", spec.ipc),
        ("uts", spec.uts),
        ("userns_mode", spec.userns),
        ("cgroup", spec.cgroupns),
        ("cgroup_parent", spec.cgroup_parent),
        ("runtime", spec.runtime),
        ("platform", spec.platform),
    )
    service |= {key: value for key, value in texts if value}
    if spec.pull != "missing":
        service["pull_policy"] = spec.pull
    if spec.stop_timeout is not None:
        service["stop_grace_period"] = f"{spec.stop_timeout}s"
    if spec.restart.name != "no":
        service["restart"] = str(spec.restart)
    if spec.remove:
        notes.append("--rm has no Compose key: compose down removes the container instead")
    switches = (
        ("tty", spec.tty),
        ("stdin_open", spec.interactive),
        ("init", spec.init),
        ("privileged", spec.privileged),
    )
    service |= {key: True for key, value in switches if value}
    if spec.all_env:
        service["environment"] = dict(spec.all_env)
    if spec.all_labels:
        service["labels"] = dict(spec.all_labels)
    lists = (
        ("ports", [str(port) for port in spec.ports]),
        ("expose", [str(ports) for ports in spec.expose]),
        ("extra_hosts", [str(host) for host in spec.add_hosts]),
        ("dns", list(spec.dns)),
        ("dns_search", list(spec.dns_search)),
        ("dns_opt", list(spec.dns_options)),
        ("external_links", [str(link) for link in spec.links]),
        ("cap_add", list(spec.cap_add)),
        ("cap_drop", list(spec.cap_drop)),
        ("security_opt", [opt for opt in spec.security_opts if opt != UNCONFINED_PATHS]),
        ("group_add", list(spec.group_add)),
        ("devices", [str(device) for device in spec.devices]),
        ("device_cgroup_rules", list(spec.device_cgroup_rules)),
    )
    service |= {key: value for key, value in lists if value}
    if UNCONFINED_PATHS in spec.security_opts:
        notes.append(
            "--security-opt systempaths=unconfined is the CLI's own: Compose has no key for it"
        )
    if spec.publish_all:
        notes.append("-P has no Compose key: list the ports under ports instead")
    maps = (
        ("sysctls", spec.sysctls),
        ("annotations", spec.annotations),
    )
    service |= {key: dict(value) for key, value in maps if value}
    if spec.log_driver or spec.log_opts:
        logging: dict = {}
        if spec.log_driver:
            logging["driver"] = spec.log_driver
        if spec.log_opts:
            logging["options"] = dict(spec.log_opts)
        service["logging"] = logging
    _networking(spec, service, top)
    _storage(spec, service, top, notes)
    _resources(spec, service, notes)
    _health(spec, service)
    document = {"services": {service_name(spec): _escape(service)}, **_escape(top)}
    return ComposeFile(document, notes)


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if (
        PLAIN.fullmatch(text)
        and text.lower() not in YAML_WORDS
        and not NUMBER.fullmatch(text)
        and not SEXAGESIMAL.fullmatch(text)
        and not YAML_11.fullmatch(text)
        and not text.endswith(":")
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def yaml_text(value, indent: int = 0) -> str:
    """Mappings, lists and scalars as block YAML; strings quoted JSON-style where needed."""
    lines: list[str] = []
    _emit(value, indent, lines)
    return "\n".join(lines) + "\n"


def _emit(value, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{_scalar(key)}:"
            if isinstance(item, dict | list) and item:
                lines.append(head)
                _emit(item, indent + 2, lines)
            else:
                empty = "{}" if isinstance(item, dict) else "[]" if isinstance(item, list) else None
                lines.append(f"{head} {empty or _scalar(item)}")
        return
    for item in value:
        if isinstance(item, dict) and item:
            inner: list[str] = []
            _emit(item, indent + 2, inner)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
        elif isinstance(item, list) and item:
            lines.append(f"{pad}-")
            _emit(item, indent + 2, lines)
        else:
            lines.append(f"{pad}- {_scalar(item)}")
