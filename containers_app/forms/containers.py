"""Forms for what is done to a container: exec, terminal, commit, lifecycle, kill, rename, rm."""

from __future__ import annotations

import re
from collections.abc import Callable

from django import forms

from ..references import parse_image_reference
from ..specs import (
    CommitSpec,
    ExecSpec,
    LifecycleSpec,
    RemoveContainerSpec,
    RenameSpec,
    TerminalSpec,
)
from .base import ContainerForm
from .fields import (
    SIGNAL,
    absolute_path,
    argv_field,
    container_name_value,
    env_field,
    lines,
    split_lines,
    text,
    validated,
    within_path_max,
)


class ExecForm(ContainerForm):
    command = text("Command", required=True, placeholder="ls -la /", autofocus=True)
    user = text("User (-u)", placeholder="root")
    workdir = text("Working directory (-w)", placeholder="/")
    env = lines("Environment (-e)", "KEY=value", "one KEY=value per line")

    action = "exec"
    error_fields = (
        (r"is not running|is paused|is restarting", "command"),
        (r"unable to find user|\buser\b", "user"),
        (r"working directory|chdir", "workdir"),
        (r"executable file not found|no such file|\bexec\b", "command"),
    )

    def placeholder(self) -> str:
        return f"docker exec {self.container} COMMAND [ARG...]"

    def clean_command(self):
        argv = argv_field(self.cleaned_data["command"], "command")
        if not argv:
            raise forms.ValidationError("enter a command to run in the container")
        within_path_max(argv[0], "program name")
        return argv

    def clean_user(self):
        return within_path_max(self.cleaned_data["user"], "user")

    def clean_workdir(self):
        return absolute_path(self.cleaned_data["workdir"], "working directory")

    def clean_env(self):
        return env_field(self.cleaned_data["env"])

    def build_spec(self, data: dict) -> ExecSpec:
        return ExecSpec(self.container, data["command"], data["user"], data["workdir"], data["env"])


SHELLS = {"bash": ("/bin/bash",), "sh": ("/bin/sh",)}


class TerminalForm(ContainerForm):
    """`docker exec -it`: a shell (bash when the image has it), or a command of one's own."""

    shell = forms.ChoiceField(
        label="Shell",
        choices=[("auto", "bash, else sh"), ("bash", "bash"), ("sh", "sh"), ("custom", "other…")],
        initial="auto",
        required=False,
    )
    command = text("Command", placeholder="top -d 1")
    user = text("User (-u)", placeholder="image default, or root")

    action = "terminal"

    def __init__(self, *args, container: str, find_shell: Callable[[], tuple[str, ...]], **kwargs):
        """`find_shell` answers the shell `auto` picks (it asks the engine)."""
        super().__init__(*args, container=container, **kwargs)
        self.find_shell = find_shell

    def placeholder(self) -> str:
        return f"docker exec -it {self.container} COMMAND"

    def clean_command(self):
        argv = argv_field(self.cleaned_data["command"], "command")
        if argv:
            within_path_max(argv[0], "program name")
        return argv

    def clean_user(self):
        return within_path_max(self.cleaned_data["user"], "user")

    def check(self, data: dict) -> None:
        if data.get("shell") == "custom" and data.get("command") == ():
            self.add_error("command", "enter the command to run")

    def build_spec(self, data: dict) -> TerminalSpec:
        shell = data["shell"] or "auto"
        argv = data["command"] if shell == "custom" else SHELLS.get(shell) or self.find_shell()
        return TerminalSpec(self.container, tuple(argv), data["user"])


class CommitForm(ContainerForm):
    repository = text("New image (repository:tag)", required=True, placeholder="my-app:v2")
    message = text("Message (-m)")
    author = text("Author (-a)", placeholder="Jane Doe <jane@example.com>")
    changes = lines("Dockerfile changes (-c)", 'CMD ["nginx", "-g", "daemon off;"]', "one per line")
    pause = forms.BooleanField(
        label="Pause the container while committing", required=False, initial=True
    )

    action = "commit"
    error_fields = (
        (r"repository|reference|\btag\b", "repository"),
        (r"change|instruction", "changes"),
    )
    CHANGE = re.compile(
        r"(CMD|ENTRYPOINT|ENV|EXPOSE|LABEL|ONBUILD|USER|VOLUME|WORKDIR|STOPSIGNAL|HEALTHCHECK)\s+\S.*",
        re.IGNORECASE,
    )

    def placeholder(self) -> str:
        return f"docker commit {self.container} REPOSITORY[:TAG]"

    def clean_repository(self):
        reference = validated(parse_image_reference, self.cleaned_data["repository"])
        if reference.digest:
            raise forms.ValidationError("a new image gets a tag, not a digest")
        return reference

    def clean_changes(self):
        changes = tuple(split_lines(self.cleaned_data["changes"]))
        for change in changes:
            if not self.CHANGE.fullmatch(change.strip()):
                raise forms.ValidationError(
                    f"{change!r}: a change is a Dockerfile instruction such as CMD, ENV, EXPOSE,"
                    " LABEL, USER, WORKDIR or ENTRYPOINT with its argument"
                )
        return changes

    def build_spec(self, data: dict) -> CommitSpec:
        reference = data["repository"]
        return CommitSpec(
            container=self.container,
            repository=reference.repository,
            tag=reference.tag,
            message=data["message"],
            author=data["author"],
            changes=data["changes"],
            pause=data["pause"],
        )


class LifecycleForm(ContainerForm):
    """start, stop, restart, pause, unpause; stop and restart take a timeout."""

    timeout = forms.IntegerField(
        label="Seconds to wait before killing (-t)", required=False, min_value=0, max_value=3600
    )

    def __init__(self, *args, container: str, verb: str, **kwargs):
        super().__init__(*args, container=container, **kwargs)
        self.action = verb
        if verb not in {"stop", "restart"}:
            del self.fields["timeout"]

    def build_spec(self, data: dict) -> LifecycleSpec:
        return LifecycleSpec(self.action, self.container, timeout=data.get("timeout"))


class KillForm(ContainerForm):
    signal = text("Signal (-s)", placeholder="KILL, TERM, HUP, INT, USR1 or a number")

    action = "kill"
    error_fields = ((r"signal", "signal"),)

    def clean_signal(self):
        signal = self.cleaned_data["signal"].upper()
        if signal and not SIGNAL.fullmatch(signal):
            raise forms.ValidationError(f"{signal!r} is not a signal name or number")
        return signal

    def build_spec(self, data: dict) -> LifecycleSpec:
        return LifecycleSpec("kill", self.container, signal=data["signal"])


class RenameForm(ContainerForm):
    new_name = text("New name", required=True, autofocus=True)

    action = "rename"
    error_fields = ((r".", "new_name"),)

    def placeholder(self) -> str:
        return f"docker rename {self.container} NEW_NAME"

    def clean_new_name(self):
        return container_name_value(self.cleaned_data["new_name"])

    def build_spec(self, data: dict) -> RenameSpec:
        return RenameSpec(self.container, data["new_name"])


class RemoveContainerForm(ContainerForm):
    force = forms.BooleanField(label="Force: kill it first if it runs (-f)", required=False)
    volumes = forms.BooleanField(label="Remove its anonymous volumes too (-v)", required=False)

    action = "remove_container"
    error_fields = ((r"running|force", "force"),)

    def build_spec(self, data: dict) -> RemoveContainerSpec:
        return RemoveContainerSpec(self.container, data["force"], data["volumes"])
