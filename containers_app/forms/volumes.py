"""Forms for volumes: create and remove (prune is the shared PruneForm)."""

from __future__ import annotations

import re

from django import forms

from ..run_options.flags import parse_key_value
from ..specs import CreateVolumeSpec, RemoveVolumeSpec
from .base import SpecForm
from .fields import lines, parse_each, text

# The local driver's rule (and the engine's for every name it checks): two characters or more.
VOLUME_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+", re.ASCII)
DRIVER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.:/-]*", re.ASCII)


def key_values(value: str, what: str) -> tuple[tuple[str, str], ...]:
    """`key=value` lines; a key given twice keeps its last value, as the CLI does."""
    return tuple(dict(parse_each(value, lambda line: parse_key_value(line, what))).items())


class CreateVolumeForm(SpecForm):
    name = text(
        "Name",
        placeholder="app-data; empty: Docker names it (an anonymous volume)",
        autofocus=True,
        help_text="Letters, digits, and _ . - after the first; two characters or more.",
    )
    driver = text("Driver (-d)", placeholder="local")
    options = lines(
        "Driver options (-o), one per line",
        "type=tmpfs\ndevice=tmpfs\no=size=64m",
        "What the local driver passes to mount(8): a tmpfs, an NFS share, or (o=bind) a host"
        " directory. Empty: a directory Docker keeps under its own data root.",
    )
    labels = lines("Labels (--label), one per line", "com.example.team=web")
    override_policy = forms.BooleanField(
        label="Create it despite the host-access policy",
        required=False,
        help_text="Admins only: the volume is made as asked, and the audit log says so.",
    )

    action = "create_volume"
    target_kind = "volume"
    error_fields = (
        (r"name|already|in use", "name"),
        (r"driver|plugin", "driver"),
        (r"option|mount|device|invalid argument|no such file", "options"),
    )

    def placeholder(self) -> str:
        return "docker volume create [-d DRIVER] [-o KEY=VALUE]… [--label KEY=VALUE]… [NAME]"

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name and not VOLUME_NAME.fullmatch(name):
            raise forms.ValidationError(
                f"{name!r} is not a volume name: start with a letter or digit, then letters,"
                " digits, _ . or -, two characters or more"
            )
        return name

    def clean_driver(self):
        driver = self.cleaned_data["driver"] or "local"
        if not DRIVER_NAME.fullmatch(driver):
            raise forms.ValidationError(f"{driver!r} is not a driver name (local, or a plugin's)")
        return driver

    def clean_options(self):
        return key_values(self.cleaned_data["options"], "option")

    def clean_labels(self):
        return key_values(self.cleaned_data["labels"], "label")

    def build_spec(self, data: dict) -> CreateVolumeSpec:
        return CreateVolumeSpec(data["name"], data["driver"], data["options"], data["labels"])


class RemoveVolumeForm(SpecForm):
    force = forms.BooleanField(
        label="Force (-f)",
        required=False,
        help_text="Removes it even where Docker would refuse (a plugin's volume it cannot reach)."
        " A volume a container uses is never removed: remove the container first.",
    )

    action = "remove_volume"
    target_kind = "volume"
    error_fields = ((r"in use|force", "force"),)

    def __init__(self, *args, volume: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.volume = volume

    def build_spec(self, data: dict) -> RemoveVolumeSpec:
        return RemoveVolumeSpec(self.volume, data["force"])
