"""/registries/: the registries Dockside signs in to, their images and tags, and logins."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from containers_app import actions, docker_service
from containers_app.docker_service import DockerServiceError
from containers_app.pages.engine_errors import explain
from containers_app.references import parse_image_reference
from containers_app.specs import RegistryLoginSpec
from containers_app.views.flow import ActionPage, Done, handle_action, refused

from .forms import RegistryForm, RemoveRegistryForm
from .models import HUB_SPELLINGS, Registry


@require_GET
def registry_list(request: HttpRequest) -> HttpResponse:
    return render(request, "registries/list.html", {"registries": Registry.objects.all()})


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
def registry_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    existing = get_object_or_404(Registry, pk=pk) if pk is not None else None
    if answer := refused(request, "change_registry" if existing else "add_registry"):
        return answer
    if request.method == "POST":
        form = RegistryForm(request.POST, existing=existing)
    elif existing is not None:
        initial = {"address": existing.address, "username": existing.username}
        form = RegistryForm(initial=initial, existing=existing)
    else:
        form = RegistryForm()

    def save(actor: actions.Actor, spec) -> Done:
        registry = actions.save_registry(actor, spec, form.new_password(), existing)
        verb = "Changed" if existing else "Added"
        return Done(
            f"{verb} {registry.address}. Test its login to check the credentials.",
            redirect_to=reverse("registries:detail", args=[registry.pk]),
        )

    title = f"Change {existing.address}" if existing else "Add a registry"
    page = ActionPage("registries/form.html", title, "Save", {"existing": existing})
    return handle_action(request, form, page, save, request.POST.get("address", ""))


@require_http_methods(["GET", "POST"])
def remove_registry(request: HttpRequest, pk: int) -> HttpResponse:
    registry = get_object_or_404(Registry, pk=pk)
    if answer := refused(request, "remove_registry"):
        return answer
    data = request.POST if request.method == "POST" else {}
    form = RemoveRegistryForm(data, address=registry.address)

    def remove(actor: actions.Actor, spec) -> Done:
        actions.remove_registry(actor, spec, registry)
        return Done(f"Removed {spec.address} and its credentials.", redirect_to="/registries/")

    page = ActionPage(
        "registries/remove.html",
        f"Remove {registry.address}",
        "Remove",
        {"registry": registry},
        danger=True,
        confirm=f"Remove {registry.address} and forget its credentials?",
    )
    return handle_action(request, form, page, remove, registry.address)


@require_POST
def test_login(request: HttpRequest, pk: int) -> HttpResponse:
    registry = get_object_or_404(Registry, pk=pk)
    if answer := refused(request, "registry_login"):
        return answer
    if not registry.username:
        messages.error(request, f"{registry.address} has no user to sign in as: nothing to test.")
        return redirect("registries:detail", pk)
    actor = actions.Actor.from_request(request)
    spec = RegistryLoginSpec(registry.address, registry.username)
    result = actions.registry_login(actor, spec, registry)
    if result.ok:
        messages.success(request, f"{registry.address}: {result.message}.")
    else:
        messages.error(request, f"{registry.address} refused the login: {result.message}")
    return redirect("registries:detail", pk)


def check_repository(name: str) -> None:
    """A repository's name as images use it (`team/app`): nothing that changes the path."""
    try:
        reference = parse_image_reference(name)
    except ValueError as exc:
        raise docker_service.InvalidRequest(f"{name!r} is no repository name: {exc}") from exc
    if reference.domain or reference.tag or reference.digest or reference.path != name:
        raise docker_service.InvalidRequest(f"{name!r} is no repository name, such as team/app")


def check_search_term(term: str) -> None:
    """`docker search host/name` asks that host: only a registry allowed here."""
    try:
        reference = parse_image_reference(term)
    except ValueError:
        return  # words, not a name: Docker Hub's search
    if reference.domain:
        actions.check_registry(term)


@require_GET
def registry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The registry's repositories (`/v2/_catalog`), a repository's tags, each with a pull;
    Docker Hub has no catalog: its search (`docker search`) instead."""
    registry = get_object_or_404(Registry, pk=pk)
    if answer := refused(request, "registry_browse"):
        return answer
    query = request.GET.get("q", "").strip()[:200]
    repository = request.GET.get("repository", "").strip()[:255]
    auth = registry.auth_config()
    credentials = (auth["username"], auth["password"]) if auth else None
    context = {"registry": registry, "query": query, "repository": repository}
    status = 200
    try:
        if repository:
            check_repository(repository)
        if registry.address in HUB_SPELLINGS:
            if query:
                check_search_term(query)
            context["found"] = docker_service.search_images(query) if query else []
        elif repository:
            context["tags"] = docker_service.tags(registry.address, repository, credentials)
        else:
            listed = docker_service.catalog(registry.address, credentials)
            names = [n for n in listed.repositories if query.lower() in n.lower()]
            context.update(repositories=names, more=listed.more)
    except DockerServiceError as exc:
        if isinstance(exc, docker_service.EngineUnavailable):
            raise
        context["error"] = explain(exc).sentence
        refused_here = isinstance(exc, actions.RegistryNotAllowed)
        status = docker_service.http_status(exc, otherwise=400 if refused_here else 502)
    return render(request, "registries/detail.html", context, status=status)
