"""The stack forms: its files (checked by the tool's `config` when saved), up, down."""

from __future__ import annotations

from django import forms

from containers_app.forms.base import SpecForm
from containers_app.forms.fields import MAX_FIELD, text

from . import files
from .listing import find_stack
from .specs import SaveStackSpec, StackCommandSpec, StackDownSpec, StackUpSpec
from .tool import find_tool

TOOL_SETTINGS = ("COMPOSE_", "DOCKER_")  # .env names the tool reads as its own settings
STARTER = """services:
  web:
    image: nginx:1.27
    ports: ["127.0.0.1:8080:80"]
    volumes: ["site:/usr/share/nginx/html:ro"]
volumes:
  site: {}
"""


def _code(label: str, rows: int, placeholder: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_FIELD,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(
            attrs={
                "rows": rows,
                "class": "code",
                "spellcheck": "false",
                "placeholder": placeholder,
                "wrap": "off",
                "data-line-numbers": "",
            }
        ),
    )


def _override() -> forms.BooleanField:
    return forms.BooleanField(
        label="Deploy it despite the host-access policy",
        required=False,
        help_text="Admins only: what the policy refuses is allowed, and the audit log says so.",
    )


class StackForm(SpecForm):
    name = text("Name (the Compose project)", required=True, placeholder="shop", autofocus=True)
    compose = _code("compose.yaml", 16, STARTER)
    env = _code(
        ".env (variables compose.yaml uses as ${NAME})",
        4,
        "TAG=1.27",
        "Kept next to compose.yaml, readable by Dockside only; its values are never shown"
        " in the audit log.",
    )
    override_policy = _override()

    action = "stack_save"
    target_kind = "stack"
    error_fields = ((r"name", "name"), (r".", "compose"))

    def __init__(self, *args, existing: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        if existing:
            self.fields["name"].disabled = True
            self.fields["name"].initial = existing

    def placeholder(self) -> str:
        return f"{tool_name()} -p NAME -f compose.yaml --env-file .env config --quiet"

    def clean_name(self):
        name = self.existing or self.cleaned_data["name"]
        try:
            files.check_name(name)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if not self.existing and files.is_managed(name):
            raise forms.ValidationError(f"a stack {name} exists already: edit that one")
        if not self.existing and find_stack(name) is not None:
            raise forms.ValidationError(
                f"a Compose project {name} runs on this engine, started elsewhere: its up and"
                " down would act on it; choose another name"
            )
        return name

    def audit_data(self):
        """The .env's names only: its values may be secrets."""
        data = self.data.copy()
        if data.get("env"):
            data["env"] = " ".join(line.split("=", 1)[0] for line in data["env"].splitlines())
        return data

    def check(self, data: dict) -> None:
        if not data.get("compose", "").strip():
            self.add_error("compose", "write the services: compose.yaml starts with services:")
        for number, line in enumerate(data.get("env", "").splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("#") and "=" not in line:
                self.add_error("env", f"line {number}: write NAME=value")
            elif line.strip().startswith(TOOL_SETTINGS):
                self.add_error(
                    "env",
                    f"line {number}: {line.split('=', 1)[0].strip()} would change which files"
                    " and engine the tool uses: Dockside names those itself",
                )

    def build_spec(self, data: dict) -> SaveStackSpec:
        keys = tuple(
            line.split("=", 1)[0].strip()
            for line in data["env"].splitlines()
            if "=" in line and not line.lstrip().startswith("#")
        )
        return SaveStackSpec(
            project=data["name"],
            tool=tool_name(),
            directory=str(files.stack_dir(data["name"])),
            compose_lines=len(data["compose"].splitlines()),
            env_keys=keys,
        )


def tool_name() -> str:
    """The tool as the command shows it: `docker compose` or `docker-compose`."""
    return "docker compose" if len(find_tool().argv) == 2 else "docker-compose"


class UpForm(SpecForm):
    build = forms.BooleanField(label="Build images first (--build)", required=False)
    pull = forms.BooleanField(label="Pull newer images first (pull)", required=False)
    force_recreate = forms.BooleanField(
        label="Recreate containers even if unchanged (--force-recreate)", required=False
    )
    remove_orphans = forms.BooleanField(
        label="Remove containers of services no longer in the file (--remove-orphans)",
        required=False,
    )
    override_policy = _override()

    action = "stack_up"
    target_kind = "stack"
    error_fields = ((r".", "build"),)

    def __init__(self, *args, project: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def build_spec(self, data: dict) -> StackUpSpec:
        return StackUpSpec(
            self.project,
            tool_name(),
            str(files.stack_dir(self.project)),
            build=data["build"],
            pull=data["pull"],
            force_recreate=data["force_recreate"],
            remove_orphans=data["remove_orphans"],
        )


class DownForm(SpecForm):
    volumes = forms.BooleanField(
        label="Remove its volumes too (-v): their data is deleted", required=False
    )

    action = "stack_down"
    target_kind = "stack"
    error_fields = ((r".", "volumes"),)

    def __init__(self, *args, project: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def build_spec(self, data: dict) -> StackDownSpec:
        return StackDownSpec(
            self.project, tool_name(), str(files.stack_dir(self.project)), volumes=data["volumes"]
        )


MAX_REPLICAS = 20


class CommandForm(SpecForm):
    """stop, start, restart, pull of the stack or one service; scale of one service."""

    replicas = forms.IntegerField(
        label="Containers",
        min_value=0,
        max_value=MAX_REPLICAS,
        help_text=f"0 to {MAX_REPLICAS}; 0 stops and removes the service's containers.",
    )
    override_policy = _override()

    target_kind = "stack"
    error_fields = ((r".", "replicas"),)

    def __init__(self, *args, project: str, verb: str, service: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.project, self.verb, self.service = project, verb, service
        self.action = f"stack_{verb}"
        if verb != "scale":
            del self.fields["replicas"]
        if verb not in ("scale", "pull"):
            del self.fields["override_policy"]

    def build_spec(self, data: dict) -> StackCommandSpec:
        return StackCommandSpec(
            self.project,
            tool_name(),
            str(files.stack_dir(self.project)),
            self.verb,
            self.service,
            data.get("replicas"),
        )
