"""The `docker ...` command each spec stands for, and the reverse for `docker run`.

No Docker, no Django: one context variable only, the engine a request works on, which
puts `--context NAME` into commands for any engine but `local`. `argv(spec)` gives the
argument list; `command(spec)` the same as one line a shell accepts. `docker run` both
ways (the command line of a RunSpec, a pasted command read into the form) is
run_options/command.py.
"""

from __future__ import annotations

import re
from functools import singledispatch

from .docker_service.client import LOCAL, current_endpoint
from .masking import mask_text, mask_value
from .quoting import join, shell_quote
from .run_options.command import ParsedRun, Question, parse_run_command, run_argv
from .specs import (
    DEFAULT_KILL_SIGNAL,
    BuildSpec,
    CommitSpec,
    ConnectSpec,
    ContextRemoveSpec,
    ContextSpec,
    CopyFromSpec,
    CopyToSpec,
    CreateNetworkSpec,
    CreateVolumeSpec,
    DisconnectSpec,
    ExecSpec,
    LifecycleSpec,
    LoadSpec,
    LogsSpec,
    PruneSpec,
    PullSpec,
    PushSpec,
    RegistryLoginSpec,
    RegistryLogoutSpec,
    RemoveContainerSpec,
    RemoveImageSpec,
    RemoveNetworkSpec,
    RemoveVolumeSpec,
    RenameSpec,
    RunSpec,
    SaveSpec,
    TagSpec,
    TerminalSpec,
    VolumeCopySpec,
)

__all__ = [
    "ParsedRun",
    "Question",
    "argv",
    "command",
    "command_line",
    "join",
    "parse_run_command",
    "shell_quote",
]


def _env_items(env: tuple[tuple[str, str], ...], mask: bool) -> list[str]:
    argv = []
    for key, value in env:
        shown = mask_value(key, value)[0] if mask else value
        argv += ["-e", f"{key}={shown}"]
    return argv


@singledispatch
def argv(spec, mask: bool = False) -> list[str]:
    """The docker CLI argument list for a spec; `mask` hides secret env values (see `command`)."""
    raise TypeError(f"no docker command for {type(spec).__name__}")


@argv.register
def _run(spec: RunSpec, mask: bool = False) -> list[str]:
    return run_argv(spec, mask)


@argv.register
def _exec(spec: ExecSpec, mask: bool = False) -> list[str]:
    args = ["docker", "exec"]
    if spec.user:
        args += ["-u", spec.user]
    if spec.workdir:
        args += ["-w", spec.workdir]
    args += _env_items(spec.env, mask)
    return [*args, spec.container, *spec.command]


@argv.register
def _terminal(spec: TerminalSpec, mask: bool = False) -> list[str]:
    user = ["-u", spec.user] if spec.user else []
    return ["docker", "exec", "-it", *user, spec.container, *spec.command]


@argv.register
def _commit(spec: CommitSpec, mask: bool = False) -> list[str]:
    args = ["docker", "commit"]
    if spec.author:
        args += ["-a", spec.author]
    if spec.message:
        args += ["-m", spec.message]
    for change in spec.changes:
        args += ["-c", change]
    if not spec.pause:
        args.append("--pause=false")
    return [*args, spec.container, spec.reference]


@argv.register
def _tag(spec: TagSpec, mask: bool = False) -> list[str]:
    return ["docker", "tag", spec.source, spec.target]


@argv.register
def _pull(spec: PullSpec, mask: bool = False) -> list[str]:
    return ["docker", "pull", spec.reference]


@argv.register
def _build(spec: BuildSpec, mask: bool = False) -> list[str]:
    args = ["docker", "build"]
    for tag in spec.tags:
        args += ["-t", tag]
    for key, value in spec.build_args:
        shown = mask_value(key, value)[0] if mask else value
        args += ["--build-arg", f"{key}={shown}"]
    for key, value in spec.labels:
        shown = mask_value(key, value)[0] if mask else value
        args += ["--label", f"{key}={shown}"]
    if spec.target:
        args += ["--target", spec.target]
    if spec.no_cache:
        args.append("--no-cache")
    if spec.pull:
        args.append("--pull")
    if spec.platform:
        args += ["--platform", spec.platform]
    if spec.network:
        args += ["--network", spec.network]
    # Dockside removes a failed step's container too (the CLI keeps it unless told).
    return [*args, "--force-rm", build_context_argument(spec)]


def build_context_argument(spec: BuildSpec) -> str:
    """Where the CLI reads the context: `.` (the Dockerfile's directory), the host
    directory, `-` (an archive on stdin) or the directory a zip was unpacked to."""
    if spec.source == "directory":
        return spec.directory
    if spec.source == "archive":
        return "context" if spec.zipped else "-"
    return "."


@argv.register
def _push(spec: PushSpec, mask: bool = False) -> list[str]:
    return ["docker", "push", spec.target]


