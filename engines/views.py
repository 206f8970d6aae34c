"""/engines/: the Docker engines Dockside works on, and a check that each answers."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from containers_app import actions as container_actions
from containers_app import cli, docker_service
from containers_app.docker_service import DockerServiceError
from containers_app.pages.engine_errors import explain
from containers_app.specs import ContextSpec
from containers_app.views.flow import ActionPage, Done, handle_action, refused

from . import actions, lookup
from .forms import EngineForm, RemoveEngineForm
from .models import Engine
from .paths import engine_path


def no_such_engine(request: HttpRequest) -> HttpResponse:
    """Any path under /e/<name>/ of an engine there is not (engines/missing_urls.py)."""
    name = request.path_info.split("/")[2]
    sentence = f"There is no engine named {name}. The engines page lists those there are."
    context = {"explained": {"sentence": sentence}, "engines_link": True}
    return render(request, "errors/404.html", context, status=404)


@require_GET
def engine_list(request: HttpRequest) -> HttpResponse:
    local = docker_service.local_endpoint()
    rows = [(local.name, local.url, "default", None)]
    rows += [(engine.name, engine.url, engine.kind, engine) for engine in Engine.objects.all()]
    base = request.engine_base
    listed = [
        {
            "name": name,
            "url": url,
            "kind": kind,
            "engine": engine,
            "home": engine_path(name, "/containers/", base),
            "context": cli.command(ContextSpec(name, url, tls=bool(engine and engine.uses_tls))),
        }
        for name, url, kind, engine in rows
    ]
    return render(request, "engines/list.html", {"engines": listed})


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("tls_key")
def engine_form(request: HttpRequest, name: str | None = None) -> HttpResponse:
    if answer := refused(request, "change_engine" if name is not None else "add_engine"):
        return answer  # before the lookup: whether an engine exists is not a viewer's to learn
    existing = get_object_or_404(Engine, name=name) if name is not None else None
    if request.method == "POST":
        form = EngineForm(request.POST, existing=existing)
    elif existing is not None:
        initial = {
            "name": existing.name,
            "url": existing.url,
            "tls_ca": existing.tls_ca,
            "tls_cert": existing.tls_cert,
        }
        form = EngineForm(initial=initial, existing=existing)
    else:
        form = EngineForm()

    def save(actor: container_actions.Actor, spec) -> Done:
        data = form.cleaned_data
        key = data.get("tls_key") or (None if existing else "")
        engine = actions.save_engine(actor, spec, (data["tls_ca"], data["tls_cert"], key), existing)
        verb = "Changed" if existing else "Added"
        return Done(
            f"{verb} {engine.name}. Check that it answers.",
            redirect_to=reverse("engines:list"),
        )

    title = f"Change {existing.name}" if existing else "Add an engine"
    page = ActionPage("engines/form.html", title, "Save", {"existing": existing})
    return handle_action(request, form, page, save, request.POST.get("name", name or ""))


@require_http_methods(["GET", "POST"])
def remove_engine(request: HttpRequest, name: str) -> HttpResponse:
    if answer := refused(request, "remove_engine"):
        return answer
    engine = get_object_or_404(Engine, name=name)
    data = request.POST if request.method == "POST" else {}
    form = RemoveEngineForm(data, name=engine.name)

    def remove(actor: container_actions.Actor, spec) -> Done:
        actions.remove_engine(actor, spec, engine)
        return Done(
            f"Removed {spec.name}. Its containers go on running; Dockside no longer shows them.",
            redirect_to=reverse("engines:list"),
        )

    page = ActionPage(
        "engines/remove.html",
        f"Remove {engine.name}",
        "Remove",
        {"engine": engine},
        danger=True,
        confirm=f"Remove {engine.name} from Dockside?",
    )
    return handle_action(request, form, page, remove, engine.name)


@require_POST
def check_engine(request: HttpRequest, name: str) -> HttpResponse:
    """`docker --context NAME version`: whether the engine answers, and as what."""
    endpoint = lookup.named(name)
    if endpoint is None:
        raise Http404(f"No engine named {name}")
    try:
        with docker_service.using(endpoint):
            version, api = docker_service.engine_version()
    except DockerServiceError as exc:
        messages.error(request, f"{name} does not answer: {explain(exc).sentence}")
    else:
        messages.success(request, f"{name} answers: Docker {version}, API {api}.")
    return redirect("engines:list")
