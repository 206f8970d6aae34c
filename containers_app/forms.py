"""Forms that validate what people type and return specs.

Each form's `spec` (after `is_valid()`) is what `cli.py` turns into the
command shown and what `actions.py` carries out. Every field is limited to
64 KB; every message names the field and says what to write instead.
"""

from __future__ import annotations

import re
import shlex

from django import forms

from .actions import RegistryNotAllowed, check_registry
from .references import check_container_name, check_hostname, parse_image_reference
from .specs import (
    RESTART_POLICIES,
    CommitSpec,
    ExecSpec,
    LifecycleSpec,
    PortMapping,
    PruneSpec,
    PullSpec,
    RemoveContainerSpec,
    RemoveImageSpec,
    RenameSpec,
    RestartPolicy,
    RunSpec,
    TagSpec,
    VolumeMount,
    parse_cpus,
    parse_key_value,
    parse_memory,
)

MAX_FIELD = 64 * 1024
NETWORK_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", re.ASCII)
SIGNAL = re.compile(r"(SIG)?[A-Z][A-Z0-9+-]*|[0-9]{1,2}", re.ASCII)


def text(label: str, required: bool = False, help_text: str = "", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_FIELD,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", **attrs}),
    )


def lines(label: str, placeholder: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_FIELD,
        strip=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": placeholder, "spellcheck": "false"}),
    )


def split_lines(value: str) -> list[str]:
    return [line.rstrip("\r") for line in value.split("\n") if line.strip()]


def parse_each(value: str, parse) -> list:
    """Parse one item per line; all problems are reported together."""
    items, errors = [], []
    for line in split_lines(value):
        try:
            items.append(parse(line))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise forms.ValidationError(errors)
    return items


def env_field(value: str) -> tuple[tuple[str, str], ...]:
    """`KEY=value` lines; a key given twice keeps its last value, as the docker CLI does."""
    pairs = parse_each(value, lambda line: parse_key_value(line, "variable"))
    return tuple(dict(pairs).items())


def refuse_unlisted_registry(form: forms.Form, field: str, reference: str) -> None:
    """A pull from a registry outside DOCKSIDE_ALLOWED_REGISTRIES is an error at the field.

    The spec stays: the command is right, only running it here is not allowed.
    """
    try:
        check_registry(reference)
    except RegistryNotAllowed as exc:
        form.add_error(field, str(exc))


def parse_optional(value: str, parse):
    if not value:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc


def argv_field(value: str, what: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(value))
    except ValueError as exc:
        raise forms.ValidationError(
            f"the {what} cannot be split like a shell would ({exc}): close the quote"
        ) from exc


def image_field_value(value: str) -> str:
    try:
        return str(parse_image_reference(value))
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc


