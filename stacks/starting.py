"""A new stack's files started from what people already have: a container on the engine,
or a pasted `docker run` command. Either becomes a RunSpec (as the run form reads them),
and the spec one Compose service (run_options.compose). Secret-looking environment values
move to .env, referenced from compose.yaml as ${NAME}: the file can then be shown and
shared, the values stay in the file only Dockside reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from containers_app import cli, docker_service
from containers_app.forms import RunForm
from containers_app.masking import looks_secret
from containers_app.run_options.compose import ComposeFile, compose_file, service_name
from containers_app.run_options.spec import RunSpec

PASTE_LIMIT = 64 * 1024
NOT_PROJECT = re.compile(r"[^a-z0-9_-]+")


@dataclass
class Start:
    """The form's starting values, or why there are none."""

    name: str = ""
    compose: str = ""
    env: str = ""
    problems: list[str] = field(default_factory=list)


def _files(spec: RunSpec, notes: list[str]) -> Start:
    composed = compose_file(spec)
    service = next(iter(composed.document["services"].values()))
    notes = list(notes)
    if service.pop("container_name", None):
        notes.append(
            f"container_name {spec.name} left out: Compose names the container after the"
            " stack and service, so it can run beside the original and be scaled"
        )
    env_lines = []
    for key, value in (service.get("environment") or {}).items():
        if looks_secret(key) and isinstance(value, str) and value:
            env_lines.append(f"{key}={value.replace('$$', '$')}")
            service["environment"][key] = f"${{{key}}}"
    if env_lines:
        notes.append("Secret-looking values are in .env, named here as ${NAME}")
    text = ComposeFile(composed.document, composed.notes).commented(notes)
    name = NOT_PROJECT.sub("-", service_name(spec)).strip("-_")[:63] or "stack"
    return Start(name, text, "".join(f"{line}\n" for line in env_lines))


def from_container(ref: str) -> Start:
    """The container as it runs (image defaults left out, as its `docker run` shows it)."""
    recreated = docker_service.recreate_container(ref)
    return _files(recreated.spec, recreated.notes)


def from_command(pasted: str) -> Start:
    """A pasted `docker run`, read as the run form reads it; what stops it, in problems."""
    if len(pasted) > PASTE_LIMIT:
        return Start(problems=[f"the command is over {PASTE_LIMIT:,} characters: shorten it"])
    parsed = cli.parse_run_command(pasted, {})
    problems = list(parsed.problems)
    problems += [
        f"{question.label}: a shell would fill it in; write the value in the command instead"
        for question in parsed.unanswered
    ]
    if problems:
        return Start(problems=problems)
    form = RunForm(RunForm.data_from_command(parsed.values))
    if not form.is_valid():
        return Start(problems=[form.error_summary()])
    notes = [f"{flag}: not taken (the run form has no place for it)" for flag in parsed.unsupported]
    return _files(form.spec, notes)
