"""`docker run` / `docker create`: the biggest form, one field per flag of the reference.

The common fields come first; the rest sit in named sections that open when
they hold something (a pasted command that uses them, an error). The fields
other than the handful written out here are made from the flag table
(run_options/flags.py), so a flag has one label, one explanation and one parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms

from ..quoting import join
from ..run_options import checks
from ..run_options.env_files import parse_kv_file
from ..run_options.flags import FLAGS, SECTIONS, Flag
from ..run_options.spec import RESTART_POLICIES, KeyValueFile, RestartPolicy, RunSpec
from .base import SpecForm
from .fields import (
    LOCAL_IMAGES,
    MAX_FIELD,
    absolute_path,
    argv_field,
    image_field_value,
    parse_each,
    refuse_unlisted_registry,
    text,
    within_path_max,
)

UPLOAD_LIMIT = MAX_FIELD
CONTAINER_REF = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}", re.ASCII)


class FlagField(forms.CharField):
    """A flag's text, parsed by its table entry: one value, or one item per line."""

    def __init__(self, flag: Flag) -> None:
        lines = flag.kind in {"many", "pairs"}
        help_text = flag.help + (" One per line." if lines and "per line" not in flag.help else "")
        attrs = {"spellcheck": "false", "autocomplete": "off"}
        if flag.placeholder:
            attrs["placeholder"] = flag.placeholder
        widget = (
            forms.Textarea(attrs={"rows": 2, **attrs}) if lines else forms.TextInput(attrs=attrs)
        )
        super().__init__(
            label=flag.label,
            required=False,
            max_length=MAX_FIELD,
            strip=not lines,
            help_text=help_text,
            widget=widget,
        )
        self.flag = flag
        self.empty = RunSpec.__dataclass_fields__[flag.attr].default  # "" or None

    def clean(self, value):
        text = super().clean(value)
        if self.flag.kind == "value":
            if not text:
                return self.empty
            try:
                return self.flag.parse(text)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
        items = parse_each(text, self.flag.parse)
        if self.flag.kind == "pairs":
            return tuple(dict(items).items())  # a key given twice keeps its last value
        return tuple(items)


def flag_field(flag: Flag) -> forms.Field:
    if flag.kind == "switch":
        return forms.BooleanField(label=flag.label, required=False, help_text=flag.help)
    return FlagField(flag)


def file_fields(kind: str, what: str) -> dict[str, forms.Field]:
    """The name, lines and upload of an --env-file or --label-file."""
    flag = f"--{kind}-file"
    return {
        f"{kind}_file_name": forms.CharField(
            label=f"File name ({flag})",
            required=False,
            max_length=255,
            help_text="What the command calls the file; the form holds its lines below.",
            widget=forms.TextInput(attrs={"placeholder": f"{kind}.list", "autocomplete": "off"}),
        ),
        f"{kind}_file": forms.CharField(
            label=f"Lines of the file ({flag})",
            required=False,
            max_length=MAX_FIELD,
            strip=False,
            help_text=f"{what}, one KEY=value per line, # for comments: as {flag} reads them"
            " (no quotes removed, no variables expanded).",
            widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        ),
        f"{kind}_file_upload": forms.FileField(
            label=f"Or upload the file ({flag})",
            required=False,
            help_text=f"Its lines replace the ones above (at most {UPLOAD_LIMIT // 1024} KB).",
        ),
    }


@dataclass
class Section:
    key: str
    title: str
    fields: list  # bound fields
    folded: bool

    @property
    def question(self) -> str:
        return EXPLAINED.get(self.key, "")

    @property
    def explained(self) -> bool:
        return self.key in EXPLAINED

    @property
    def used(self) -> bool:
        """Open it: one of its fields holds something or has an error."""
        return any(field.errors or _given(field) for field in self.fields)


def _given(field) -> bool:
    value = field.value()
    return value not in (None, "", False) and str(value) != DEFAULTS.get(field.name)


DEFAULTS = {"pull": "missing", "restart": "no", "mode": "detach"}
EXPLAINED = {  # folded sections with a "why" (templates/explain/run-KEY.html)
    "networking": "How do containers find each other?",
    "storage": "Where does a container's data live?",
    "security": "What makes a container root on the host?",
    "resources": "What do these limits limit?",
    "health": "What does a health check do?",
}
OPEN_LAYOUT = (
    ("run", "What to run", ("image", "command", "name", "mode", "pull", "remove")),
    ("network", "Network and ports", ("ports", "network", "hostname")),
    ("data", "Configuration and data", ("env", "volumes", "labels")),
    ("limits", "Limits and restarts", ("memory", "cpus", "restart", "restart_retries")),
    (
        "process",
        "Process",
        ("entrypoint", "clear_entrypoint", "workdir", "user", "interactive", "tty"),
    ),
)
FILE_SECTION = (
    "files",
    "Environment and label files",
    (
        "env_file_name",
        "env_file",
        "env_file_upload",
        "label_file_name",
        "label_file",
        "label_file_upload",
    ),
)
SPECIAL = {"restart"}  # flags whose fields are written out below


