"""`docker run` / `docker create`: the biggest form."""

from __future__ import annotations

from django import forms

from ..references import check_hostname
from ..specs import (
    RESTART_POLICIES,
    PortMapping,
    RestartPolicy,
    RunSpec,
    VolumeMount,
    parse_cpus,
    parse_key_value,
    parse_memory,
)
from .base import SpecForm
from .fields import (
    LOCAL_IMAGES,
    NETWORK_NAME,
    absolute_path,
    argv_field,
    container_name_value,
    env_field,
    image_field_value,
    lines,
    parse_each,
    parse_optional,
    refuse_unlisted_registry,
    text,
    within_path_max,
)


class RunForm(SpecForm):
    MODES = (
        ("detach", "Run in the background (-d)"),
        ("foreground", "Run and show the output"),
        ("create", "Create only (docker create)"),
    )

    image = text(
        "Image", required=True, placeholder="nginx:1.27", autofocus=True, list=LOCAL_IMAGES
    )
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

    def check(self, data: dict) -> None:
        command = data.get("command")
        if command and not data.get("entrypoint"):
            try:
                within_path_max(command[0], "program name")
            except forms.ValidationError as exc:
                self.add_error("command", exc)

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
        return parse_optional(self.cleaned_data["hostname"], check_hostname) or ""

    def clean_workdir(self):
        return absolute_path(self.cleaned_data["workdir"], "working directory")

    def clean_memory(self):
        return parse_optional(self.cleaned_data["memory"], parse_memory)

    def clean_cpus(self):
        return parse_optional(self.cleaned_data["cpus"], parse_cpus)

    def clean_command(self):
        return argv_field(self.cleaned_data["command"], "command")

    def clean_entrypoint(self):
        return within_path_max(self.cleaned_data["entrypoint"], "entrypoint")

    def clean_user(self):
        return within_path_max(self.cleaned_data["user"], "user")

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
        mounts = tuple(parse_each(self.cleaned_data["volumes"], VolumeMount.parse))
        for mount in mounts:
            within_path_max(mount.source, "host path")
            within_path_max(mount.target, "container path")
        return mounts

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
