"""The host-access policy over a whole stack: the tool's resolved configuration (what
`config` printed, with every path made absolute and every variable filled in) is read
service by service, and each key that gives a container the host is named.

Before the tool reads anything, the files a compose.yaml names (env_file, build contexts,
secrets, configs, extends, include) must lie inside the stack's own directory: `config`
itself reads them, and the data directory next door holds Dockside's secret key.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from access import policy
from access.models import HostPolicy
from containers_app import docker_service

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
    for key in ("devices", "device_cgroup_rules", "gpus"):
        if service.get(key) and not rules.allow_devices:
            said.append(f"{key}: host devices are an admin's to give")
    for source in service.get("volumes_from") or []:
        if str(source).startswith("container:"):
            said.append(f"volumes_from: {source} takes another container's mounts: ask an admin")
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
    binds = _bind_sources(service.get("volumes"))
    for source in binds:
        if problem := policy.host_directory_problem("volumes", source, rules):
            said.append(f"volumes: {problem.rule}")
    if binds and not rules.allow_root_with_binds and policy.is_root(_user(service)):
        said.append(
            "user: root (user 0) with host directories mounted owns those files on the host:"
            ' give a user (user: "1000")'
        )
    return [f"service {name}: {rule}" for rule in said]


def _user(service: dict) -> str:
    """Who the service runs as: its `user`, else its image's USER (root if the image is
    not here yet: it cannot be told)."""
    if service.get("user") is not None:
        return str(service["user"])
    try:
        return docker_service.image_user(str(service.get("image") or ""))
    except docker_service.DockerServiceError:
        return ""


def images(resolved: str) -> list[tuple[str, str]]:
    """(service, image) of every service that names an image."""
    services = _mapping(_mapping(yaml.safe_load(resolved)).get("services"))
    return [
        (str(name), str(service["image"]))
        for name, service in sorted(services.items())
        if isinstance(service, dict) and service.get("image")
    ]


def _top_level_problems(config: dict, rules: HostPolicy) -> list[str]:
    """Volumes whose options mount the host, networks that are the host's."""
    found = []
    for name, volume in (config.get("volumes") or {}).items():
        if isinstance(volume, dict) and not volume.get("external"):
            options = {str(k): str(v) for k, v in (volume.get("driver_opts") or {}).items()}
            for problem in policy.volume_problems(volume.get("driver") or "local", options, rules):
                found.append(f"volume {name}: {problem.rule}")
    for name, network in (config.get("networks") or {}).items():
        host = isinstance(network, dict) and "host" in {network.get("name"), network.get("driver")}
        if host and not rules.allow_host_namespaces:
            found.append(f"network {name}: the host's network shares its namespace")
    return found


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def stack_problems(resolved: str, rules: HostPolicy) -> list[str]:
    """What the policy refuses in a resolved configuration, each naming its service and key."""
    config = _mapping(yaml.safe_load(resolved))
    found = _top_level_problems(config, rules)
    for name, service in sorted(_mapping(config.get("services")).items()):
        if isinstance(service, dict):
            found += _service_problems(str(name), service, rules)
    return found


def _paths_named(config: dict) -> list[tuple[str, str]]:
    """(where, path) of every file or directory a compose.yaml has the tool read."""
    named = []
    for name, service in _mapping(config.get("services")).items():
        service = _mapping(service)
        env_files = service.get("env_file") or []
        for item in [env_files] if isinstance(env_files, str | dict) else env_files:
            path = item.get("path") if isinstance(item, dict) else item
            named.append((f"service {name}: env_file", path))
        build = service.get("build")
        if isinstance(build, str):
            named.append((f"service {name}: build", build))
        elif isinstance(build, dict):
            named.append((f"service {name}: build.context", build.get("context") or "."))
        extends = _mapping(service.get("extends"))
        if extends.get("file"):
            named.append((f"service {name}: extends.file", extends["file"]))
        for label_file in service.get("label_file") or []:
            named.append((f"service {name}: label_file", label_file))
    for key in ("secrets", "configs"):
        for name, item in _mapping(config.get(key)).items():
            if _mapping(item).get("file"):
                named.append((f"{key} {name}: file", item["file"]))
    for item in config.get("include") or []:
        path = item.get("path") if isinstance(item, dict) else item
        named.append(("include", path))
    return [(where, str(path)) for where, path in named if path]


def path_problems(compose: str, directory: Path) -> list[str]:
    """Files the compose.yaml has the tool read that are not the stack's own (outside its
    directory, or named by a variable that cannot be followed before the tool runs)."""
    try:
        config = _mapping(yaml.safe_load(compose))
    except yaml.YAMLError:
        return []  # the tool's config says what is wrong, with its line
    root = os.path.realpath(directory)
    found = []
    for where, path in _paths_named(config):
        if "$" in path or path.startswith("~"):
            found.append(f"{where}: {path} is named by a variable: write the path itself")
            continue
        if "://" in path:  # a build context from git or a URL: fetched, not read here
            continue
        real = os.path.realpath(os.path.join(directory, path))
        if real != root and not real.startswith(root + os.sep):
            found.append(f"{where}: {path} is outside the stack's own directory")
    return found