class RunForm(SpecForm):
    MODES = (
        ("detach", "Run in the background (-d)"),
        ("foreground", "Run and show the output"),
        ("create", "Create only (docker create)"),
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
        (r"\breplace\b", "replace"),
    )

    def sections(self) -> list[Section]:
        """The fields in their cards: the common ones open, the rest folded until used."""
        result = [
            Section(key, title, [self[name] for name in names], folded=False)
            for key, title, names in OPEN_LAYOUT
        ]
        placed = {name for _, _, names in OPEN_LAYOUT for name in names}
        for key, title in SECTIONS.items():
            names = [f.form_field for f in FLAGS if f.section == key and f.form_field not in placed]
            result.append(Section(key, title, [self[name] for name in names], folded=True))
        key, title, names = FILE_SECTION
        result.append(Section(key, title, [self[name] for name in names], folded=True))
        return result

    def placeholder(self) -> str:
        return "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]"

    def field_for(self, error: Exception) -> str | None:
        """An engine refusal that names a flag goes to that flag's field."""
        message = str(error)
        for flag in FLAGS:
            if f'"{flag.name}"' in message and flag.form_field in self.fields:
                return flag.form_field
        return super().field_for(error)

    def check(self, data: dict) -> None:
        command = data.get("command")
        if command and not data.get("entrypoint"):
            try:
                within_path_max(command[0], "program name")
            except forms.ValidationError as exc:
                self.add_error("command", exc)
        if data.get("clear_entrypoint") and data.get("entrypoint"):
            self.add_error(
                "clear_entrypoint", "either an entrypoint or none: untick this or clear it"
            )

    def clean_image(self):
        return image_field_value(self.cleaned_data["image"])

    def clean_command(self):
        return argv_field(self.cleaned_data["command"], "command")

    def clean_workdir(self):
        return absolute_path(self.cleaned_data["workdir"] or "", "working directory")

    def clean_entrypoint(self):
        return within_path_max(self.cleaned_data["entrypoint"] or "", "entrypoint")

    def clean_user(self):
        return within_path_max(self.cleaned_data["user"] or "", "user")

    def clean_volumes(self):
        mounts = self.cleaned_data["volumes"]
        for mount in mounts:
            within_path_max(mount.source, "host path")
            within_path_max(mount.target, "container path")
        return mounts

    def clean_replaces(self):
        ref = self.cleaned_data["replaces"]
        if ref and not CONTAINER_REF.fullmatch(ref):
            raise forms.ValidationError("the container to replace is named by its name or id")
        return ref

    def clean_env_file(self):
        return self._file_lines("env", value_required=True)

    def clean_label_file(self):
        return self._file_lines("label", value_required=False)

    def _file_lines(self, kind: str, value_required: bool) -> tuple[tuple[str, str], ...] | None:
        upload = self.files.get(f"{kind}_file_upload") if self.files else None
        text = self.cleaned_data.get(f"{kind}_file") or ""
        if upload is not None:
            if upload.size > UPLOAD_LIMIT:
                raise forms.ValidationError(f"the file is over {UPLOAD_LIMIT // 1024} KB")
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError("the file is not UTF-8 text") from exc
            self.data = self.data.copy()
            self.data[f"{kind}_file"] = text
            if not self.data.get(f"{kind}_file_name"):
                self.data[f"{kind}_file_name"] = upload.name
        if not text.strip():
            return None
        try:
            pairs = parse_kv_file(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        missing = [key for key, value in pairs if value is None]
        if missing and value_required:
            raise forms.ValidationError(
                f"give {', '.join(missing)} a value (KEY=value): the CLI would take it from"
                " your shell, which Dockside does not have"
            )
        return tuple((key, value or "") for key, value in pairs)

    def build_spec(self, data: dict) -> RunSpec:
        restart = RestartPolicy(
            data["restart"], data["restart_retries"] or 0 if data["restart"] == "on-failure" else 0
        )
        if data["restart_retries"] and data["restart"] != "on-failure":
            raise ValueError("a retry count goes with the on-failure restart policy only")
        mode = data["mode"]
        values = {flag.attr: data[flag.form_field] for flag in FLAGS if flag.attr not in SPECIAL}
        for key in ("env", "label"):
            lines = data.get(f"{key}_file")
            if lines is not None:
                name = (data.get(f"{key}_file_name") or f"{key}.list").strip()
                values[f"{key}_file" if key == "env" else "label_file"] = KeyValueFile(name, lines)
        spec = RunSpec(
            **values,
            image=data["image"],
            command=data["command"],
            start=mode != "create",
            detach=mode != "foreground",
            restart=restart,
            clear_entrypoint=data["clear_entrypoint"],
        )
        for field, message in checks.problems(spec):
            self.add_error(field, message)
        return spec

    def clean(self):
        data = super().clean()
        spec = getattr(self, "spec", None)
        if spec is not None and self.errors:
            del self.spec
        elif spec is not None and spec.pull != "never":
            missing = spec.pull == "missing"
            refuse_unlisted_registry(self, "image", spec.image, only_if_missing=missing)
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


FLAGS_BY_ATTR = {flag.attr: flag for flag in FLAGS}


def _fields() -> dict[str, forms.Field]:
    """Every field, the open sections' first, in their order."""
    fields = {
        "image": text(
            "Image", required=True, placeholder="nginx:1.27", autofocus=True, list=LOCAL_IMAGES
        ),
        "command": text(
            "Command",
            placeholder="optional: sh -c 'echo hello'",
            help_text="The program and its arguments (after the image in docker run).",
        ),
        "mode": forms.ChoiceField(label="Mode", choices=RunForm.MODES, initial="detach"),
        "restart_retries": forms.IntegerField(
            label="Max retries (on-failure)",
            required=False,
            min_value=0,
            max_value=1_000_000,
            help_text="How often on-failure restarts it before giving up (empty: no limit).",
        ),
        "restart": forms.ChoiceField(
            label="Restart policy (--restart)",
            choices=[(p, p) for p in RESTART_POLICIES],
            initial="no",
            help_text="What the engine does when the container stops on its own.",
        ),
        "clear_entrypoint": forms.BooleanField(
            label="No entrypoint (--entrypoint '')",
            required=False,
            help_text="Runs the command as it is, without the image's ENTRYPOINT.",
        ),
        **file_fields("env", "Environment variables"),
        **file_fields("label", "Labels"),
        "replaces": forms.CharField(required=False, max_length=255, widget=forms.HiddenInput),
        "override_policy": forms.BooleanField(
            label="Run it despite the host-access policy",
            required=False,
            help_text="Admins only: what the policy refuses is given to this container all the"
            " same, and the audit log says so.",
        ),
        "replace": forms.BooleanField(
            label="Replace it",
            required=False,
            help_text="Stops and removes the container this form was copied from, then creates"
            " this one under its name (if this one cannot be made, the old one stays).",
        ),
    }
    for flag in FLAGS:
        if flag.attr not in SPECIAL:
            fields[flag.form_field] = flag_field(flag)
    fields["pull"] = forms.ChoiceField(
        label="Pull the image (--pull)",
        choices=[("missing", "if missing (default)"), ("never", "never"), ("always", "always")],
        initial="missing",
        help_text=FLAGS_BY_ATTR["pull"].help,
    )
    order = [name for _, _, names in OPEN_LAYOUT for name in names]
    return {**{name: fields.pop(name) for name in order}, **fields}


RunForm.base_fields = _fields()


def unheld(spec: RunSpec) -> list[str]:
    """What of a spec the form cannot hold: values with a line break (fields are one line,
    or one item per line). `form_data` leaves those out."""
    said = []
    for flag in FLAGS:
        if flag.kind != "pairs":
            continue
        for key, value in getattr(spec, flag.attr):
            if "\n" in value or "\r" in value:
                said.append(f"{flag.name} {key}: its value holds a line break; add it after")
    if any("\n" in argument or "\r" in argument for argument in spec.command):
        said.append("its command holds a line break, which a form field cannot keep")
    return said


def form_data(spec: RunSpec) -> dict:
    """The form's data for a spec: what the form shows to make that spec again."""
    data: dict = {
        "image": spec.image,
        "command": join(list(spec.command)),
        "mode": "create" if not spec.start else "detach" if spec.detach else "foreground",
        "restart": spec.restart.name,
        "restart_retries": spec.restart.max_retries or "",
        "clear_entrypoint": spec.clear_entrypoint,
    }
    for flag in FLAGS:
        if flag.attr in SPECIAL:
            continue
        value = getattr(spec, flag.attr)
        if flag.kind == "switch":
            data[flag.form_field] = value
        elif flag.kind == "value":
            data[flag.form_field] = "" if value in (None, "") else flag.show(value)
        else:
            shown = (flag.show(item) for item in value)
            data[flag.form_field] = "\n".join(line for line in shown if "\n" not in line)
    for kind, file in (("env", spec.env_file), ("label", spec.label_file)):
        if file is not None:
            data[f"{kind}_file_name"] = file.name
            data[f"{kind}_file"] = "\n".join(f"{key}={value}" for key, value in file.pairs)
    return data