@argv.register
def _save(spec: SaveSpec, mask: bool = False) -> list[str]:
    return ["docker", "save", "-o", spec.filename, *spec.images]


@argv.register
def _load(spec: LoadSpec, mask: bool = False) -> list[str]:
    return ["docker", "load", "-i", spec.filename]


@argv.register
def _login(spec: RegistryLoginSpec, mask: bool = False) -> list[str]:
    if not spec.username:
        return ["docker", "login", spec.address]
    return ["docker", "login", "-u", spec.username, "--password-stdin", spec.address]


@argv.register
def _logout(spec: RegistryLogoutSpec, mask: bool = False) -> list[str]:
    return ["docker", "logout", spec.address]


@argv.register
def _context(spec: ContextSpec, mask: bool = False) -> list[str]:
    docker = f"host={spec.host}"
    if spec.tls:
        docker += ",".join(f",{part}={spec.name}/{part}.pem" for part in ("ca", "cert", "key"))
    verb = "update" if spec.update else "create"
    return ["docker", "context", verb, spec.name, "--docker", docker]


@argv.register
def _context_remove(spec: ContextRemoveSpec, mask: bool = False) -> list[str]:
    return ["docker", "context", "rm", spec.name]


@argv.register
def _lifecycle(spec: LifecycleSpec, mask: bool = False) -> list[str]:
    args = ["docker", spec.verb]
    if spec.timeout is not None:
        args += ["-t", str(spec.timeout)]
    if spec.signal and spec.signal != DEFAULT_KILL_SIGNAL:
        args += ["-s", spec.signal]
    return [*args, spec.container]


@argv.register
def _rename(spec: RenameSpec, mask: bool = False) -> list[str]:
    return ["docker", "rename", spec.container, spec.new_name]


@argv.register
def _remove_container(spec: RemoveContainerSpec, mask: bool = False) -> list[str]:
    flags = (["-f"] if spec.force else []) + (["-v"] if spec.volumes else [])
    return ["docker", "rm", *flags, spec.container]


@argv.register
def _remove_image(spec: RemoveImageSpec, mask: bool = False) -> list[str]:
    flags = (["-f"] if spec.force else []) + (["--no-prune"] if spec.no_prune else [])
    return ["docker", "rmi", *flags, spec.image]


@argv.register
def _prune(spec: PruneSpec, mask: bool = False) -> list[str]:
    args = ["docker", spec.kind, "prune", "-f"]
    if spec.every:
        args.append("-a")
    for label in spec.labels:
        args += ["--filter", f"label={label}"]
    return args


@argv.register
def _create_volume(spec: CreateVolumeSpec, mask: bool = False) -> list[str]:
    args = ["docker", "volume", "create"]
    if spec.driver != "local":
        args += ["-d", spec.driver]
    for key, value in spec.options:
        shown = mask_text(mask_value(key, value)[0]) if mask else value
        args += ["-o", f"{key}={shown}"]
    for key, value in spec.labels:
        args += ["--label", f"{key}={mask_value(key, value)[0] if mask else value}"]
    return [*args, spec.name] if spec.name else args


@argv.register
def _remove_volume(spec: RemoveVolumeSpec, mask: bool = False) -> list[str]:
    return ["docker", "volume", "rm", *(["-f"] if spec.force else []), spec.volume]


@argv.register
def _create_network(spec: CreateNetworkSpec, mask: bool = False) -> list[str]:
    args = ["docker", "network", "create"]
    if spec.driver != "bridge":
        args += ["-d", spec.driver]
    for flag, value in (("--subnet", spec.subnet), ("--gateway", spec.gateway)):
        if value:
            args += [flag, value]
    if spec.ip_range:
        args += ["--ip-range", spec.ip_range]
    if spec.internal:
        args.append("--internal")
    if spec.attachable:
        args.append("--attachable")
    for key, value in spec.labels:
        args += ["--label", f"{key}={value}"]
    for key, value in spec.options:
        args += ["-o", f"{key}={value}"]
    return [*args, spec.name]


@argv.register
def _connect(spec: ConnectSpec, mask: bool = False) -> list[str]:
    args = ["docker", "network", "connect"]
    for alias in spec.aliases:
        args += ["--alias", alias]
    if spec.ip:
        args += ["--ip", spec.ip]
    return [*args, spec.network, spec.container]


@argv.register
def _disconnect(spec: DisconnectSpec, mask: bool = False) -> list[str]:
    force = ["-f"] if spec.force else []
    return ["docker", "network", "disconnect", *force, spec.network, spec.container]


@argv.register
def _remove_network(spec: RemoveNetworkSpec, mask: bool = False) -> list[str]:
    return ["docker", "network", "rm", spec.network]


@argv.register
def _copy_from(spec: CopyFromSpec, mask: bool = False) -> list[str]:
    return ["docker", "cp", f"{spec.container}:{spec.path}", "-" if spec.archive else "."]


@argv.register
def _copy_to(spec: CopyToSpec, mask: bool = False) -> list[str]:
    source = "-" if spec.archive else f"./{spec.source}"
    return ["docker", "cp", source, f"{spec.container}:{spec.directory}"]


