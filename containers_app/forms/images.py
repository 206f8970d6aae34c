"""Forms for images: tag, pull, remove, and prune."""

from __future__ import annotations

from django import forms

from ..references import parse_image_reference
from ..specs import PruneSpec, PullSpec, RemoveImageSpec, TagSpec
from .base import SpecForm
from .fields import (
    LOCAL_IMAGES,
    MAX_FIELD,
    lines,
    refuse_unlisted_registry,
    split_lines,
    text,
    validated,
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
        reference = validated(parse_image_reference, self.cleaned_data["target"])
        if reference.digest:
            raise forms.ValidationError("a tag cannot be a digest")
        return f"{reference.repository}:{reference.tag or 'latest'}"

    def build_spec(self, data: dict) -> TagSpec:
        return TagSpec(self.source, data["target"])


class PullForm(SpecForm):
    image = text(
        "Image",
        required=True,
        placeholder="nginx, nginx:1.27 or name@sha256:…",
        autofocus=True,
        list=LOCAL_IMAGES,
    )
    registry = text(
        "Registry (optional)",
        placeholder="127.0.0.1:5000; empty: the image's own, or Docker Hub",
    )

    action = "pull"
    target_kind = "image"
    error_fields = ((r".", "image"),)

    def placeholder(self) -> str:
        return "docker pull NAME[:TAG|@DIGEST]"

    def clean_image(self):
        return validated(parse_image_reference, self.cleaned_data["image"])

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
    every = forms.BooleanField(
        label="Named volumes too (-a)",
        required=False,
        help_text="Without it only anonymous volumes go: those Docker named itself.",
    )
    expected = forms.CharField(required=False, max_length=MAX_FIELD, widget=forms.HiddenInput)

    target_kind = "system"

    def __init__(self, *args, kind: str, every: bool = False, **kwargs):
        """`every`: the kind has an `-a` (volumes, on engines that spare named ones)."""
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.action = f"prune_{kind}s"
        if not every:
            del self.fields["every"]

    def clean_labels(self):
        labels = []
        for line in split_lines(self.cleaned_data["labels"]):
            key, _, _ = line.partition("=")
            if not key.strip() or any(c.isspace() for c in key):
                raise forms.ValidationError(f"{line!r}: expected key or key=value")
            labels.append(line.strip())
        return tuple(labels)

    def build_spec(self, data: dict) -> PruneSpec:
        return PruneSpec(self.kind, data["labels"], data.get("every", False))

    @property
    def expected_ids(self) -> set[str]:
        return set(filter(None, self.cleaned_data.get("expected", "").split(",")))
