"""Each service of a stack as the `docker` commands that make the same container: the
teaching link between a Compose file and the CLI.

Read from the tool's resolved configuration (`config`: variables filled in, paths
absolute), in either tool's way of writing it (Compose v1 prints short syntax, v2 long
syntax and the names it gives networks and volumes). What Compose does that `docker run`
has no flag for is said in notes, key by key: nothing is dropped silently.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from containers_app import cli
from containers_app.masking import masked_env_strings
from containers_app.run_options.units import parse_duration

# Keys said in words, not flags: what Compose does with them itself.
IN_WORDS = {
    "build": "build: Compose builds the image first (docker build -t IMAGE CONTEXT)",
    "depends_on": "depends_on: Compose starts those services first; with the CLI, run their"
    " commands first",
    "deploy": "deploy: replicas and the like are Compose's (and swarm's); each replica is"
    " one more docker run with the number in its name",
    "profiles": "profiles: Compose starts it only when its profile is asked for",
    "scale": "scale: the number of containers; each is one more docker run",
    "container_name": "",
    "networks": "",
    "network_mode": "",
    "image": "",
    "volumes": "",
    "ports": "",
    "environment": "",
    "command": "",
    "entrypoint": "",
    "healthcheck": "",
    "logging": "",
    "ulimits": "",
    "env_file": "",
    "pull_policy": "",
}
TEXTS = {  # key: flag taking its value as written
    "user": "--user",
    "working_dir": "--workdir",
    "hostname": "--hostname",
    "domainname": "--domainname",
    "restart": "--restart",
    "stop_signal": "--stop-signal",
    "ipc": "--ipc",
    "pid": "--pid",
    "uts": "--uts",
    "userns_mode": "--userns",
    "cgroup": "--cgroupns",
    "cgroup_parent": "--cgroup-parent",
    "runtime": "--runtime",
    "platform": "--platform",
    "mac_address": "--mac-address",
    "shm_size": "--shm-size",
    "mem_limit": "--memory",
    "memswap_limit": "--memory-swap",
    "mem_reservation": "--memory-reservation",
    "cpus": "--cpus",
    "cpu_shares": "--cpu-shares",
    "cpuset": "--cpuset-cpus",
    "pids_limit": "--pids-limit",
    "isolation": "--isolation",
}
SWITCHES = {
    "privileged": "--privileged",
    "read_only": "--read-only",
    "tty": "-t",
    "stdin_open": "-i",
    "init": "--init",
    "oom_kill_disable": "--oom-kill-disable",
}
LISTS = {  # key: flag repeated once per item
    "cap_add": "--cap-add",
    "cap_drop": "--cap-drop",
    "security_opt": "--security-opt",
    "dns": "--dns",
    "dns_search": "--dns-search",
    "dns_opt": "--dns-option",
    "expose": "--expose",
    "group_add": "--group-add",
    "devices": "--device",
    "device_cgroup_rules": "--device-cgroup-rule",
    "tmpfs": "--tmpfs",
    "external_links": "--link",
    "links": "--link",
}
MAPS = {"labels": "--label", "sysctls": "--sysctl", "annotations": "--annotation"}
ASSIGNING = {"-e", "--label", "--log-opt"}  # flags whose value is KEY=VALUE
HEALTH = (
    ("interval", "--health-interval"),
    ("timeout", "--health-timeout"),
    ("start_period", "--health-start-period"),
    ("retries", "--health-retries"),
)


@dataclass
class ServiceRun:
    service: str
    container: str
    argv: list[str]
    after: list[list[str]] = field(default_factory=list)  # `docker network connect`s
    notes: list[str] = field(default_factory=list)

    def lines(self, mask: bool = True) -> list[str]:
        """The commands; `mask` hides secret-looking values (a variable's whole value)."""
        argv = self.argv
        if mask:
            argv = [
                masked_env_strings([arg])[0] if before in ASSIGNING else arg
                for before, arg in zip(["", *argv], argv, strict=False)
            ]
        return [cli.command_line(args, mask) for args in (argv, *self.after)]


@dataclass
class StackRun:
    """The commands for the stack's networks and volumes, then one ServiceRun each."""

    before: list[list[str]]
    services: list[ServiceRun]

    def before_lines(self) -> list[str]:
        return [cli.command_line(args) for args in self.before]


def _items(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [f"{k}={v}" if v is not None else str(k) for k, v in value.items()]
    return list(value)


def _words(value) -> list[str]:
    """A command or entrypoint: a list as it is, a string split as Compose splits it."""
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


@dataclass
class _Names:
    """The engine's names of the stack's networks and volumes, and its containers'."""

    project: str
    v2: bool
    config: dict

    def _top(self, kind: str, key: str) -> str:
        declared = (self.config.get(kind) or {}).get(key) or {}
        if isinstance(declared, dict):
            if declared.get("name"):
                return str(declared["name"])
            external = declared.get("external")
            if isinstance(external, dict) and external.get("name"):
                return str(external["name"])
            if external:
                return key
        return f"{self.project}_{key}"

    def network(self, key: str) -> str:
        return self._top("networks", key)

    def volume(self, key: str) -> str:
        return self._top("volumes", key)

    def container(self, service: str, settings: dict) -> str:
        if settings.get("container_name"):
            return str(settings["container_name"])
        return f"{self.project}-{service}-1" if self.v2 else f"{self.project}_{service}_1"

    def made(self) -> list[list[str]]:
        """What Compose makes before the containers (not what is external)."""
        made = []
        services = (self.config.get("services") or {}).values()
        uses_default = any(
            isinstance(s, dict) and not s.get("network_mode") and not s.get("networks")
            for s in services
        )
        if uses_default and "default" not in (self.config.get("networks") or {}):
            made.append(["docker", "network", "create", self.network("default")])
        for kind, key in (("networks", "network"), ("volumes", "volume")):
            for name, declared in sorted((self.config.get(kind) or {}).items()):
                if isinstance(declared, dict) and declared.get("external"):
                    continue
                args = ["docker", key, "create"]
                declared = declared if isinstance(declared, dict) else {}
                if declared.get("driver"):
                    args += ["--driver", str(declared["driver"])]
                for option, value in sorted((declared.get("driver_opts") or {}).items()):
                    args += ["--opt", f"{option}={value}"]
                made.append([*args, self._top(kind, name)])
        return made


def _volume(entry, names: _Names) -> list[str]:
    if isinstance(entry, dict):
        kind, source, target = entry.get("type"), entry.get("source"), entry.get("target")
        if kind == "tmpfs":  # a mount, as Compose makes it (not --tmpfs's HostConfig.Tmpfs)
            size = (entry.get("tmpfs") or {}).get("size")
            return [
                "--mount",
                f"type=tmpfs,destination={target}" + (f",tmpfs-size={size}" if size else ""),
            ]
        if kind == "volume" and source:
            source = names.volume(str(source))
        text = f"{source}:{target}" if source else str(target)
        return ["-v", text + (":ro" if entry.get("read_only") else "")]
    source, _, rest = str(entry).partition(":")
    if rest and not source.startswith(("/", ".", "~")):
        source = names.volume(source)
    return ["-v", f"{source}:{rest}" if rest else source]


def _port(entry) -> str:
    if not isinstance(entry, dict):
        return str(entry)
    text = f"{entry.get('target')}/{entry.get('protocol') or 'tcp'}"
    if entry.get("published"):
        text = f"{entry['published']}:{text}"
        if entry.get("host_ip"):
            text = f"{entry['host_ip']}:{text}"
    return text


def _networks(settings: dict, service: str, names: _Names, argv: list, after: list) -> None:
    mode = settings.get("network_mode")
    if mode:
        if str(mode).startswith("service:"):
            mode = f"container:{names.container(mode.partition(':')[2], {})}"
        argv += ["--network", str(mode)]
        return
    networks = settings.get("networks") or {"default": None}
    if isinstance(networks, list):
        networks = dict.fromkeys(networks)
    for index, (key, attached) in enumerate(networks.items()):
        attached = attached if isinstance(attached, dict) else {}
        aliases = [service, *(str(a) for a in attached.get("aliases") or [])]
        if index == 0:
            argv += ["--network", names.network(key)]
            for alias in aliases:
                argv += ["--network-alias", alias]
            if attached.get("ipv4_address"):
                argv += ["--ip", str(attached["ipv4_address"])]
        else:
            connect = ["docker", "network", "connect"]
            for alias in aliases:
                connect += ["--alias", alias]
            after.append([*connect, names.network(key), names.container(service, settings)])


def _health(check: dict, argv: list, notes: list) -> None:
    test = check.get("test")
    if check.get("disable") or test == ["NONE"]:
        argv.append("--no-healthcheck")
        return
    if isinstance(test, list) and test:
        kind, rest = test[0], test[1:]
        command = rest[0] if kind == "CMD-SHELL" and rest else shlex.join(rest)
        argv += ["--health-cmd", command]
        if kind == "CMD":
            notes.append(
                "healthcheck: the test is in exec form (CMD); --health-cmd runs it through a"
                " shell (CMD-SHELL), to the same effect where the shell adds nothing"
            )
    elif isinstance(test, str):
        argv += ["--health-cmd", test]
    for key, flag in HEALTH:
        if check.get(key) is not None:
            argv += [flag, str(check[key])]


def _unescaped(value):
    """`config` prints each `$` the container gets as `$$` (so its output reads back the
    same): the container, and so `docker run`, gets one."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, dict):
        return {key: _unescaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unescaped(item) for item in value]
    return value


def service_run(service: str, settings: dict, names: _Names) -> ServiceRun:
    settings = _unescaped(settings)
    container = names.container(service, settings)
    argv, after, notes = ["docker", "run", "-d", "--name", container], [], []
    _networks(settings, service, names, argv, after)
    for key, value in settings.items():
        if key in TEXTS and value not in (None, ""):
            argv += [TEXTS[key], str(value)]
        elif key in SWITCHES and value:
            argv.append(SWITCHES[key])
        elif key in LISTS:
            for item in _items(value):
                argv += [LISTS[key], str(item)]
        elif key in MAPS:
            for item in _items(value):
                argv += [MAPS[key], item]
        elif key == "extra_hosts":
            for item in _items(value):
                host, _, address = str(item).replace("=", ":", 1).partition(":")
                argv += ["--add-host", f"{host}:{address}"]
        elif key == "environment":
            for item in _items(value):
                argv += ["-e", item]
        elif key == "env_file":
            for item in _items(value):
                path = item.get("path") if isinstance(item, dict) else item
                argv += ["--env-file", str(path)]
        elif key == "ports":
            for item in value or []:
                argv += ["-p", _port(item)]
        elif key == "volumes":
            for item in value or []:
                argv += _volume(item, names)
        elif key == "stop_grace_period":
            argv += ["--stop-timeout", str(round(parse_duration(str(value)) / 10**9))]
        elif key == "ulimits":
            for name, limit in (value or {}).items():
                if isinstance(limit, dict):
                    limit = f"{limit.get('soft')}:{limit.get('hard')}"
                argv += ["--ulimit", f"{name}={limit}"]
        elif key == "logging" and isinstance(value, dict):
            if value.get("driver"):
                argv += ["--log-driver", str(value["driver"])]
            for option, setting in (value.get("options") or {}).items():
                argv += ["--log-opt", f"{option}={setting}"]
        elif key == "healthcheck" and isinstance(value, dict):
            _health(value, argv, notes)
        elif key == "pull_policy" and value in ("always", "missing", "never"):
            argv += ["--pull", str(value)]
        elif IN_WORDS.get(key):
            notes.append(IN_WORDS[key])
        elif key not in IN_WORDS:
            notes.append(f"{key}: no docker run flag; Compose applies it itself")
    entrypoint = _words(settings.get("entrypoint"))
    command = _words(settings.get("command"))
    if settings.get("entrypoint") is not None:
        argv += ["--entrypoint", entrypoint[0] if entrypoint else ""]
        command = [*entrypoint[1:], *command]
        if len(entrypoint) > 1:
            notes.append(
                "entrypoint: --entrypoint takes one word; the others lead the command, so the"
                " container runs the same program with the same arguments"
            )
    argv += [str(settings.get("image") or f"{names.project}_{service}"), *command]
    return ServiceRun(service, container, argv, after, notes)


def as_run(config: dict, project: str, v2: bool) -> StackRun:
    names = _Names(project, v2, config)
    services = config.get("services") or {}
    return StackRun(
        names.made(),
        [
            service_run(str(name), settings, names)
            for name, settings in sorted(services.items())
            if isinstance(settings, dict)
        ],
    )
