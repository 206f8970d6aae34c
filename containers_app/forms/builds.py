"""The build form: a context (a Dockerfile typed in with files beside it, an archive, or a
directory on the host) and the options of `docker build`."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings

from .. import build_context
from ..actions import RegistryNotAllowed, check_registry
from ..references import parse_image_reference
from ..specs import BuildSpec, parse_key_value
from .base import SpecForm
from .fields import MAX_FIELD, absolute_path, image_is_local, lines, parse_each, text

IMAGE_USE = re.compile(
    r"^[ \t]*(?:FROM[ \t]+(?:--platform=\S+[ \t]+)?(?P<image>\S+)(?:[ \t]+AS[ \t]+(?P<stage>\S+))?"
    r"|COPY[ \t]+(?:--\S+[ \t]+)*?--from=(?P<copied>\S+))",
    re.IGNORECASE | re.MULTILINE,
)
STAGE = re.compile(r"[a-zA-Z][a-zA-Z0-9_.-]{0,127}", re.ASCII)
PLATFORM = re.compile(r"[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?", re.ASCII)
FILE_NAME = re.compile(r"[^/\\\x00]{1,255}")
MAX_TAGS = 20
MAX_FILES = 50
UNPACKED_TIMES = 4  # a zip may unpack to this many times the upload limit
DEFAULT_ARCHIVE = "context.tar"
STARTER = 'FROM busybox\nWORKDIR /app\nCOPY . .\nCMD ["sh", "-c", "echo hello from $(hostname)"]\n'


def base_problems(dockerfile: str, pull: bool) -> list[str]:
    """What a Dockerfile's images (`FROM`, `COPY --from=`) would pull from a registry not
    allowed here (DOCKSIDE_ALLOWED_REGISTRIES), as the pull form refuses it; an image named
    by a variable cannot be checked, so with a list set it is refused too."""
    problems, stages = [], set()
    for match in IMAGE_USE.finditer(dockerfile):
        image, stage = match["image"] or match["copied"], match["stage"]
        if match["copied"] and (image.isdigit() or image.lower() in stages):
            continue
        if "$" in image:
            if settings.DOCKSIDE_ALLOWED_REGISTRIES:
                problems.append(
                    f"{image}: an image named by a variable cannot be checked against the"
                    " registries allowed here; write its name"
                )
        elif image.lower() not in stages and image != "scratch":
            problems += _image_problems(image, pull)
        if stage:
            stages.add(stage.lower())
    return problems


def _image_problems(image: str, pull: bool) -> list[str]:
    try:
        parse_image_reference(image)
        check_registry(image)
    except ValueError as exc:
        return [f"{image}: {exc}"]
    except RegistryNotAllowed as exc:
        if not pull and image_is_local(image):
            return []  # on the engine already: nothing is pulled
        return [f"{image}: {exc}"]
    return []


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's own recipe): cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def _tag(line: str) -> str:
    reference = parse_image_reference(line)
    if reference.digest:
        raise ValueError(f"{line}: a tag cannot be a digest")
    return f"{reference.repository}:{reference.tag or 'latest'}"


class BuildForm(SpecForm):
    source = forms.ChoiceField(
        label="Build context",
        choices=[
            ("dockerfile", "A Dockerfile typed here (with files beside it)"),
            ("archive", "An archive: tar, tar.gz or zip, with a Dockerfile at its top"),
            ("directory", "A directory on the Docker host"),
        ],
        initial="dockerfile",
        widget=forms.RadioSelect,
    )
    dockerfile = forms.CharField(
        label="Dockerfile",
        required=False,
        max_length=MAX_FIELD,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 12, "spellcheck": "false", "class": "code", "placeholder": STARTER}
        ),
    )
    files = MultipleFileField(
        label="Files beside the Dockerfile (optional; COPY and ADD find them at .)",
        required=False,
    )
    archive = forms.FileField(
        label="Archive",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".tar,.tar.gz,.tgz,.tar.bz2,.tar.xz,.zip",
                "data-name-into": "archive_name",
            }
        ),
    )
    archive_name = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)
    directory = text("Directory on the Docker host", placeholder="/srv/app (holds a Dockerfile)")
    tags = lines(
        "Tags (-t), one per line",
        "team/app:1.4\n127.0.0.1:5000/team/app:1.4",
        "The first names the build; each becomes a tag of the image (`:latest` when none).",
    )
    build_args = lines(
        "Build arguments (--build-arg), one per line",
        "VERSION=1.4",
        "Values for the Dockerfile's ARG lines; they stay in the image's history: no secrets.",
    )
    labels = lines("Labels (--label), one per line", "org.opencontainers.image.version=1.4")
    target = text("Target stage (--target)", placeholder="the last stage; or a name from FROM … AS")
    platform = text("Platform (--platform)", placeholder="linux/amd64; empty: the engine's own")
    network = forms.ChoiceField(
        label="Network for RUN steps (--network)",
        required=False,
        choices=[("", "the default bridge (RUN can download)"), ("none", "none (no network)")],
    )
    no_cache = forms.BooleanField(label="Ignore the cache (--no-cache)", required=False)
    pull = forms.BooleanField(label="Pull newer base images (--pull)", required=False)
    override_policy = forms.BooleanField(
        label="Read the directory despite the host-access policy",
        required=False,
        help_text="Admins only: the build reads it as asked, and the audit log says so.",
    )

    action = "build"
    target_kind = "image"
    error_fields = (
        (r"dockerfile|unknown instruction|parse|from", "dockerfile"),
        (r"target stage|failed to reach build target", "target"),
        (r"platform", "platform"),
        (r"tag|reference", "tags"),
        (r".", "dockerfile"),
    )

    def __init__(self, *args, submitted: bool = False, **kwargs):
        """`submitted`: a real build, not a preview; the context must then be all there."""
        super().__init__(*args, **kwargs)
        self.submitted = submitted

    def placeholder(self) -> str:
        return "docker build -t NAME[:TAG] ."

    def clean_tags(self):
        found = parse_each(self.cleaned_data["tags"], _tag)
        if not found:
            raise forms.ValidationError("give the image at least one tag, such as team/app:1.0")
        if len(found) > MAX_TAGS:
            raise forms.ValidationError(f"at most {MAX_TAGS} tags")
        return tuple(dict.fromkeys(found))

    def clean_build_args(self):
        pairs = parse_each(
            self.cleaned_data["build_args"], lambda line: parse_key_value(line, "argument")
        )
        return tuple(dict(pairs).items())

    def clean_labels(self):
        pairs = parse_each(self.cleaned_data["labels"], lambda line: parse_key_value(line, "label"))
        return tuple(dict(pairs).items())

    def clean_target(self):
        target = self.cleaned_data["target"]
        if target and not STAGE.fullmatch(target):
            raise forms.ValidationError(
                "a stage name starts with a letter, then letters, digits, _ . - (as in FROM … AS)"
            )
        return target

    def clean_platform(self):
        platform = self.cleaned_data["platform"]
        if platform and not PLATFORM.fullmatch(platform):
            raise forms.ValidationError("write os/arch[/variant], such as linux/amd64")
        return platform

    def clean_directory(self):
        return absolute_path(self.cleaned_data["directory"], "directory")

    def check(self, data: dict) -> None:
        source = data.get("source")
        if source == "dockerfile" and not data.get("dockerfile", "").strip():
            self.add_error("dockerfile", "type a Dockerfile: its first instruction is FROM")
        if source == "directory" and not data.get("directory"):
            self.add_error("directory", "give the directory's absolute path, such as /srv/app")
        if source == "archive" and self.submitted and not self.files.get("archive"):
            self.add_error("archive", "choose the archive to send")
        if source == "dockerfile":
            self._check_files()
            for problem in base_problems(data.get("dockerfile", ""), bool(data.get("pull"))):
                self.add_error("dockerfile", problem)
        limit = settings.DOCKSIDE_UPLOAD_MAX_MB
        for upload in [self.files.get("archive"), *self.files.getlist("files")]:
            if upload is not None and upload.size > limit * 1024 * 1024:
                field = "archive" if upload is self.files.get("archive") else "files"
                self.add_error(field, f"{upload.name} is over {limit} MiB")

        if self.submitted and not self.errors:
            self._prepare_context(data)

    def _prepare_context(self, data: dict) -> None:
        """Check the context (an upload, a directory) and, for an upload, copy it now: the
        request's files are gone once it ends."""
        source = data["source"]
        if source == "directory":
            return  # read only once the action has checked the policy: prepare_directory
        try:
            if source == "archive":
                limit = UNPACKED_TIMES * settings.DOCKSIDE_UPLOAD_MAX_MB * 1024 * 1024
                tar = build_context.archive_context(self.files["archive"], limit)
                problems = base_problems(build_context.dockerfile_in(tar), bool(data["pull"]))
                for problem in problems:
                    self.add_error("archive", f"its Dockerfile: {problem}")
            else:
                uploads = [(upload.name, upload) for upload in self.files.getlist("files")]
                tar = build_context.dockerfile_context(data["dockerfile"], uploads)
        except build_context.ContextProblem as exc:
            self.add_error("archive", str(exc))
            return
        self.make_context = lambda: tar

    def prepare_directory(self, spec: BuildSpec) -> list[str]:
        """A directory context, checked once the policy allowed it: what is wrong with it
        (missing, no Dockerfile, a base image from elsewhere), or nothing, and then the
        context is packed from its real path in the job."""
        try:
            root = build_context.check_directory(spec.directory)
            dockerfile = build_context.read_dockerfile(root)
        except (build_context.ContextProblem, OSError) as exc:
            return [str(exc)]
        problems = [f"its Dockerfile: {p}" for p in base_problems(dockerfile, spec.pull)]
        self.make_context = lambda: build_context.directory_context(str(root))
        return problems

    def _check_files(self) -> None:
        names = [upload.name for upload in self.files.getlist("files")]
        if len(names) > MAX_FILES:
            self.add_error("files", f"at most {MAX_FILES} files; send more as an archive")
        for name in names:
            if not FILE_NAME.fullmatch(name) or name in {".", ".."}:
                self.add_error("files", f"{name!r} is not a file name")
            elif name == "Dockerfile":
                self.add_error("files", "the Dockerfile is the one typed above: rename this file")
        if len(set(names)) != len(names):
            self.add_error("files", "two files have the same name")

    def _file_names(self) -> tuple[str, ...]:
        return tuple(upload.name for upload in self.files.getlist("files"))

    def _archive_label(self, data: dict) -> str:
        upload = self.files.get("archive")
        name = upload.name if upload is not None else data.get("archive_name") or ""
        return name if FILE_NAME.fullmatch(name) else DEFAULT_ARCHIVE

    def _zipped(self, name: str) -> bool:
        upload = self.files.get("archive")
        return build_context.is_zip(upload) if upload is not None else name.lower().endswith(".zip")

    def build_spec(self, data: dict) -> BuildSpec:
        source = data["source"]
        archive = self._archive_label(data) if source == "archive" else ""
        return BuildSpec(
            source=source,
            tags=data["tags"],
            build_args=data["build_args"],
            labels=data["labels"],
            target=data["target"],
            no_cache=data["no_cache"],
            pull=data["pull"],
            platform=data.get("platform", ""),
            network=data["network"],
            directory=data["directory"] if source == "directory" else "",
            archive=archive,
            zipped=self._zipped(archive),
            files=self._file_names() if source == "dockerfile" else (),
            dockerfile=data["dockerfile"] if source == "dockerfile" else "",
        )
