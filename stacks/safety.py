"""The host-access policy over a whole stack: the tool's resolved configuration (what
`config` printed, with every path made absolute and every variable filled in) is read
service by service, and each key that gives a container the host is named."""

from __future__ import annotations

import yaml

from access import policy
from access.models import HostPolicy

HOST_MODES = ("network_mode", "pid", "ipc", "uts", "userns_mode", "cgroup")


def _bind_sources(volumes) -> list[str]:
    """The host paths of a service's bind mounts, in either syntax `config` prints."""
    found = []
    for volume in volumes or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind" and volume.get("source"):
                found.append(str(volume["source"]))
        elif isinstance(volume, str) and volume.startswith(("/", ".", "~")):
            found.append(volume.split(":", 1)[0])
    return found


def _service_problems(name: str, service: dict, rules: HostPolicy) -> list[str]:
    said = []
    if service.get("privileged") and not rules.allow_privileged:
        said.append("privileged: true gives the container the whole host")
    if not rules.allow_host_namespaces:
        for key in HOST_MODES:
            if str(service.get(key, "")).startswith(("host", "container:")):
                said.append(f"{key}: {service[key]} shares a namespace beyond its own")
    if service.get("devices") and not rules.allow_devices:
        said.append("devices: host devices are an admin's to give")
    allowed = rules.capability_list()
    extra = [
        c
        for c in service.get("cap_add") or []
        if str(c).upper().removeprefix("CAP_") not in allowed
    ]
    if extra:
        listed = ", ".join(sorted(allowed)) or "none"
        said.append(f"cap_add: {', '.join(map(str, extra))} (allowed: {listed})")
    if service.get("sysctls") and not rules.allow_sysctls:
        said.append("sysctls: kernel settings are an admin's to give")
    if not rules.allow_unconfined and any(
        str(option).replace(" ", "") in policy.UNCONFINED
        for option in service.get("security_opt") or []
    ):
        said.append("security_opt: it turns off a confinement")
    for source in _bind_sources(service.get("volumes")):
        if problem := policy.host_directory_problem("volumes", source, rules):
            said.append(f"volumes: {problem.rule}")
    return [f"service {name}: {rule}" for rule in said]


def stack_problems(resolved: str, rules: HostPolicy) -> list[str]:
    """What the policy refuses in a resolved configuration, each naming its service and key."""
    config = yaml.safe_load(resolved) or {}
    services = config.get("services") if isinstance(config, dict) else None
    if not isinstance(services, dict):
        return []
    found = []
    for name, service in sorted(services.items()):
        if isinstance(service, dict):
            found += _service_problems(str(name), service, rules)
    return found
