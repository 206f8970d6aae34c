"""Actions on one container: lifecycle, rename, exec, commit, remove; and several at once."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .. import actions, docker_service
from ..docker_service import DockerServiceError, EngineUnavailable
from ..forms import (
    CommitForm,
    ExecForm,
    KillForm,
    LifecycleForm,
    RemoveContainerForm,
    RenameForm,
)
from ..pages.engine_errors import explain
from ..pages.waits import container_busy
from ..specs import LifecycleSpec, RemoveContainerSpec
from .containers import container_list_page
from .flow import ActionPage, Done, handle_action, local_url, process_ending, refused

PAST_TENSE = {
    "start": "Started",
    "stop": "Stopped",
    "restart": "Restarted",
    "kill": "Killed",
    "pause": "Paused",
    "unpause": "Unpaused",
}
TITLES = {
    "start": "Start",
    "stop": "Stop",
    "restart": "Restart",
    "kill": "Kill",
    "pause": "Pause",
    "unpause": "Unpause",
    "rename": "Rename",
    "exec": "Run a command in",
    "commit": "Commit",
    "remove": "Remove",
}
DANGEROUS = {"stop", "kill", "remove", "restart"}
ACTIONS = {"remove": "remove_container"}  # the audit log's name of a verb, where it differs
# Forms whose empty state is already a whole command: shown bound, so the page shows it.
VALID_WHEN_EMPTY = {"start", "stop", "restart", "pause", "unpause", "kill", "remove"}


def _lifecycle(detail_url: str):
    def act(actor: actions.Actor, spec) -> Done:
        actions.container_lifecycle(actor, spec)
        return Done(f"{PAST_TENSE[spec.verb]} {spec.container}.", redirect_to=detail_url)

    return act


def _rename(actor: actions.Actor, spec) -> Done:
    actions.rename_container(actor, spec)
    detail = reverse("containers:detail", args=[spec.new_name])
    return Done(f"Renamed {spec.container} to {spec.new_name}.", redirect_to=detail)


def _exec(actor: actions.Actor, spec) -> Done:
    result = actions.exec_command(actor, spec)
    return Done(
        f"The command {process_ending(result)}.", result={"process": result}, failed=result.failed
    )


def _commit(actor: actions.Actor, spec) -> Done:
    image_id = actions.commit_container(actor, spec)
    return Done(
        f"Committed {spec.container} as {spec.reference}.",
        redirect_to=reverse("images:detail", args=[image_id.removeprefix("sha256:")]),
    )


def _remove(actor: actions.Actor, spec) -> Done:
    actions.remove_container(actor, spec)
    return Done(f"Removed container {spec.container}.", redirect_to=reverse("containers:list"))


@require_http_methods(["GET", "POST"])
def container_action(request: HttpRequest, ref: str, verb: str) -> HttpResponse:
    if verb not in TITLES:
        raise Http404(f"no container action {verb!r}")
    if answer := refused(request, ACTIONS.get(verb, verb)):
        return answer
    container = docker_service.inspect_container(ref)
    name = container.name
    detail_url = reverse("containers:detail", args=[container.short_id])
    if request.method == "POST":
        data = request.POST
    else:
        data = request.GET if verb in VALID_WHEN_EMPTY else None
    if verb in {"start", "stop", "restart", "pause", "unpause"}:
        form, act = LifecycleForm(data, container=name, verb=verb), _lifecycle(detail_url)
    elif verb == "kill":
        form, act = KillForm(data, container=name), _lifecycle(detail_url)
    elif verb == "rename":
        form, act = RenameForm(data, container=name), _rename
    elif verb == "exec":
        form, act = ExecForm(data, container=name), _exec
    elif verb == "commit":
        form, act = CommitForm(data, container=name), _commit
    else:
        form, act = RemoveContainerForm(data, container=name), _remove
    page = ActionPage(
        template="containers/action.html",
        title=f"{TITLES[verb]} {name}",
        submit_label=TITLES[verb].split()[0],
        context={"container": container, "verb": verb},
        danger=verb in DANGEROUS,
        confirm=f"Remove container {name}? This cannot be undone." if verb == "remove" else "",
        busy=container_busy(
            verb,
            name,
            timeout=container.stop_timeout,
            stop_signal=container.stop_signal,
            wait_limit=settings.DOCKSIDE_WAIT_TIMEOUT,
        ),
    )
    return handle_action(request, form, page, act, name)


BULK_VERBS = {"start", "stop", "remove"}


@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Start, stop or remove the selected containers, one audited action each.

    Remove is `docker rm`, which refuses running containers, as the container page
    does; with force (`docker rm -f`) it kills them first.
    """
    verb = request.POST.get("verb", "")
    names = [name for name in request.POST.getlist("containers") if name][:1000]
    back = local_url(request, request.POST.get("next")) or reverse("containers:list")
    force = request.POST.get("force") == "on"  # remove: kill the running ones first (-f)
    actor = actions.Actor.from_request(request)
    if verb not in BULK_VERBS or not names:
        problem = "choose start, stop or remove" if names else "select at least one container"
        actions.record_rejected(actor, f"bulk_{verb}"[:40], "container", "", request.POST, problem)
        messages.error(request, f"Nothing done: {problem}.")
        return container_list_page(request, status=400)
    if answer := refused(request, ACTIONS.get(verb, verb)):
        return answer
    done, failed = [], []
    for name in names:
        try:
            if verb == "remove":
                actions.remove_container(actor, RemoveContainerSpec(name, force=force))
            else:
                actions.container_lifecycle(actor, LifecycleSpec(verb, name))
            done.append(name)
        except EngineUnavailable:
            raise
        except DockerServiceError as exc:
            failed.append(f"{name}: {explain(exc).sentence}")
    if done:
        messages.success(request, f"{PAST_TENSE.get(verb, 'Removed')} {', '.join(done)}.")
    for failure in failed:
        messages.error(request, failure)
    return redirect(back)
