"""One function per stack action, each audited with the Compose command it runs: save the
files (once `config` accepted them), up, down, stop, start, restart, pull, scale. The
host-access policy is checked over the tool's resolved configuration before anything is
written or started. One save or run of a stack at a time (files.locked)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from access import policy, roles
from access.models import HostPolicy
from audit.actors import Actor
from audit.models import AuditEntry
from containers_app import docker_service
from containers_app.actions import audited
from containers_app.actions.delivery import check_registry
from containers_app.docker_service import DockerServiceError

from . import commands, files
from .files import locked
from .safety import images, path_problems, stack_problems
from .specs import SaveStackSpec, StackCommandSpec, StackDownSpec, StackUpSpec
from .tool import Checked, RunFailed, check_config, run_commands

# Verbs that act on what the file says now (containers made, images fetched): checked as
# `up` is. stop, start and restart act on containers made (and checked) already.
CHECKED = {"scale", "pull"}


def pulls_images(spec) -> bool:
    """Whether the run fetches every image the file names (`pull`, `up` with pull)."""
    return getattr(spec, "pull", False) or getattr(spec, "verb", "") == "pull"


class ConfigRefused(RunFailed):
    """The tool's `config` refused the files: its words, at the compose field."""

    def __init__(self, checked: Checked):
        where = f"line {checked.line}: " if checked.line else ""
        super().__init__(f"{where}{checked.error}")
        self.field_errors = [("compose", str(self))]


def _may_override(actor: Actor, override: bool) -> bool:
    return override and roles.allows(actor.user, roles.Role.ADMIN)


def checked_stack(
    actor: Actor,
    project: str,
    files_dir: Path,
    compose: str,
    override: bool,
    entry: AuditEntry | None = None,
    pulls: bool = False,
) -> Checked:
    """The files in `files_dir` as the stack `project` (paths resolved against its own
    directory): first what they would have the tool read, then the tool's `config`, then
    the policy over what it resolved. Raises the first refusal; an admin's override lets
    the policy's pass, and the entry keeps what was overridden."""
    allowed = _may_override(actor, override)
    project_dir = files.stack_dir(project)
    overridden = []
    if problems := path_problems(compose, project_dir):
        if not allowed:
            raise policy.PolicyRefused([policy.Problem("compose", rule) for rule in problems])
        overridden += problems
    checked = check_config(files_dir, project, project_dir)
    if checked.error:
        raise ConfigRefused(checked)
    _check_registries(checked.resolved, pulls)
    if problems := stack_problems(checked.resolved, HostPolicy.current()):
        if not allowed:
            raise policy.PolicyRefused([policy.Problem("compose", rule) for rule in problems])
        overridden += problems
    if overridden and entry is not None:
        entry.parameters = {**entry.parameters, "policy_override": overridden}
    return checked


def _check_registries(resolved: str, pulls: bool) -> None:
    """Images the tool would fetch (every one when it pulls, else those not here) come
    from the allowed registries only (DOCKSIDE_ALLOWED_REGISTRIES, when set)."""
    if not settings.DOCKSIDE_ALLOWED_REGISTRIES:
        return
    for service, image in images(resolved):
        if pulls or not docker_service.image_present(image):
            try:
                check_registry(image)
            except DockerServiceError as exc:
                raise type(exc)(f"service {service}: {exc}") from None


def save_stack(actor: Actor, spec: SaveStackSpec, compose: str, env: str, override: bool) -> None:
    with audited(actor, "stack_save", spec, "stack", spec.project) as entry, locked(spec.project):
        with tempfile.TemporaryDirectory(prefix="dockside-stack-") as scratch:
            files.write_draft(Path(scratch), compose, env)
            checked_stack(actor, spec.project, Path(scratch), compose, override, entry)
        files.write_files(spec.project, compose, env)


def stack_up(
    actor: Actor, spec: StackUpSpec, say: Callable[[str], None], override: bool = False
) -> None:
    with audited(actor, "stack_up", spec, "stack", spec.project) as entry, locked(spec.project):
        directory = files.stack_dir(spec.project)
        compose, _ = files.read_files(spec.project)
        checked_stack(actor, spec.project, directory, compose, override, entry, pulls_images(spec))
        run_commands(commands.argvs(spec), directory, say)


def stack_down(actor: Actor, spec: StackDownSpec, say: Callable[[str], None]) -> None:
    action = "stack_down_volumes" if spec.volumes else "stack_down"
    with audited(actor, action, spec, "stack", spec.project), locked(spec.project):
        run_commands(commands.argvs(spec), files.stack_dir(spec.project), say)


def stack_command(
    actor: Actor, spec: StackCommandSpec, say: Callable[[str], None], override: bool = False
) -> None:
    """stop, start, restart, pull (the stack's or one service's) and scale."""
    action = f"stack_{spec.verb}"
    with audited(actor, action, spec, "stack", spec.project) as entry, locked(spec.project):
        directory = files.stack_dir(spec.project)
        if spec.verb in CHECKED:
            compose, _ = files.read_files(spec.project)
            pulls = pulls_images(spec)
            checked_stack(actor, spec.project, directory, compose, override, entry, pulls)
        run_commands(commands.argvs(spec), directory, say)
