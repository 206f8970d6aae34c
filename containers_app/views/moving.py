"""Moving images: push to a registry (live, per layer), save to a tar, load from one; and
the layers view, the image drawn as the stack it is."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from access import roles
from registries.models import Registry

from .. import actions, docker_service, jobs
from ..forms.moving import LoadForm, PushForm, SaveForm
from ..pages.waits import image_busy
from ..references import parse_image_reference
from .builds import oversized
from .flow import PREVIEW_FIELD, ActionPage, Done, handle_action, refused
from .streaming import streamed


@require_GET
def image_layers(request: HttpRequest, ref: str) -> HttpResponse:
    layers = docker_service.image_layers(ref)
    return render(
        request,
        "images/layers.html",
        {
            "layers": layers,
            "rows_top_first": list(reversed(layers.rows)),
            "command": f"docker history {layers.name}",
        },
    )


@require_http_methods(["GET", "POST"])
def push_form(request: HttpRequest, ref: str) -> HttpResponse:
    if answer := refused(request, "push"):
        return answer
    image = docker_service.inspect_image(ref)
    asked = request.POST.get("tag") or request.GET.get("tag") or ""  # the tag the user came from
    source = asked if asked in image.tags else image.tags[0] if image.tags else image.short_id
    addresses = list(Registry.objects.values_list("address", flat=True))
    if request.method == "POST":
        form = PushForm(request.POST, source=source, registries=addresses)
    else:
        repository = source.rsplit("/", 1)[-1] if image.tags else ""
        initial = {"registry": addresses[0] if addresses else "", "name": repository}
        form = PushForm(initial=initial, source=source, registries=addresses)

    def start(actor: actions.Actor, spec) -> Done:
        try:
            actions.check_push_target(actor, spec)
        except roles.NotAllowed as exc:
            actions.record_rejected(actor, "push", "image", source, form.data, str(exc))
            raise
        job = jobs.start_push(actor, spec)
        return Done("", redirect_to=reverse("images:push-job", args=[job.id]))

    page = ActionPage(
        "images/push.html",
        f"Push {source}",
        "Push",
        {"image": image, "source": source, "registries": addresses},
        busy=image_busy("push", source),
    )
    return handle_action(request, form, page, start, source)


@require_GET
def push_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    job = jobs.get_job(job_id, request.user.pk, verb="push")
    if job is None:
        raise Http404("No such push: it ended long ago, or another user started it.")
    template = "images/pull_progress.html"
    if request.htmx and request.htmx.target == "progress":
        template += "#progress"
    registry = Registry.for_reference(parse_image_reference(job.reference).domain)
    return render(request, template, {"job": job, "registry": registry})


@require_http_methods(["GET", "POST"])
def save_form(request: HttpRequest) -> HttpResponse:
    if answer := refused(request, "save"):
        return answer
    if request.method == "POST":
        form = SaveForm(request.POST)
    else:
        form = SaveForm(initial={"images": "\n".join(request.GET.getlist("image"))})

    def save(actor: actions.Actor, spec) -> Done:
        blocks = actions.save_images(actor, spec)
        response = streamed(blocks, "application/x-tar")
        response["Content-Disposition"] = f'attachment; filename="{spec.filename}"'
        return Done("", response=response)

    names = request.POST.get("images", "").split()
    page = ActionPage(
        "images/save.html",
        "Save images",
        "Download the tar",
        busy=image_busy("save", names[0] if names else "the images"),
    )
    return handle_action(request, form, page, save, " ".join(names)[:512])


@require_http_methods(["GET", "POST"])
def load_form(request: HttpRequest) -> HttpResponse:
    if answer := refused(request, "load") or oversized(request, "load", "DOCKSIDE_LOAD_MAX_MB"):
        return answer
    if request.method == "POST":
        submitted = not request.POST.get(PREVIEW_FIELD)
        form = LoadForm(request.POST, request.FILES, submitted=submitted)
    else:
        form = LoadForm()

    def load(actor: actions.Actor, spec) -> Done:
        upload = form.cleaned_data["archive"]
        upload.seek(0)
        loaded = actions.load_images(actor, spec, upload)
        return Done(f"Loaded {spec.filename}.", result={"loaded": _loaded_names(loaded)})

    name = request.FILES["archive"].name if "archive" in request.FILES else ""
    page = ActionPage(
        "images/load.html", "Load images", "Load", busy=image_busy("load", name or "the tar")
    )
    return handle_action(request, form, page, load, name)


def _loaded_names(lines: list[str]) -> list[dict]:
    """ "Loaded image: app:1" and "Loaded image ID: sha256:…" as names to link to."""
    found = []
    for line in lines:
        _, _, name = line.partition(": ")
        if name:
            found.append({"line": line, "ref": name.strip()})
    return found
