"""`/containers/run/`: the `docker run` / `docker create` form; a pasted command fills it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .. import actions, cli
from ..forms import RunForm
from ..pages.images import local_image_names
from ..pages.waits import run_busy
from .flow import ActionPage, Done, handle_action, process_ending, render_page, shown_command

PASTE_LIMIT = 64 * 1024


def _run(actor: actions.Actor, spec) -> Done:
    outcome = actions.run_container(actor, spec)
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
    return Done(f"{pulled}{verb} container {outcome.name}.", redirect_to=detail)


def _read_pasted(pasted: str) -> cli.ParsedRun | None:
    """The pasted command read into form values; one too long to read is refused whole."""
    if len(pasted) > PASTE_LIMIT:
        refused = cli.ParsedRun()
        refused.problems.append(
            f"the command is {len(pasted):,} characters long; the box takes at most"
            f" {PASTE_LIMIT:,}: shorten it (nothing was read from it)"
        )
        return refused
    return cli.parse_run_command(pasted) if pasted.strip() else None


PASTED = "dockside_pasted_command"  # the session's copy, read once
FROM_PASTE = "pasted"  # ?pasted=1: fill the form from that copy


@require_http_methods(["GET", "POST"])
def run_form(request: HttpRequest) -> HttpResponse:
    """The form; a pasted command fills it without running it.

    The box posts what was pasted, so a secret in it stays out of the address, the
    history and the server's log. A link's `?command=` still works: the command is
    kept in the session and the browser sent on to an address without it.
    """
    pasting = request.method == "POST" and request.POST.get("_paste") == "1"
    if pasting:
        pasted = request.POST.get("pasted", "")
    elif request.method == "GET" and "command" in request.GET:
        pasted = request.GET["command"]
        if len(pasted) <= PASTE_LIMIT:
            request.session[PASTED] = pasted
            return redirect(f"{reverse('containers:run')}?{FROM_PASTE}=1")
    elif request.method == "GET" and request.GET.get(FROM_PASTE):
        pasted = request.session.pop(PASTED, "")
    else:
        pasted = ""
    too_long = len(pasted) > PASTE_LIMIT
    parsed = _read_pasted(pasted)
    if request.method == "POST" and not pasting:
        form = RunForm(request.POST)
    elif parsed and not parsed.problems:
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
        },
    )
    if too_long:
        return render_page(request, page, form, status=400)
    if pasting:
        if form.is_bound:
            form.is_valid()
        return render_page(request, page, form)
    response = handle_action(request, form, page, _run, request.POST.get("name", ""))
    if response.status_code == 404 and form.has_error("image"):
        request.session[PASTED] = shown_command(form)  # what "Pull it first" comes back to
    return response
