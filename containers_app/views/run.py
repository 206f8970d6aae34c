"""`/containers/run/`: the `docker run` / `docker create` form; a pasted command fills it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .. import actions, cli
from ..forms import RunForm
from ..pages.images import local_image_names
from ..pages.waits import run_busy
from .flow import ActionPage, Done, handle_action, process_ending, render_page

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


@require_http_methods(["GET", "POST"])
def run_form(request: HttpRequest) -> HttpResponse:
    pasted = request.GET.get("command", "")
    too_long = len(pasted) > PASTE_LIMIT
    parsed = _read_pasted(pasted)
    if request.method == "POST":
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
    if too_long and request.method == "GET":
        return render_page(request, page, form, status=400)
    return handle_action(request, form, page, _run, request.POST.get("name", ""))
