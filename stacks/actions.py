"""One function per stack action, each audited with the Compose command it runs: save the
files (once `config` accepted them), up, down. The host-access policy is checked over the
tool's resolved configuration before anything is written or started."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from access import policy, roles
from access.models import HostPolicy
from audit.actors import Actor
from containers_app.actions import audited

from . import commands, files
from .safety import stack_problems
from .specs import SaveStackSpec, StackDownSpec, StackUpSpec
from .tool import Checked, RunFailed, check_config, run_commands


class ConfigRefused(RunFailed):
    """The tool's `config` refused the files: its words, at the compose field."""

    def __init__(self, checked: Checked):
        where = f"line {checked.line}: " if checked.line else ""
        super().__init__(f"{where}{checked.error}")
        self.field_errors = [("compose", str(self))]


def checked_draft(project: str, compose: str, env: str) -> Checked:
    """`config` over the files as typed, in a scratch directory (nothing saved yet),
    resolving paths against the stack's own directory."""
    with tempfile.TemporaryDirectory(prefix="dockside-stack-") as scratch:
        files.write_draft(Path(scratch), compose, env)
        return check_config(Path(scratch), project, files.stack_dir(project))


def policy_problems(actor: Actor, resolved: str, override: bool) -> list[policy.Problem]:
    """What the policy refuses in the stack, for this actor (an admin may override)."""
    if override and roles.allows(actor.user, roles.Role.ADMIN):
        return []
    found = stack_problems(resolved, HostPolicy.current())
    return [policy.Problem("compose", rule) for rule in found]


def save_stack(actor: Actor, spec: SaveStackSpec, compose: str, env: str, override: bool) -> None:
    with audited(actor, "stack_save", spec, "stack", spec.project):
        checked = checked_draft(spec.project, compose, env)
        if checked.error:
            raise ConfigRefused(checked)
        if problems := policy_problems(actor, checked.resolved, override):
            raise policy.PolicyRefused(problems)
        files.write_files(spec.project, compose, env)


def stack_up(
    actor: Actor, spec: StackUpSpec, say: Callable[[str], None], override: bool = False
) -> None:
    with audited(actor, "stack_up", spec, "stack", spec.project):
        directory = files.stack_dir(spec.project)
        checked = check_config(directory, spec.project, directory)
        if checked.error:
            raise ConfigRefused(checked)
        if problems := policy_problems(actor, checked.resolved, override):
            raise policy.PolicyRefused(problems)
        run_commands(commands.argvs(spec), directory, say)


def stack_down(actor: Actor, spec: StackDownSpec, say: Callable[[str], None]) -> None:
    action = "stack_down_volumes" if spec.volumes else "stack_down"
    with audited(actor, action, spec, "stack", spec.project):
        run_commands(commands.argvs(spec), files.stack_dir(spec.project), say)