@singledispatch
def command(spec, mask: bool = False) -> str:
    """The command as one shell-quoted line, ready to paste.

    `mask` (for the audit log) hides secret-looking env values and, in every
    argument, URL passwords and `KEY=VALUE` secrets (`sh -c "TOKEN=..."`).
    """
    return command_line(argv(spec, mask=mask), mask)


def command_line(args: list[str], mask: bool = False) -> str:
    """Arguments as one shell-quoted line; `mask` hides secrets inside each."""
    return join(on_engine([mask_text(arg) for arg in args] if mask else args))


ENGINE_TOOLS = ("docker", "docker-compose")
TOOL_AT_START = re.compile(r"(^|&& |; |\| |& )(docker|docker-compose) (?!--context |context )")


def on_engine(args: list[str]) -> list[str]:
    """The command as run against the current engine: `docker --context NAME ...` for
    any engine but `local` (Dockside's engines are the CLI's contexts)."""
    name = current_endpoint().name
    if name == LOCAL or not args or args[0] not in ENGINE_TOOLS or args[1:2] == ["context"]:
        return args
    return [args[0], "--context", name, *args[1:]]


def on_engine_text(text: str) -> str:
    """`on_engine` for a command line written out (`docker ps -a && docker ...`): each
    command of it that is docker's gets the context; one that has it already is left."""
    name = current_endpoint().name
    if name == LOCAL:
        return text

    def insert(match: re.Match) -> str:
        if not _outside_quotes(text, match.start()):
            return match[0]  # `sh -c 'docker ps'` runs inside the container: left as it is
        return f"{match[1]}{match[2]} --context {shell_quote(name)} "

    return TOOL_AT_START.sub(insert, text)


def _outside_quotes(text: str, end: int) -> bool:
    """Whether position `end` of a shell line is outside any quotes."""
    quote, index = "", 0
    while index < end:
        char = text[index]
        if char == "\\" and quote != "'":
            index += 1  # the next character is taken as it is
        elif quote and char == quote:
            quote = ""
        elif not quote and char in "'\"":
            quote = char
        index += 1
    return not quote


def logs_argv(spec: LogsSpec, container: str) -> list[str]:
    args = ["docker", "logs"]
    if spec.follow:
        args.append("-f")
    args += ["--tail", spec.tail]
    if spec.since:
        args += ["--since", spec.since]
    if spec.until:
        args += ["--until", spec.until]
    if spec.timestamps:
        args.append("-t")
    return [*args, container]


@command.register
def _logs_command(spec: LogsSpec, mask: bool = False) -> str:
    """`docker logs` prints both streams; a redirect keeps one. Several logs run side by side."""
    redirect = ""
    if spec.stdout and not spec.stderr:
        redirect = " 2>/dev/null"
    elif spec.stderr and not spec.stdout:
        redirect = " 2>&1 >/dev/null"
    lines = [command_line(logs_argv(spec, container)) + redirect for container in spec.containers]
    if len(lines) > 1 and spec.follow:
        return " & ".join(lines) + " & wait"
    return "; ".join(lines)


@command.register
def _volume_copy_command(spec: VolumeCopySpec, mask: bool = False) -> str:
    """Three commands: a helper container that mounts the volume, the copy, the removal
    (their own output, the helper's id and name, kept out of the copy's stream)."""
    inner = f"/volume{spec.path}" if spec.path != "/" else "/volume"
    create = command_line(
        [
            "docker", "container", "create", "--name", "volume-helper", "--network", "none",
            "-v", f"{spec.volume}:/volume:ro", spec.image, "true",
        ]
    )  # fmt: skip
    copy = command_line(["docker", "cp", f"volume-helper:{inner}", "-" if spec.archive else "."])
    remove = command_line(["docker", "rm", "-v", "volume-helper"])
    return f"{create} >/dev/null && {copy}; {remove} >/dev/null"


@command.register
def _build_command(spec: BuildSpec, mask: bool = False) -> str:
    """An archive is read from stdin; a zip, which the CLI cannot read, is unpacked first."""
    build = command_line(argv(spec, mask=mask), mask)
    if spec.source == "archive" and spec.zipped:
        return f"{join(['unzip', '-q', spec.archive, '-d', 'context'])} && {build}"
    if spec.source == "archive":
        return f"{build} < {shell_quote(spec.archive)}"
    return build


@command.register
def _push_command(spec: PushSpec, mask: bool = False) -> str:
    push = command_line(argv(spec))
    if spec.source == spec.target:
        return push
    return f"{command_line(['docker', 'tag', spec.source, spec.target])} && {push}"


@command.register
def _login_command(spec: RegistryLoginSpec, mask: bool = False) -> str:
    """The password on stdin (typed, or from a file only you can read), never in argv."""
    login = command_line(argv(spec))
    return f"{login} < password.txt" if spec.username else login
