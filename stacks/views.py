"""/stacks/: the engine's Compose projects; /stacks/<name>/: one of them, service by
service, with what it made and its merged logs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from containers_app import actions, cli, docker_service
from containers_app.views.flow import ActionPage, Done, handle_action, refused, render_page

from . import actions as stack_actions
from . import files
from . import jobs as stack_jobs
from .as_run import as_run
from .forms import STARTER, CommandForm, DownForm, StackForm, UpForm, tool_name
from .listing import PROJECT, find_stack, list_stacks
from .resolved import resolved_config, service_names
from .starting import Start, from_command, from_container
from .tool import ToolMissing, find_tool


def _tool() -> dict:
    """Which Compose tool this host has, for the page to say."""
    try:
        return {"tool": find_tool(), "tool_command": tool_name()}
    except ToolMissing as exc:
        return {"tool_missing": str(exc)}


@require_GET
def stack_list(request: HttpRequest) -> HttpResponse:
    # What the page does (one call); `docker compose ls` is the v2 tool's own list.
    command = f"docker ps -a --filter label={PROJECT}"
    context = {"stacks": list_stacks(), "command": command, **_tool()}
    return render(request, "stacks/list.html", context)


@require_GET
def stack_detail(request: HttpRequest, name: str) -> HttpResponse:
    stack = find_stack(name)
    if stack is None:
        raise Http404(f"No Compose project {name} has a container on this engine.")
    made = docker_service.labelled_networks_and_volumes(f"{PROJECT}={name}")
    managed = files.is_managed(name)
    context = {
        "stack": stack,
        "made": made,
        "managed": managed,
        "runs": stack_jobs.recent(request.user.pk, name),
        "simple_verbs": STACK_VERBS[2:],
        **_tool(),
    }
    if managed and "tool" in context:
        config = resolved_config(name)
        if config is not None:
            v2 = context["tool_command"] == "docker compose"
            context["as_run"] = as_run(config, name, v2)
    context["command"] = f"{context.get('tool_command', 'docker compose')} -p {name} ps --all"
    return render(request, "stacks/detail.html", context)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("env")
def stack_form(request: HttpRequest, name: str = "") -> HttpResponse:
    """New stack (no name) or its files edited: `config` checks them before they are saved."""
    if answer := refused(request, "stack_save") or _no_tool():
        return answer
    if name and not files.is_managed(name):
        raise Http404(f"{name} is not a stack Dockside manages: its files are elsewhere.")
    start = _start(request) if not name else None
    if request.method == "POST" and start is None:
        form = StackForm(request.POST, existing=name)
    elif name:
        compose, env = files.read_files(name)
        form = StackForm(initial={"name": name, "compose": compose, "env": env}, existing=name)
    elif start and not start.problems:
        form = StackForm(initial={"name": start.name, "compose": start.compose, "env": start.env})
    else:
        form = StackForm(initial={"compose": STARTER})

    def save(actor: actions.Actor, spec) -> Done:
        override = form.cleaned_data.get("override_policy", False)
        stack_actions.save_stack(
            actor, spec, form.cleaned_data["compose"], form.cleaned_data["env"], override
        )
        return Done(
            f"Saved {spec.project}: {spec.tool} config accepted it.",
            redirect_to=reverse("stacks:detail", args=[spec.project]),
        )

    title = f"Edit {name}" if name else "Create a stack"
    context = {"name": name, "start": start, **_tool()}
    if not name:  # the containers a stack may start from (one engine call)
        context["containers"] = docker_service.list_containers(all=True)
        context["pasted"] = request.POST.get("pasted", "") if start else ""
    page = ActionPage("stacks/form.html", title, "Save", context)
    if start is not None:
        return render_page(request, page, form, status=400 if start.problems else 200)
    return handle_action(request, form, page, save, name or request.POST.get("name", ""))


def _start(request: HttpRequest) -> Start | None:
    """A new stack's files from a container (?container=) or a pasted command (posted with
    _paste): a starting point the form shows, saved only when Save is pressed."""
    if request.method == "GET" and request.GET.get("container"):
        return from_container(request.GET["container"])
    if request.method == "POST" and request.POST.get("_paste") == "1":
        return from_command(request.POST.get("pasted", ""))
    return None


def _no_tool() -> HttpResponse | None:
    try:
        find_tool()
    except ToolMissing as exc:
        return HttpResponse(f"{exc}.", status=503, content_type="text/plain; charset=utf-8")
    return None


STACK_VERBS = ("up", "down", "stop", "start", "restart", "pull")
SERVICE_VERBS = ("restart", "scale")


@require_http_methods(["GET", "POST"])
def stack_run(request: HttpRequest, name: str, verb: str) -> HttpResponse:
    """`up -d`, `down`, `stop`, `start`, `restart` or `pull` as a job whose output streams
    to its page."""
    if verb not in STACK_VERBS:
        raise Http404(f"no stack action {verb!r}")
    volumes = verb == "down" and request.POST.get("volumes") == "on"
    action = "stack_down_volumes" if volumes else f"stack_{verb}"
    if answer := refused(request, action) or _no_tool():
        return answer
    _managed(name)
    data = request.POST if request.method == "POST" else {}  # unticked: already a command
    if verb == "up":
        form = UpForm(data, project=name)
    elif verb == "down":
        form = DownForm(data, project=name)
    else:
        form = CommandForm(data, project=name, verb=verb)
    made = (
        docker_service.labelled_networks_and_volumes(f"{PROJECT}={name}") if verb == "down" else []
    )
    page = ActionPage(
        f"stacks/{verb}.html" if verb in ("up", "down") else "stacks/command.html",
        f"{verb.capitalize()} {name}",
        verb.capitalize(),
        {"name": name, "stack": find_stack(name), "made": made, "verb": verb, **_tool()},
        danger=verb == "down",
        confirm=f"Take {name} down: its containers and networks are removed."
        if verb == "down"
        else "",
    )
    return handle_action(request, form, page, _starter(name, verb, form), name)


@require_http_methods(["GET", "POST"])
def service_run(request: HttpRequest, name: str, service: str, verb: str) -> HttpResponse:
    """One service restarted, or scaled to a number of containers."""
    if verb not in SERVICE_VERBS:
        raise Http404(f"no service action {verb!r}")
    if answer := refused(request, f"stack_{verb}") or _no_tool():
        return answer
    _managed(name)
    stack = find_stack(name)
    running = [s.name for s in stack.services] if stack else []
    if service not in set(running) | set(service_names(name)):
        raise Http404(f"{name} has no service {service}.")
    data = request.POST if request.method == "POST" else None
    form = CommandForm(data, project=name, verb=verb, service=service)
    current = next((s for s in stack.services if s.name == service), None) if stack else None
    if data is None and verb == "scale":
        form.initial["replicas"] = len(current.containers) if current else 1
    page = ActionPage(
        "stacks/command.html",
        f"{verb.capitalize()} {service} of {name}",
        verb.capitalize(),
        {"name": name, "stack": stack, "verb": verb, "service": service, "current": current},
    )
    return handle_action(request, form, page, _starter(name, verb, form, service), name)


def _managed(name: str) -> None:
    if not files.is_managed(name):
        raise Http404(f"{name} is not a stack Dockside manages: run Compose where its files are.")


def _starter(name: str, verb: str, form, service: str = ""):
    """The action of a run form: its job started (checked first where it makes containers),
    and the browser sent to the job's page."""

    def start(actor: actions.Actor, spec) -> Done:
        override = form.cleaned_data.get("override_policy", False)
        _refuse_early(
            actor, spec, override, form, checked=verb == "up" or verb in stack_actions.CHECKED
        )

        def work(job):
            if verb == "up":
                stack_actions.stack_up(actor, spec, job.add, override)
            elif verb == "down":
                stack_actions.stack_down(actor, spec, job.add)
            else:
                stack_actions.stack_command(actor, spec, job.add, override)

        shown = f"{verb} {service}" if service else verb
        job = stack_jobs.start(actor, name, shown, cli.command(spec), work)
        return Done("", redirect_to=reverse("stacks:run-job", args=[name, job.id]))

    return start


def _refuse_early(actor, spec, override: bool, form, checked: bool) -> None:
    """The refusals at the form, before a job starts (the job checks again): the stack
    busy with another run; where the run makes containers, the files and the policy."""
    directory = files.stack_dir(spec.project)
    compose, _ = files.read_files(spec.project)
    try:
        files.check_free(spec.project)
        if checked:
            pulls = stack_actions.pulls_images(spec)
            stack_actions.checked_stack(
                actor, spec.project, directory, compose, override, pulls=pulls
            )
    except docker_service.DockerServiceError as exc:
        actions.record_rejected(
            actor, form.action, "stack", spec.project, form.audit_data(), str(exc)
        )
        raise


@require_GET
def run_page(request: HttpRequest, name: str, job_id: str) -> HttpResponse:
    job = stack_jobs.get(job_id, request.user.pk)
    if job is None or job.project != name:
        raise Http404("No such run: it ended long ago, or another user started it.")
    template = "stacks/run.html"
    if request.htmx and request.htmx.target == "run-progress":
        template += "#progress"
    return render(request, template, {"job": job, "name": name})
