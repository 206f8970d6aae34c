"""Forms for moving images: push to a registry, save to a tar, load from one."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings

from ..references import parse_image_reference
from ..specs import LoadSpec, PushSpec, SaveSpec
from .base import SpecForm
from .builds import FILE_NAME
from .fields import lines, parse_each, refuse_unlisted_registry, text

MAX_SAVE = 50
IMAGE_ID = re.compile(r"(sha256:)?[0-9a-f]{12,64}", re.ASCII)


class PushForm(SpecForm):
    registry = forms.ChoiceField(label="Registry", required=False)
    name = text(
        "Name in the registry",
        required=True,
        placeholder="team/app:1.4",
        help_text="Repository and tag; with no registry chosen, a whole reference"
        " (127.0.0.1:5000/team/app:1.4), or Docker Hub's.",
    )

    action = "push"
    target_kind = "image"
    error_fields = ((r".", "name"),)

    def __init__(self, *args, source: str, registries: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.fields["registry"].choices = [
            ("", "the one the name says (or Docker Hub)"),
            *[(address, address) for address in registries],
        ]

    def placeholder(self) -> str:
        return f"docker tag {self.source} REGISTRY/NAME:TAG && docker push REGISTRY/NAME:TAG"

    def check(self, data: dict) -> None:
        name, registry = data.get("name"), data.get("registry")
        if not name:
            return
        try:
            reference = parse_image_reference(f"{registry}/{name}" if registry else name)
        except ValueError as exc:
            self.add_error("name", str(exc))
            return
        if registry and reference.domain != registry:
            self.add_error("name", "give the repository and tag only: the registry is chosen")
            return
        if reference.digest:
            self.add_error("name", "a push names a tag, not a digest")
            return
        self.target = f"{reference.repository}:{reference.tag or 'latest'}"
        refuse_unlisted_registry(self, "name", self.target)

    def build_spec(self, data: dict) -> PushSpec:
        return PushSpec(self.source, self.target)


def _save_name(line: str) -> str:
    if IMAGE_ID.fullmatch(line.strip()):  # an image by its id (a dangling one has no other name)
        return line.strip()
    reference = parse_image_reference(line)
    return str(reference) if reference.digest or reference.tag else f"{reference}:latest"


class SaveForm(SpecForm):
    images = lines(
        "Images, one per line",
        "team/app:1.4\nbusybox:latest",
        "Each with its layers and tags, in one tar that `docker load` reads back.",
    )

    action = "save"
    target_kind = "image"
    error_fields = ((r".", "images"),)

    def placeholder(self) -> str:
        return "docker save -o images.tar IMAGE [IMAGE...]"

    def clean_images(self):
        found = tuple(dict.fromkeys(parse_each(self.cleaned_data["images"], _save_name)))
        if not found:
            raise forms.ValidationError("name at least one image")
        if len(found) > MAX_SAVE:
            raise forms.ValidationError(f"at most {MAX_SAVE} images in one tar")
        return found

    def build_spec(self, data: dict) -> SaveSpec:
        images = data["images"]
        if len(images) == 1:
            stem = images[0].replace("/", "_").replace(":", "_").replace("@", "_")
            return SaveSpec(images, f"{stem[:100]}.tar")
        return SaveSpec(images)


class LoadForm(SpecForm):
    archive = forms.FileField(
        label="Archive (a tar `docker save` wrote; .tar.gz too)",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".tar,.tar.gz,.tgz,.gz", "data-name-into": "archive_name"}
        ),
    )
    archive_name = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)

    action = "load"
    target_kind = "image"
    error_fields = ((r".", "archive"),)

    def placeholder(self) -> str:
        return "docker load -i FILE.tar"

    def __init__(self, *args, submitted: bool = False, **kwargs):
        """`submitted`: a real load, not a preview; the archive must then be there."""
        super().__init__(*args, **kwargs)
        self.submitted = submitted

    def clean_archive(self):
        upload = self.cleaned_data["archive"]
        if upload is None:
            if self.submitted:
                raise forms.ValidationError("choose the tar to load")
            return None
        limit = settings.DOCKSIDE_LOAD_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(f"{upload.name} is over {limit} MiB (DOCKSIDE_LOAD_MAX_MB)")
        return upload

    def build_spec(self, data: dict) -> LoadSpec:
        upload = data["archive"]
        if upload is None:  # the preview: the name the browser says was chosen
            chosen = data["archive_name"]
            return LoadSpec(chosen if FILE_NAME.fullmatch(chosen) else "images.tar")
        return LoadSpec(upload.name, upload.size)
