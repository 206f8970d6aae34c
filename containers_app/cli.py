"""The `docker ...` command each spec stands for, and the reverse for `docker run`.

Pure: no Docker, no Django. `argv(spec)` gives the argument list; `command(spec)`
the same as one line a shell accepts. `parse_run_command(text)` reads a pasted
`docker run ...` / `docker create ...` into the run form's fields and names
every flag the form does not support, so nothing is silently dropped.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from functools import singledispatch

from .masking import mask_text, mask_value
from .specs import (
    DEFAULT_KILL_SIGNAL,
    CommitSpec,
    ExecSpec,
    LifecycleSpec,
    LogsSpec,
    PruneSpec,
    PullSpec,
    RemoveContainerSpec,
    RemoveImageSpec,
    RenameSpec,
    RunSpec,
    TagSpec,
    TerminalSpec,
    format_cpus,
    format_memory,
)


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
    args = ["docker", spec.verb]
    if spec.start and spec.detach:
        args.append("-d")
    if spec.interactive or spec.tty:
        args.append("-" + ("i" if spec.interactive else "") + ("t" if spec.tty else ""))
    if spec.remove:
        args.append("--rm")
    if spec.name:
        args += ["--name", spec.name]
    if spec.pull != "missing":
        args += ["--pull", spec.pull]
    for port in spec.ports:
        args += ["-p", str(port)]
    args += _env_items(spec.env, mask)
    for volume in spec.volumes:
        args += ["-v", str(volume)]
    if spec.network:
        args += ["--network", spec.network]
    if spec.restart.name != "no":
        args += ["--restart", str(spec.restart)]
    for key, value in spec.labels:
        args += ["-l", f"{key}={value}"]
    if spec.workdir:
        args += ["-w", spec.workdir]
    if spec.user:
        args += ["-u", spec.user]
    if spec.hostname:
        args += ["-h", spec.hostname]
    if spec.memory:
        args += ["--memory", format_memory(spec.memory)]
    if spec.nano_cpus:
        args += ["--cpus", format_cpus(spec.nano_cpus)]
    if spec.entrypoint:
        args += ["--entrypoint", spec.entrypoint]
    return [*args, spec.image, *spec.command]


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
    for label in spec.labels:
        args += ["--filter", f"label={label}"]
    return args


DOUBLE_QUOTE_SPECIAL = set('"$`\\!')


def shell_quote(arg: str) -> str:
    """Quote one argument for a POSIX shell, the way a person would write it.

    Like shlex.quote, but an argument holding single quotes (and nothing a
    double-quoted string would expand) gets double quotes:
    `sh -c "trap 'exit 0' TERM"` rather than `'trap '"'"'exit 0'"'"' TERM'`.
    """
    quoted = shlex.quote(arg)
    if "'" in arg and quoted != arg and not DOUBLE_QUOTE_SPECIAL & set(arg):
        return f'"{arg}"'
    return quoted


def join(args: list[str]) -> str:
    return " ".join(shell_quote(arg) for arg in args)


@singledispatch
def command(spec, mask: bool = False) -> str:
    """The command as one shell-quoted line, ready to paste.

    `mask` (for the audit log) hides secret-looking env values and, in every
    argument, URL passwords and `KEY=VALUE` secrets (`sh -c "TOKEN=..."`).
    """
    args = argv(spec, mask=mask)
    return join([mask_text(arg) for arg in args] if mask else args)


def logs_argv(spec: LogsSpec, container: str) -> list[str]:
    args = ["docker", "logs"]
    if spec.follow:
        args.append("-f")
    args += ["--tail", spec.tail]
    if spec.since:
        args += ["--since", spec.since]
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
    lines = [join(logs_argv(spec, container)) + redirect for container in spec.containers]
    if len(lines) > 1 and spec.follow:
        return " & ".join(lines) + " & wait"
    return "; ".join(lines)


# --- docker run / docker create, read back -------------------------------

# Every flag of `docker run` (Docker CLI 28), with whether it takes a value, so
# that an unsupported flag's value is skipped rather than read as the image.
BOOLEAN_SHORT = {
    "-d": "--detach",
    "-i": "--interactive",
    "-t": "--tty",
    "-P": "--publish-all",
    "-q": "--quiet",
}
BOOLEAN_LONG = {
    *BOOLEAN_SHORT.values(), "--rm", "--init", "--privileged", "--read-only", "--no-healthcheck",
    "--oom-kill-disable", "--sig-proxy", "--disable-content-trust", "--use-api-socket", "--help",
}  # fmt: skip
VALUE_SHORT = {
    "-a": "--attach",
    "-c": "--cpu-shares",
    "-e": "--env",
    "-h": "--hostname",
    "-l": "--label",
    "-m": "--memory",
    "-p": "--publish",
    "-u": "--user",
    "-v": "--volume",
    "-w": "--workdir",
}
VALUE_LONG = {
    "--add-host", "--attach", "--blkio-weight", "--blkio-weight-device", "--cap-add",
    "--cap-drop", "--cgroup-parent", "--cgroupns", "--cidfile", "--cpu-period", "--cpu-quota",
    "--cpu-rt-period", "--cpu-rt-runtime", "--cpu-shares", "--cpus", "--cpuset-cpus",
    "--cpuset-mems", "--detach-keys", "--device", "--device-cgroup-rule", "--device-read-bps",
    "--device-read-iops", "--device-write-bps", "--device-write-iops", "--dns", "--dns-option",
    "--dns-search", "--domainname", "--entrypoint", "--env", "--env-file", "--expose", "--gpus",
    "--group-add", "--health-cmd", "--health-interval", "--health-retries",
    "--health-start-period", "--health-start-interval", "--health-timeout", "--hostname", "--ip",
    "--ip6", "--ipc", "--isolation", "--kernel-memory", "--label", "--label-file", "--link",
    "--link-local-ip", "--log-driver", "--log-opt", "--mac-address", "--memory",
    "--memory-reservation", "--memory-swap", "--memory-swappiness", "--mount", "--name", "--net",
    "--net-alias", "--network", "--network-alias", "--oom-score-adj", "--pid", "--pids-limit",
    "--platform", "--publish", "--pull", "--restart", "--runtime", "--security-opt",
    "--shm-size", "--stop-signal", "--stop-timeout", "--storage-opt", "--sysctl", "--tmpfs",
    "--ulimit", "--user", "--userns", "--uts", "--volume", "--volume-driver", "--volumes-from",
    "--workdir",
}  # fmt: skip
LIST_FIELDS = {"--publish": "ports", "--env": "env", "--volume": "volumes", "--label": "labels"}
TEXT_FIELDS = {
    "--name": "name",
    "--entrypoint": "entrypoint",
    "--network": "network",
    "--net": "network",
    "--restart": "restart",
    "--workdir": "workdir",
    "--user": "user",
    "--hostname": "hostname",
    "--memory": "memory",
    "--cpus": "cpus",
    "--pull": "pull",
}
BOOLEAN_FIELDS = {
    "--detach": "detach",
    "--rm": "remove",
    "--interactive": "interactive",
    "--tty": "tty",
}


@dataclass
class ParsedRun:
    """Form values read from a pasted command, the flags left out, and what could not be read."""

    values: dict[str, str | bool] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _join_continued_lines(text: str) -> str:
    """Drop backslash-newline outside single quotes, as a POSIX shell does."""
    out = []
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and quote != "'":
            rest = text[index + 1 : index + 3]
            if rest.startswith("\n") or rest == "\r\n":
                index += 1 + (2 if rest == "\r\n" else 1)
                continue
            out.append(text[index : index + 2])
            index += 2
            continue
        if char in "'\"" and quote in ("", char):
            quote = "" if quote == char else char
        out.append(char)
        index += 1
    return "".join(out)


def _split(text: str) -> list[str]:
    return shlex.split(_join_continued_lines(text))


def _strip_prefix(tokens: list[str], parsed: ParsedRun) -> str | None:
    """Drop `sudo docker [container]`; return `run` or `create`."""
    if tokens[:1] == ["sudo"]:
        tokens.pop(0)
    if tokens[:1] != ["docker"]:
        parsed.problems.append("a docker run or docker create command starts with `docker`")
        return None
    tokens.pop(0)
    while tokens and tokens[0].startswith("-"):
        parsed.unsupported.append(f"{tokens.pop(0)} (a global docker option)")
    if tokens[:1] == ["container"]:
        tokens.pop(0)
    verb = tokens.pop(0) if tokens else ""
    if verb not in {"run", "create"}:
        parsed.problems.append(
            f"only docker run and docker create can fill this form, not {verb!r}"
        )
        return None
    return verb


def _next_flag(tokens: list[str]) -> tuple[str, str | None]:
    """Take one flag off the front: (long name, value) or (unknown name, None)."""
    token = tokens.pop(0)
    if token.startswith("--"):
        name, eq, value = token.partition("=")
        if name in BOOLEAN_LONG:
            return name, (value if eq else "true")
        if name in VALUE_LONG:
            if eq:
                return name, value
            if not tokens:
                raise ValueError(f"{name} needs a value")
            return name, tokens.pop(0)
        return name, None
    short, rest = token[:2], token[2:]
    if short in VALUE_SHORT:
        if rest:
            return VALUE_SHORT[short], rest.removeprefix("=")
        if not tokens:
            raise ValueError(f"{short} needs a value")
        return VALUE_SHORT[short], tokens.pop(0)
    if short in BOOLEAN_SHORT:
        if rest.startswith("="):
            return BOOLEAN_SHORT[short], rest[1:]
        if rest:
            tokens.insert(0, "-" + rest)
        return BOOLEAN_SHORT[short], "true"
    return short, None


def parse_run_command(text: str) -> ParsedRun:
    """Read `docker run ...` into the run form's field values."""
    parsed = ParsedRun()
    try:
        tokens = _split(text)
    except ValueError as exc:
        parsed.problems.append(f"the command cannot be split like a shell would: {exc}")
        return parsed
    verb = _strip_prefix(tokens, parsed)
    if verb is None:
        return parsed
    values = parsed.values
    lists: dict[str, list[str]] = {name: [] for name in LIST_FIELDS.values()}
    booleans = dict.fromkeys(BOOLEAN_FIELDS.values(), False)
    while tokens and tokens[0].startswith("-") and tokens[0] != "-":
        if tokens[0] == "--":
            tokens.pop(0)
            break
        try:
            name, value = _next_flag(tokens)
        except ValueError as exc:
            parsed.problems.append(str(exc))
            break
        if value is None:
            parsed.unsupported.append(f"{name} (not a docker {verb} flag)")
        elif name in BOOLEAN_FIELDS:
            if value not in {"true", "false"}:
                parsed.problems.append(f"{name} takes true or false, not {value!r}")
            booleans[BOOLEAN_FIELDS[name]] = value == "true"
        elif name in LIST_FIELDS:
            lists[LIST_FIELDS[name]].append(value)
        elif name in TEXT_FIELDS:
            if name == "--entrypoint" and not value:
                parsed.unsupported.append("--entrypoint '' (clearing the image's entrypoint)")
                continue
            values[TEXT_FIELDS[name]] = value
        else:
            parsed.unsupported.append(name if name in BOOLEAN_LONG else f"{name} {value}")
    if not tokens:
        parsed.problems.append("the command names no image")
        return parsed
    values["image"] = tokens.pop(0)
    values["command"] = join(tokens)
    if verb == "create":
        values["mode"] = "create"
        if booleans["detach"]:
            parsed.unsupported.append("--detach (docker create does not start the container)")
    else:
        values["mode"] = "detach" if booleans["detach"] else "foreground"
    for name in ("remove", "interactive", "tty"):
        values[name] = booleans[name]
    for name, items in lists.items():
        values[name] = "\n".join(items)
    return parsed
