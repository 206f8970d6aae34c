"""The Compose commands of the stack specs, in the CLI's own words (registered with
containers_app.cli, so the audit log and the pages show them like every other command)."""

from __future__ import annotations

from containers_app import cli
from containers_app.quoting import join

from .specs import SaveStackSpec, StackCommandSpec, StackDownSpec, StackUpSpec


def _tool(spec) -> list[str]:
    """The tool, the project, and its two files named: nothing in the environment (or in
    .env, such as COMPOSE_FILE) can make it read others."""
    return [*spec.tool.split(), "-p", spec.project, "-f", "compose.yaml", "--env-file", ".env"]


@cli.argv.register
def _config(spec: SaveStackSpec, mask: bool = False) -> list[str]:
    return [*_tool(spec), "config", "--quiet"]


@cli.argv.register
def _up(spec: StackUpSpec, mask: bool = False) -> list[str]:
    args = [*_tool(spec), "up", "-d"]
    for flag, on in (
        ("--build", spec.build),
        ("--force-recreate", spec.force_recreate),
        ("--remove-orphans", spec.remove_orphans),
    ):
        if on:
            args.append(flag)
    return args


def argvs(spec) -> list[list[str]]:
    """Every command the action runs, in order: `up` with pull is `pull` then `up` (the
    Compose v1 tool has no `up --pull`; both tools have `pull`)."""
    if isinstance(spec, StackUpSpec) and spec.pull:
        return [[*_tool(spec), "pull"], cli.argv(spec)]
    return [cli.argv(spec)]


@cli.command.register
def _up_command(spec: StackUpSpec, mask: bool = False) -> str:
    return " && ".join(cli.command_line(args) for args in argvs(spec))


@cli.argv.register
def _down(spec: StackDownSpec, mask: bool = False) -> list[str]:
    return [*_tool(spec), "down", *(["-v"] if spec.volumes else [])]


@cli.argv.register
def _command(spec: StackCommandSpec, mask: bool = False) -> list[str]:
    if spec.verb == "scale":
        # Only this service (and what it depends on) is touched; its containers running
        # already stay as they are, whatever changed in the file since.
        scale = f"{spec.service}={spec.replicas}"
        return [*_tool(spec), "up", "-d", "--no-recreate", "--scale", scale, spec.service]
    return [*_tool(spec), spec.verb, *([spec.service] if spec.service else [])]


def in_directory(spec) -> str:
    """The command as one runs it by hand: from the stack's directory."""
    return f"cd {join([spec.directory])} && {cli.command(spec)}"
