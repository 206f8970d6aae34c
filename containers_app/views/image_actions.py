"""Actions on images: pull (with live progress), tag, remove."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .. import actions, docker_service, jobs
from ..forms import PullForm, RemoveImageForm, TagForm
from ..pages.images import local_image_names
from ..pages.waits import image_busy
from .flow import ActionPage, Done, handle_action, local_url, refused


@require_http_methods(["GET", "POST"])
def pull_form(request: HttpRequest) -> HttpResponse:
    if answer := refused(request, "pull"):
        return answer
    if request.method == "POST":
        form = PullForm(request.POST)
    else:
        form = PullForm(initial={"image": request.GET.get("image", "")})
    next_url = _safe_next(request)

    def start_pull(actor: actions.Actor, spec) -> Done:
        job = jobs.start_pull(actor, spec)
        progress = reverse("images:pull-job", args=[job.id])
        if next_url:
            progress += "?" + urlencode({"next": next_url})
        return Done("", redirect_to=progress)

    context = {"next": next_url, "local_images": local_image_names}  # called when drawn
    busy = image_busy("pull", request.POST.get("image") or "the image")
    page = ActionPage("images/pull.html", "Pull an image", "Pull", context, busy=busy)
    return handle_action(request, form, page, start_pull, request.POST.get("image", ""))


def _safe_next(request: HttpRequest) -> str:
    return local_url(request, request.GET.get("next") or request.POST.get("next"))


@require_GET
def pull_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    job = jobs.get_job(job_id, request.user.pk)
    if job is None:
        raise Http404("No such pull: it ended long ago, or another user started it.")
    template = "images/pull_progress.html"
    if request.htmx and request.htmx.target == "progress":  # the page polling its own box
        template += "#progress"
    return render(request, template, {"job": job, "next": _safe_next(request)})


def _tag(actor: actions.Actor, spec) -> Done:
    actions.tag_image(actor, spec)
    return Done(
        f"Tagged {spec.source} as {spec.target}.",
        redirect_to=reverse("images:detail", args=[spec.target]),
    )


def _remove(actor: actions.Actor, spec) -> Done:
    removed = actions.remove_image(actor, spec)
    parts = [f"untagged {', '.join(removed.untagged)}"] if removed.untagged else []
    if removed.deleted:
        parts.append(f"deleted {len(removed.deleted)} image layer(s)")
    return Done(
        f"Removed {spec.image}: {'; '.join(parts) or 'nothing left to delete'}.",
        redirect_to=reverse("images:list"),
    )


@require_http_methods(["GET", "POST"])
def image_action(request: HttpRequest, ref: str, verb: str) -> HttpResponse:
    if answer := refused(request, "tag" if verb == "tag" else "remove_image"):
        return answer
    image = docker_service.inspect_image(ref)
    # Which name the command uses: the tag the user came from, the only tag, or the id.
    tag = request.POST.get("tag") or request.GET.get("tag") or ref
    subject = (
        tag if tag in image.tags else image.tags[0] if len(image.tags) == 1 else image.short_id
    )
    data = request.POST if request.method == "POST" else None
    if data is None and verb == "remove":
        data = request.GET  # the empty remove form is already a whole command
    if verb == "tag":
        form, act, title = TagForm(data, source=subject), _tag, f"Tag {subject}"
    elif verb == "remove":
        form, act, title = RemoveImageForm(data, image=subject), _remove, f"Remove {subject}"
    else:
        raise Http404(f"no image action {verb!r}")
    page = ActionPage(
        "images/action.html",
        title,
        verb.capitalize(),
        {"image": image, "verb": verb, "tag": subject},
        danger=verb == "remove",
        confirm=f"Remove the image {subject}? This cannot be undone." if verb == "remove" else "",
        busy=image_busy(verb, subject),
    )
    return handle_action(request, form, page, act, subject)
