"""Field builders and value checks the forms share; a ValueError becomes a message at the field."""

from __future__ import annotations

import re
import shlex

from django import forms

from .. import docker_service
from ..actions import RegistryNotAllowed, check_registry
from ..references import check_container_name, parse_image_reference
from ..specs import parse_key_value

MAX_FIELD = 64 * 1024
# Linux finds no file by a longer name (PATH_MAX). It matters beyond that: the runc the
# engine uses (1.1) hangs for good, holding the container, on an error line over 64 KB, and
# its errors quote the program, the working directory, the user and the mount paths.
PATH_MAX = 4096
NETWORK_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", re.ASCII)
LOCAL_IMAGES = "local-images"  # the id of the <datalist> of the engine's tags
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


def refuse_unlisted_registry(
    form: forms.Form, field: str, reference: str, only_if_missing: bool = False
) -> None:
    """A pull from a registry outside DOCKSIDE_ALLOWED_REGISTRIES is an error at the field.

    The spec stays: the command is right, only running it here is not allowed.
    `only_if_missing` (`--pull missing`): no pull happens for an image the engine has.
    """
    try:
        check_registry(reference)
    except RegistryNotAllowed as exc:
        if only_if_missing and image_is_local(reference):
            return
        form.add_error(field, str(exc))


def image_is_local(reference: str) -> bool:
    """Whether the engine has the image (an engine that cannot say: no)."""
    try:
        return docker_service.image_present(reference)
    except docker_service.DockerServiceError:
        return False


def validated(parse, value: str):
    """`parse(value)`; its ValueError becomes the field's message."""
    try:
        return parse(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc


def parse_optional(value: str, parse):
    return validated(parse, value) if value else None


def argv_field(value: str, what: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(value))
    except ValueError as exc:
        raise forms.ValidationError(
            f"the {what} cannot be split like a shell would ({exc}): close the quote"
        ) from exc


def image_field_value(value: str) -> str:
    return str(validated(parse_image_reference, value))


def container_name_value(value: str) -> str:
    return validated(check_container_name, value)


def within_path_max(value: str, what: str) -> str:
    if len(value) > PATH_MAX:
        raise forms.ValidationError(
            f"the {what} is {len(value):,} characters long: Linux allows at most {PATH_MAX:,}"
        )
    return value


def absolute_path(value: str, what: str) -> str:
    if value and not value.startswith("/"):
        raise forms.ValidationError(f"the {what} must be an absolute path, such as /app")
    return within_path_max(value, what)
