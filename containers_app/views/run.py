"""`/containers/run/`: the `docker run` / `docker create` form; a pasted command fills it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from access import policy
from access.models import HostPolicy

from .. import actions, cli, docker_service
from ..forms import RunForm
from ..forms.run import CONTAINER_REF, form_data, unheld
from ..pages.images import local_image_names, other_tags
from ..pages.waits import run_busy
from .flow import (
    ActionPage,
    Done,
    handle_action,
    process_ending,
    refused,
    render_page,
    shown_command,
)

PASTE_LIMIT = 64 * 1024


def _run(actor: actions.Actor, spec, replaces: str = "", override: bool = False) -> Done:
    if replaces:
        outcome = actions.replace_container(actor, replaces, spec, override)
    else:
        outcome = actions.run_container(actor, spec, override)
    pulled = f"Pulled {spec.image}, then " if outcome.pulled else ""
    detail = reverse("containers:detail", args=[outcome.container_id[:12]])
    if outcome.result is not None:
        result = outcome.result
        gone = spec.remove and not result.timed_out
        return Done(
            f"{pulled}ran {outcome.name}: it {process_ending(result)}.",
            result={"process": result, "name": outcome.name, "url": None if gone else detail},
            failed=result.failed,
        )
    verb = "started" if spec.start else "created"
    instead = " in place of the old one" if replaces else ""
    return Done(f"{pulled}{verb} container {outcome.name}{instead}.", redirect_to=detail)


def _duplicate(request: HttpRequest) -> tuple[RunForm, dict]:
    """`?from=REF`: the form holding what makes that container, to copy or change it;
    `&image=` swaps the image (the rollback to another tag)."""
    if not CONTAINER_REF.fullmatch(request.GET["from"]):
        raise docker_service.NotFound("container", request.GET["from"])
    recreated = docker_service.recreate_container(request.GET["from"])
    original = recreated.spec
    data = {**form_data(original), "replaces": request.GET["from"]}
    if request.GET.get("image"):
        data["image"] = request.GET["image"]
    context = {
        "duplicate": {
            "name": original.name,
            "ref": request.GET["from"],
            "image": original.image,
            "notes": recreated.notes + unheld(original),
            "after": [cli.command_line(argv) for argv in recreated.after],
            "other_tags": other_tags(original.image),
        }
    }
    return RunForm(data), context


def _read_pasted(pasted: str, answers: dict[str, str]) -> cli.ParsedRun | None:
    """The pasted command read into form values; one too long to read is refused whole."""
    if len(pasted) > PASTE_LIMIT:
        too_long = cli.ParsedRun()
        too_long.problems.append(
            f"the command is {len(pasted):,} characters long; the box takes at most"
            f" {PASTE_LIMIT:,}: shorten it (nothing was read from it)"
        )
        return too_long
    return cli.parse_run_command(pasted, answers) if pasted.strip() else None


ANSWER = "answer:"  # the paste step's answer fields: answer:<question key>
UPLOAD = "upload:"  # and a file's upload: upload:<question key>


def _answers(request: HttpRequest) -> tuple[dict[str, str], list[str]]:
    """What the paste step's questions were answered with (an uploaded file wins over text),
    and why any answer could not be taken."""
    answers, unread = {}, []
    for key, value in request.POST.items():
        if key.startswith(ANSWER):
            answers[key.removeprefix(ANSWER)] = value
    for key, upload in request.FILES.items():
        if not key.startswith(UPLOAD):
            continue
        if upload.size > PASTE_LIMIT:
            unread.append(f"{upload.name} is over {PASTE_LIMIT // 1024} KB: it was not read")
            continue
        try:
            answers[key.removeprefix(UPLOAD)] = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            unread.append(f"{upload.name} is not UTF-8 text: it was not read")
    for key, value in list(answers.items()):
        if len(value) > PASTE_LIMIT:
            unread.append(f"the answer for {key} is over {PASTE_LIMIT:,} characters")
            del answers[key]
    return answers, unread


def _policy_ahead(form: RunForm) -> None:
    """A filled-in form (pasted, duplicated) says at its fields what the host-access policy
    will refuse, before anyone presses Run."""
    if not form.is_bound or not form.is_valid():
        return
    for problem in policy.problems(form.spec, HostPolicy.current()):
        form.add_error(problem.field if problem.field in form.fields else None, problem.rule)


PASTED = "dockside_pasted_command"  # the session's copy, read once
FROM_PASTE = "pasted"  # ?pasted=1: fill the form from that copy


@require_http_methods(["GET", "POST"])
def run_form(request: HttpRequest) -> HttpResponse:
    """The form; a pasted command fills it without running it; `?from=REF` copies a container.

    The box posts what was pasted, so a secret in it stays out of the address, the
    history and the server's log. A link's `?command=` still works: the command is
    kept in the session and the browser sent on to an address without it.
    """
    if answer := refused(request, "run"):
        return answer
    pasting = request.method == "POST" and request.POST.get("_paste") == "1"
    answers, unread = _answers(request) if pasting else ({}, [])
    pasted = ""
    if pasting:
        pasted = request.POST.get("pasted", "")
    elif request.method == "GET" and "command" in request.GET:
        pasted = request.GET["command"]
        if len(pasted) <= PASTE_LIMIT:
            request.session[PASTED] = pasted
            return redirect(f"{reverse('containers:run')}?{FROM_PASTE}=1")
    elif request.method == "GET" and request.GET.get(FROM_PASTE):
        pasted = request.session.pop(PASTED, "")
    too_long = len(pasted) > PASTE_LIMIT
    parsed = _read_pasted(pasted, answers)
    if parsed is not None:
        parsed.problems += unread
    extra: dict = {}
    if request.method == "POST" and not pasting:
        form = RunForm(request.POST, request.FILES)
        if CONTAINER_REF.fullmatch(form.data.get("replaces", "")):
            extra["duplicate"] = {"ref": form.data["replaces"]}
    elif request.method == "GET" and request.GET.get("from"):
        form, extra = _duplicate(request)
    elif parsed and not parsed.problems and not parsed.unanswered:
        form = RunForm(RunForm.data_from_command(parsed.values))
    else:
        prefill = "image" in request.GET and not too_long
        form = RunForm(initial=request.GET.dict() if prefill else None)
    page = ActionPage(
        template="containers/run.html",
        title="Run a container",
        submit_label="Run",
        busy=run_busy(settings.DOCKSIDE_WAIT_TIMEOUT),
        context={
            "pasted": "" if too_long else pasted,
            "parsed": parsed,
            "local_images": local_image_names,  # called only when a whole page is drawn
            **extra,
        },
    )
    if too_long:
        return render_page(request, page, form, status=400)
    if pasting or request.method == "GET":
        _policy_ahead(form)
        return render_page(request, page, form)

    def act(actor: actions.Actor, spec) -> Done:
        replace = form.cleaned_data.get("replace") and form.cleaned_data.get("replaces")
        override = form.cleaned_data.get("override_policy", False)
        return _run(actor, spec, replaces=replace or "", override=override)

    response = handle_action(request, form, page, act, request.POST.get("name", ""))
    if response.status_code == 404 and form.has_error("image"):
        request.session[PASTED] = shown_command(form)  # what "Pull it first" comes back to
    return response
