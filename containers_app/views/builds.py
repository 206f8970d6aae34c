"""`docker build` from the browser: the form, the build's live page, its cancel."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy

from .. import actions, docker_service, jobs
from ..forms.builds import BuildForm
from ..pages.waits import image_busy
from .flow import PREVIEW_FIELD, ActionPage, Done, handle_action, refused


@require_http_methods(["GET", "POST"])
def build_form(request: HttpRequest) -> HttpResponse:
    if answer := refused(request, "build"):
        return answer
    if request.method == "POST":
        submitted = not request.POST.get(PREVIEW_FIELD)
        form = BuildForm(request.POST, request.FILES, submitted=submitted)
    else:
        form = BuildForm(initial={"tags": request.GET.get("tag", "")})
    if not docker_service.build_platforms_supported():
        del form.fields["platform"]

    def start(actor: actions.Actor, spec) -> Done:
        override = form.cleaned_data.get("override_policy", False)
        try:
            actions.check_build_directory(actor, spec, override)
        except policy.PolicyRefused as exc:
            actions.record_rejected(actor, "build", "image", spec.tags[0], form.data, str(exc))
            raise
        job = jobs.start_build(actor, spec, form.make_context, override)
        return Done("", redirect_to=reverse("images:build-job", args=[job.id]))

    first_tag = (request.POST.get("tags") or "").strip().split("\n")[0].strip()
    page = ActionPage(
        "images/build.html",
        "Build an image",
        "Build",
        {},
        busy=image_busy("build", first_tag or "the image"),
    )
    return handle_action(request, form, page, start, first_tag)


@require_GET
def build_page(request: HttpRequest, build_id: str) -> HttpResponse:
    build = jobs.get_build(build_id, request.user)
    if build is None:
        raise Http404("No such build, or another user's.")
    template = "images/build_job.html"
    if request.htmx and request.htmx.target == "build-progress":  # the page polling its box
        template += "#progress"
    return render(request, template, {"build": build})


@require_POST
def cancel_build(request: HttpRequest, build_id: str) -> HttpResponse:
    if not jobs.cancel_build(build_id, request.user):
        raise Http404("No such build running, or another user's.")
    return redirect("images:build-job", build_id)
