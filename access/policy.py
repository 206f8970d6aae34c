"""The host-access policy: what a container may get of the host, checked before it is made.

Each rule names the form field it concerns. `problems()` reads the spec alone;
`engine_problems()` asks the engine what the spec does not say: the image's
user (root with host directories), the mounts of `--volumes-from`, and named
volumes that are host directories in disguise (`local` driver, `o=bind`).
Admins may override a refusal per action, which the audit entry records.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass

from audit.actors import Actor
from audit.models import AuditEntry
from containers_app import docker_service
from containers_app.run_options.spec import RunSpec

from .models import HostPolicy

# The engine's socket, and where it lives: mounting it (or a directory above it) is root.
SOCKETS = ("/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock")
HOST_NAMESPACES = (
    ("pid", "--pid host"),
    ("ipc", "--ipc host"),
    ("uts", "--uts host"),
    ("userns", "--userns host"),
    ("cgroupns", "--cgroupns host"),
)
UNCONFINED = {
    "seccomp=unconfined", "seccomp:unconfined", "apparmor=unconfined", "apparmor:unconfined",
    "label=disable", "label:disable", "systempaths=unconfined",
    "label=type:spc_t", "label:type:spc_t",  # SELinux's "super privileged container" type
}  # fmt: skip
# Namespaces a container may join another's in (`--network container:X`): joining one that
# shares the host's is sharing the host's. (run option, the joined container's HostConfig key)
JOINABLE = (("network", "NetworkMode"), ("pid", "PidMode"), ("ipc", "IpcMode"))


def is_root(user: str) -> bool:
    """Whether `-u`/USER runs as uid 0: empty, root, or any number the engine reads as 0
    (it parses numbers, so 00 and +0 are root too)."""
    name = user.partition(":")[0].strip()
    if name in {"", "root"}:
        return True
    try:
        return int(name) == 0
    except ValueError:
        return False


@dataclass(frozen=True)
class Problem:
    field: str  # the run form's field
    rule: str  # what the policy says, in words

    def __str__(self) -> str:
        return self.rule


class PolicyRefused(docker_service.DockerServiceError):
    """A spec the host-access policy refuses; each problem goes to its field."""

    status = 403

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        self.field_errors = [(problem.field, f"{problem.rule}") for problem in problems]
        super().__init__(
            "refused by the host-access policy: " + "; ".join(str(p) for p in problems)
        )


def _normal(path: str) -> str:
    """The path as the engine will reach it: normalised, and with symbolic links followed
    where the path exists on this machine (an allowed directory may hold a link to /)."""
    if not path.startswith("/"):
        return path
    path = posixpath.normpath(path)
    return os.path.realpath(path) if os.path.lexists(path) else path


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _bind_problem(field: str, source: str, policy: HostPolicy) -> Problem | None:
    path = _normal(source)
    if any(_under(socket, path) for socket in SOCKETS):
        return Problem(
            field,
            f"{source} holds the Docker socket, and the socket is root on the host: it is"
            " never mounted",
        )
    roots = [_normal(root) for root in policy.root_list()]
    if not any(_under(path, root) for root in roots):
        allowed = ", ".join(roots) if roots else "none, by the host-access policy"
        return Problem(
            field,
            f"{source} is a host directory outside those bind mounts may come from ({allowed})",
        )
    return None


def host_directory_problem(field: str, path: str, policy: HostPolicy) -> Problem | None:
    """Why reading this host directory (a build's context) is not for everyone, or None:
    the same rule as a bind mount's source."""
    return _bind_problem(field, path, policy)


def binds(spec: RunSpec) -> list[tuple[str, str]]:
    """(form field, host path) of every bind mount the spec asks for."""
    found = [("volumes", volume.source) for volume in spec.volumes if volume.bind]
    found += [("mounts", mount.source) for mount in spec.mounts if mount.type == "bind"]
    return found


def problems(spec: RunSpec, policy: HostPolicy) -> list[Problem]:
    """What the policy refuses in the spec itself."""
    found = [p for field, source in binds(spec) if (p := _bind_problem(field, source, policy))]
    for mount in spec.mounts:
        if mount.settings().get("VolumeOptions", {}).get("DriverConfig", {}).get("Options"):
            found.append(
                Problem(
                    "mounts", "volume-opt can make a volume of any host directory: ask an admin"
                )
            )
    if spec.privileged and not policy.allow_privileged:
        found.append(Problem("privileged", "--privileged gives the container the whole host"))
    if not policy.allow_host_namespaces:
        for attr, flag in HOST_NAMESPACES:
            if getattr(spec, attr) == "host":
                found.append(Problem(attr, f"{flag} shares the host's own namespace"))
        if spec.network == "host":
            found.append(Problem("network", "--network host shares the host's network"))
    allowed_caps = policy.capability_list()
    extra = [c for c in spec.cap_add if c.upper().removeprefix("CAP_") not in allowed_caps]
    if extra:
        listed = ", ".join(sorted(allowed_caps)) or "none"
        found.append(Problem("cap_add", f"{', '.join(extra)}: capabilities allowed are {listed}"))
    if not policy.allow_devices:
        for field, values, flag in (
            ("devices", spec.devices, "--device"),
            ("gpus", spec.gpus, "--gpus"),
            ("device_cgroup_rules", spec.device_cgroup_rules, "--device-cgroup-rule"),
        ):
            if values:
                found.append(Problem(field, f"{flag} hands a host device to the container"))
    if spec.sysctls and not policy.allow_sysctls:
        found.append(Problem("sysctls", "--sysctl changes kernel settings"))
    unconfined = [opt for opt in spec.security_opts if opt in UNCONFINED]
    if unconfined and not policy.allow_unconfined:
        found.append(
            Problem("security_opts", f"{', '.join(unconfined)} turns the kernel's protection off")
        )
    return found


def engine_problems(spec: RunSpec, policy: HostPolicy) -> list[Problem]:
    """What the policy refuses that only the engine can tell (asks it)."""
    found, host_dirs = [], bool(binds(spec))
    for name in spec.volumes_from:
        source = docker_service.inspect_container(name.partition(":")[0])
        for mount in source.mounts:
            if mount.type != "bind":
                continue
            host_dirs = True
            if problem := _bind_problem("volumes_from", mount.source, policy):
                found.append(Problem("volumes_from", f"{name}: {problem.rule}"))
    for field, volume_name in _named_volumes(spec):
        device = docker_service.volume_bind_device(volume_name)
        if device:
            host_dirs = True
            if problem := _bind_problem(field, device, policy):
                found.append(Problem(field, f"the volume {volume_name} is {problem.rule}"))
    if not policy.allow_host_namespaces:
        found += _joined_host_namespaces(spec)
    if host_dirs and not policy.allow_root_with_binds:
        user = spec.user or docker_service.image_user(spec.image)
        if is_root(user):
            found.append(
                Problem(
                    "user",
                    "root (user 0) with host directories mounted owns those files on the"
                    " host: give a user (-u 1000)",
                )
            )
    return found


def _joined_host_namespaces(spec: RunSpec) -> list[Problem]:
    """`--network container:X` (and --pid, --ipc) where X, or a container X joins in turn,
    shares the host's namespace or runs --privileged."""
    found = []
    for attr, key in JOINABLE:
        mode = getattr(spec, attr) or ""
        if reached := joins_host(mode, key):
            found.append(Problem(attr, f"--{attr} {mode} joins {reached}"))
    return found


def joins_host(mode: str, key: str) -> str:
    """Who, through `mode` ("container:X"), shares the host's namespace ("" if no one)."""
    seen = []
    while mode.startswith("container:") and len(seen) < 5:
        joined = docker_service.inspect_container(mode.partition(":")[2]).raw
        seen.append((joined.get("Name") or "").lstrip("/"))
        host = joined.get("HostConfig") or {}
        mode = host.get(key) or ""
        if host.get("Privileged"):
            return f"{' -> '.join(seen)}, which runs --privileged"
        if mode == "host":
            return f"{' -> '.join(seen)}, which shares the host's own namespace"
    return ""


def _named_volumes(spec: RunSpec) -> list[tuple[str, str]]:
    named = [("volumes", v.source) for v in spec.volumes if v.source and not v.bind]
    named += [("mounts", m.source) for m in spec.mounts if m.type == "volume" and m.source]
    return named


def volume_problems(driver: str, options: dict[str, str], policy: HostPolicy) -> list[Problem]:
    """What the policy refuses in `docker volume create`: a volume is a mount the engine
    makes as root, so its options can make one of any host directory or disk.

    Allowed without an admin: the `local` driver with no options, a tmpfs, or a bind of a
    directory bind mounts may come from.
    """
    if driver != "local":
        return [
            Problem("driver", f"the {driver} driver is a plugin acting on the host: ask an admin")
        ]
    mount_options = {o.strip() for o in options.get("o", "").split(",")}
    if mount_options & {"bind", "rbind"}:
        problem = _bind_problem("options", options.get("device", ""), policy)
        return [problem] if problem else []
    if not options or options.get("type") == "tmpfs":
        return []
    return [
        Problem(
            "options",
            "these options mount a disk or a file system on the host (type, device):"
            " only a tmpfs or a bind of an allowed directory is yours to make; ask an admin",
        )
    ]


def volume_reach(driver: str, options: dict[str, str], policy: HostPolicy) -> str:
    """Why reading a volume's files reads the host's (a bind of a directory outside those
    the policy allows), or ""."""
    refused = volume_problems(driver, options, policy)
    return refused[0].rule if refused else ""


def save_policy(actor: Actor, form) -> HostPolicy:
    """The policy as the admin's form says, with an audit entry of what it now is."""
    entry = AuditEntry.begin(
        actor,
        "policy_change",
        target_kind="policy",
        target_name="host-access policy",
        parameters={name: form.cleaned_data[name] for name in form.fields},
    )
    saved = form.save()
    entry.finish(AuditEntry.Outcome.SUCCEEDED)
    return saved


def container_reach(raw: dict, user: str, policy: HostPolicy) -> list[str]:
    """What the policy would refuse in an existing container (`docker inspect`), for a
    command run in it as `user` ("": the container's own): what a terminal in it reaches."""
    host = raw.get("HostConfig") or {}
    found = []
    if host.get("Privileged") and not policy.allow_privileged:
        found.append("--privileged")
    if not policy.allow_host_namespaces:
        # Not CgroupnsMode: "host" is what every container gets on a cgroup v1 engine.
        modes = ("PidMode", "IpcMode", "UTSMode", "UsernsMode", "NetworkMode")
        found += [f"{mode} host" for mode in modes if host.get(mode) == "host"]
        for _, key in JOINABLE:
            if reached := joins_host(host.get(key) or "", key):
                found.append(f"{key} joins {reached}")
    sources = [m.get("Source", "") for m in raw.get("Mounts") or [] if m.get("Type") == "bind"]
    found += [p.rule for source in sources if (p := _bind_problem("", source, policy))]
    allowed_caps = policy.capability_list()
    extra = [
        c for c in host.get("CapAdd") or [] if c.upper().removeprefix("CAP_") not in allowed_caps
    ]
    if extra:
        found.append(f"--cap-add {', '.join(extra)}")
    if not policy.allow_devices and (host.get("Devices") or host.get("DeviceRequests")):
        found.append("--device")
    unconfined = [opt for opt in host.get("SecurityOpt") or [] if opt in UNCONFINED]
    if unconfined and not policy.allow_unconfined:
        found.append(", ".join(unconfined))
    as_user = user or (raw.get("Config") or {}).get("User") or ""
    if sources and not policy.allow_root_with_binds and is_root(as_user):
        found.append("root with host directories mounted")
    return found
