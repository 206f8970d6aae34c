"""`docker build` from the browser: the form, the build's live page, its cancel."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import policy

from .. import actions, docker_service, jobs
from ..forms.builds import BuildForm
from ..models import Build
from ..pages.waits import image_busy
from .flow import PREVIEW_FIELD, ActionPage, Done, handle_action, refused

RECENT_BUILDS = 10


class ContextRefused(docker_service.InvalidRequest):
    """A directory context that cannot be built from, said at the directory field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.field_errors = [("directory", problem) for problem in problems]


def oversized(request: HttpRequest, action: str, setting: str) -> HttpResponse | None:
    """A 413 (and a failed entry) for a POST announced larger than the setting's MiB, before
    the view reads a byte of it; None for anything else."""
    limit = getattr(settings, setting)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if request.method != "POST" or length <= limit * 1024 * 1024:
        return None
    problem = f"the upload is larger than {limit} MiB ({setting})"
    actions.record_rejected(actions.Actor.from_request(request), action, "image", "", {}, problem)
    return HttpResponse(f"Nothing was done: {problem}.", status=413, content_type="text/plain")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("build_args")
def build_form(request: HttpRequest) -> HttpResponse:
    if answer := refused(request, "build") or oversized(request, "build", "DOCKSIDE_UPLOAD_MAX_MB"):
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
            if spec.source == "directory" and (problems := form.prepare_directory(spec)):
                raise ContextRefused(problems)
        except (policy.PolicyRefused, ContextRefused) as exc:
            actions.record_rejected(actor, "build", "image", spec.tags[0], form.data, str(exc))
            raise
        job = jobs.start_build(actor, spec, form.make_context, override)
        return Done("", redirect_to=reverse("images:build-job", args=[job.id]))

    first_tag = (request.POST.get("tags") or "").strip().split("\n")[0].strip()
    page = ActionPage(
        "images/build.html",
        "Build an image",
        "Build",
        {"recent": Build.objects.filter(user_id=request.user.pk)[:RECENT_BUILDS]},
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