def container_name_value(value: str) -> str:
    try:
        return check_container_name(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc


def absolute_path(value: str, what: str) -> str:
    if value and not value.startswith("/"):
        raise forms.ValidationError(f"the {what} must be an absolute path, such as /app")
    return value


class SpecForm(forms.Form):
    """A form whose valid data is a spec; `action` names the audit action.

    `error_fields` sends an engine error to the field it concerns, by words in
    its message; anything else is shown above the form.
    """

    action = ""
    target_kind = "container"
    error_fields: tuple[tuple[str, str], ...] = ()

    def field_for(self, error: Exception) -> str | None:
        message = str(error).lower()
        for words, name in self.error_fields:
            if re.search(words, message) and name in self.fields:
                return name
        return None

    def build_spec(self, data: dict):
        raise NotImplementedError

    def check(self, data: dict) -> None:
        """Checks across fields, reported with `add_error` (none by default)."""

    def placeholder(self) -> str:
        """The command's shape, shown until the form holds enough to build the real one."""
        return ""

    def clean(self):
        data = super().clean()
        self.check(data)
        if not self.errors:
            try:
                self.spec = self.build_spec(data)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data

    def error_summary(self) -> str:
        return "; ".join(
            f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
            for name, errors in self.errors.items()
        )


class RunForm(SpecForm):
    MODES = (
        ("detach", "Run in the background (-d)"),
        ("foreground", "Run and show the output"),
        ("create", "Create only (docker create)"),
    )

    image = text("Image", required=True, placeholder="nginx:1.27", autofocus=True)
    command = text("Command", placeholder="optional: sh -c 'echo hello'")
    name = text("Name", placeholder="optional: web")
    mode = forms.ChoiceField(label="Mode", choices=MODES, initial="detach")
    ports = lines("Published ports (-p)", "8080:80\n127.0.0.1:5353:53/udp", "one per line")
    env = lines("Environment (-e)", "KEY=value", "one KEY=value per line")
    volumes = lines(
        "Volumes and bind mounts (-v)",
        "/host/dir:/data:ro\nvolume-name:/var/lib/db",
        "one per line",
    )
    network = text("Network", placeholder="default: bridge; none, host or a network name")
    restart = forms.ChoiceField(
        label="Restart policy", choices=[(p, p) for p in RESTART_POLICIES], initial="no"
    )
    restart_retries = forms.IntegerField(
        label="Max retries (on-failure)", required=False, min_value=0, max_value=1_000_000
    )
    labels = lines("Labels (-l)", "com.example.team=web", "one key=value per line")
    workdir = text("Working directory (-w)", placeholder="/app")
    user = text("User (-u)", placeholder="1000:1000 or nobody")
    hostname = text("Hostname (-h)")
    memory = text("Memory limit (--memory)", placeholder="256m")
    cpus = text("CPU limit (--cpus)", placeholder="0.5")
    entrypoint = text("Entrypoint (--entrypoint)", placeholder="optional: /bin/sh")
    remove = forms.BooleanField(label="Remove when it exits (--rm)", required=False)
    interactive = forms.BooleanField(label="Keep stdin open (-i)", required=False)
    tty = forms.BooleanField(label="Allocate a terminal (-t)", required=False)
    pull = forms.ChoiceField(
        label="Pull the image",
        choices=[("missing", "if missing (default)"), ("never", "never"), ("always", "always")],
        initial="missing",
    )

    action = "run"
    error_fields = (
        (r"port is already allocated|address already in use|\bports?\b", "ports"),
        (r"no such image|\bpull|manifest|repository|registry|not allowed here", "image"),
        (r"container name|is already in use by container", "name"),
        (r"executable file not found|no such file or directory|\bexec\b", "command"),
        (r"\bcpus?\b|nanocpus", "cpus"),
        (r"memory", "memory"),
        (r"network", "network"),
        (r"volume|\bmount|\bbind", "volumes"),
        (r"working directory", "workdir"),
        (r"unable to find user|\buser\b", "user"),
        (r"hostname", "hostname"),
        (r"restart", "restart"),
    )

    def placeholder(self) -> str:
        return "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]"

    def clean_image(self):
        return image_field_value(self.cleaned_data["image"])

    def clean_name(self):
        name = self.cleaned_data["name"]
        return container_name_value(name) if name else ""

    def clean_network(self):
        network = self.cleaned_data["network"]
        target = network.removeprefix("container:")
        if network and not NETWORK_NAME.fullmatch(target):
            raise forms.ValidationError(f"invalid network name {network!r}")
        return network

    def clean_hostname(self):
        hostname = self.cleaned_data["hostname"]
        try:
            return check_hostname(hostname) if hostname else ""
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_workdir(self):
        return absolute_path(self.cleaned_data["workdir"], "working directory")

    def clean_memory(self):
        return parse_optional(self.cleaned_data["memory"], parse_memory)

    def clean_cpus(self):
        return parse_optional(self.cleaned_data["cpus"], parse_cpus)

    def clean_command(self):
        return argv_field(self.cleaned_data["command"], "command")

    def clean_ports(self):
        return tuple(parse_each(self.cleaned_data["ports"], PortMapping.parse))

    def clean_env(self):
        return env_field(self.cleaned_data["env"])

    def clean_labels(self):
        pairs = parse_each(
            self.cleaned_data["labels"],
            lambda line: parse_key_value(line, "label", value_required=False),
        )
        return tuple(dict(pairs).items())

    def clean_volumes(self):
        return tuple(parse_each(self.cleaned_data["volumes"], VolumeMount.parse))

    def build_spec(self, data: dict) -> RunSpec:
        restart = RestartPolicy(
            data["restart"], data["restart_retries"] or 0 if data["restart"] == "on-failure" else 0
        )
        if data["remove"] and restart.name != "no":
            raise ValueError("--rm and a restart policy exclude each other: choose one")
        if data["restart_retries"] and data["restart"] != "on-failure":
            raise ValueError("a retry count goes with the on-failure restart policy only")
        mode = data["mode"]
        return RunSpec(
            image=data["image"],
            command=data["command"],
            name=data["name"],
            start=mode != "create",
            detach=mode != "foreground",
            remove=data["remove"],
            entrypoint=data["entrypoint"],
            ports=data["ports"],
            env=data["env"],
            volumes=data["volumes"],
            network=data["network"],
            restart=restart,
            labels=data["labels"],
            workdir=data["workdir"],
            user=data["user"],
            hostname=data["hostname"],
            memory=data["memory"],
            nano_cpus=data["cpus"],
            tty=data["tty"],
            interactive=data["interactive"],
            pull=data["pull"],
        )

    def clean(self):
        data = super().clean()
        spec = getattr(self, "spec", None)
        if spec is not None and spec.pull != "never":
            refuse_unlisted_registry(self, "image", spec.image)
        return data

    @classmethod
    def data_from_command(cls, values: dict) -> dict:
        """Form data from `cli.parse_run_command` values (the restart text becomes two fields)."""
        data = {key: value for key, value in values.items() if key != "restart"}
        if "restart" in values:
            try:
                policy = RestartPolicy.parse(values["restart"])
                data["restart"] = policy.name
                data["restart_retries"] = policy.max_retries or ""
            except ValueError:
                data["restart"] = values["restart"]
        data.setdefault("restart", "no")
        data.setdefault("pull", "missing")
        return data


class ExecForm(SpecForm):
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

    def __init__(self, *args, container: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.container = container

    def clean_command(self):
        argv = argv_field(self.cleaned_data["command"], "command")
        if not argv:
            raise forms.ValidationError("enter a command to run in the container")
        return argv

    def clean_workdir(self):
        return absolute_path(self.cleaned_data["workdir"], "working directory")

    def clean_env(self):
        return env_field(self.cleaned_data["env"])

    def build_spec(self, data: dict) -> ExecSpec:
        return ExecSpec(self.container, data["command"], data["user"], data["workdir"], data["env"])


class CommitForm(SpecForm):
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

    def __init__(self, *args, container: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.container = container

    def clean_repository(self):
        try:
            reference = parse_image_reference(self.cleaned_data["repository"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
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


class TagForm(SpecForm):
    target = text(
        "New tag", required=True, placeholder="127.0.0.1:5000/team/app:v1", autofocus=True
    )

    action = "tag"
    target_kind = "image"
    error_fields = ((r".", "target"),)

    def placeholder(self) -> str:
        return f"docker tag {self.source} TARGET_IMAGE[:TAG]"

    def __init__(self, *args, source: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def clean_target(self):
        try:
            reference = parse_image_reference(self.cleaned_data["target"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if reference.digest:
            raise forms.ValidationError("a tag cannot be a digest")
        return f"{reference.repository}:{reference.tag or 'latest'}"

    def build_spec(self, data: dict) -> TagSpec:
        return TagSpec(self.source, data["target"])


class PullForm(SpecForm):
    registry = text("Registry", placeholder="optional: 127.0.0.1:5000 (default Docker Hub)")
    image = text(
        "Image", required=True, placeholder="nginx, nginx:1.27 or name@sha256:…", autofocus=True
    )

    action = "pull"
    target_kind = "image"
    error_fields = ((r".", "image"),)

    def placeholder(self) -> str:
        return "docker pull NAME[:TAG|@DIGEST]"

    def clean_image(self):
        try:
            return parse_image_reference(self.cleaned_data["image"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def check(self, data: dict) -> None:
        registry = data.get("registry", "").rstrip("/")
        image = data.get("image")
        if registry and image is not None and image.domain:
            self.add_error("registry", f"the image already names the registry {image.domain}")
        elif registry and image is not None:
            try:
                reference = parse_image_reference(f"{registry}/{image}")
            except ValueError:
                reference = None
            if reference is None or reference.domain != registry:
                self.add_error(
                    "registry", f"{registry!r} is not a registry: write host, host:port or an IP"
                )

    def clean(self):
        data = super().clean()
        spec = getattr(self, "spec", None)
        if spec is not None:
            refuse_unlisted_registry(self, "image", spec.reference)
        return data

    def build_spec(self, data: dict) -> PullSpec:
        registry = data.get("registry", "").rstrip("/")
        return PullSpec(f"{registry}/{data['image']}" if registry else str(data["image"]))


class LifecycleForm(SpecForm):
    """start, stop, restart, pause, unpause; stop and restart take a timeout."""

    timeout = forms.IntegerField(
        label="Seconds to wait before killing (-t)", required=False, min_value=0, max_value=3600
    )

    def __init__(self, *args, container: str, verb: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.container = container
        self.action = verb
        if verb not in {"stop", "restart"}:
            del self.fields["timeout"]

    def build_spec(self, data: dict) -> LifecycleSpec:
        return LifecycleSpec(self.action, self.container, timeout=data.get("timeout"))


class KillForm(SpecForm):
    signal = text("Signal (-s)", placeholder="KILL, TERM, HUP, INT, USR1 or a number")

    action = "kill"
    error_fields = ((r"signal", "signal"),)

    def __init__(self, *args, container: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.container = container

    def clean_signal(self):
        signal = self.cleaned_data["signal"].upper()
        if signal and not SIGNAL.fullmatch(signal):
            raise forms.ValidationError(f"{signal!r} is not a signal name or number")
        return signal

    def build_spec(self, data: dict) -> LifecycleSpec:
        return LifecycleSpec("kill", self.container, signal=data["signal"])


class RenameForm(SpecForm):
    new_name = text("New name", required=True, autofocus=True)

    action = "rename"
    error_fields = ((r".", "new_name"),)

    def placeholder(self) -> str:
        return f"docker rename {self.container} NEW_NAME"

    def __init__(self, *args, container: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.container = container

    def clean_new_name(self):
        return container_name_value(self.cleaned_data["new_name"])

    def build_spec(self, data: dict) -> RenameSpec:
        return RenameSpec(self.container, data["new_name"])


class RemoveContainerForm(SpecForm):
    force = forms.BooleanField(label="Force: kill it first if it runs (-f)", required=False)
    volumes = forms.BooleanField(label="Remove its anonymous volumes too (-v)", required=False)

    action = "remove_container"
    error_fields = ((r"running|force", "force"),)

    def __init__(self, *args, container: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.container = container

    def build_spec(self, data: dict) -> RemoveContainerSpec:
        return RemoveContainerSpec(self.container, data["force"], data["volumes"])


class RemoveImageForm(SpecForm):
    force = forms.BooleanField(label="Force (-f)", required=False)
    no_prune = forms.BooleanField(label="Keep untagged parents (--no-prune)", required=False)

    action = "remove_image"
    target_kind = "image"
    error_fields = ((r"conflict|being used|force|child|referenced in multiple", "force"),)

    def __init__(self, *args, image: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.image = image

    def build_spec(self, data: dict) -> RemoveImageSpec:
        return RemoveImageSpec(self.image, data["force"], data["no_prune"])


class PruneForm(SpecForm):
    labels = lines(
        "Only those with these labels (--filter label=…)", "com.example.team=web", "one per line"
    )
    expected = forms.CharField(required=False, max_length=MAX_FIELD, widget=forms.HiddenInput)

    target_kind = "system"

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.action = f"prune_{kind}s"

    def clean_labels(self):
        labels = []
        for line in split_lines(self.cleaned_data["labels"]):
            key, _, _ = line.partition("=")
            if not key.strip() or any(c.isspace() for c in key):
                raise forms.ValidationError(f"{line!r}: expected key or key=value")
            labels.append(line.strip())
        return tuple(labels)

    def build_spec(self, data: dict) -> PruneSpec:
        return PruneSpec(self.kind, data["labels"])

    @property
    def expected_ids(self) -> set[str]:
        return set(filter(None, self.cleaned_data.get("expected", "").split(",")))
