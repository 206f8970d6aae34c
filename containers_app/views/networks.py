"""Network pages and actions: `docker network ls`, `inspect`, `create`, `connect`,
`disconnect`, `rm`."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .. import actions, docker_service
from ..forms import ConnectForm, CreateNetworkForm, DisconnectForm, RemoveNetworkForm
from ..pages.networks import network_detail_context, network_listing
from ..pages.waits import Busy
from .flow import ActionPage, Done, handle_action, refused


@require_GET
def network_list(request: HttpRequest) -> HttpResponse:
    context = {"listing": network_listing(request.GET), "command": "docker network ls"}
    return render(request, "networks/list.html", context)


@require_GET
def network_detail(request: HttpRequest, ref: str) -> HttpResponse:
    network = docker_service.inspect_network(ref)
    return render(request, "networks/detail.html", network_detail_context(network))


@require_http_methods(["GET", "POST"])
def create_network(request: HttpRequest) -> HttpResponse:
    if answer := refused(request, "create_network"):
        return answer
    form = CreateNetworkForm(request.POST if request.method == "POST" else None)

    def act(actor: actions.Actor, spec) -> Done:
        network = actions.create_network(actor, spec)
        return Done(
            f"Network {network.name} is ready.",
            redirect_to=reverse("networks:detail", args=[network.name]),
        )

    page = ActionPage(
        "networks/create.html",
        "Create a network",
        "Create",
        busy=Busy("Creating the network", "the engine sets up its bridge and addresses."),
    )
    return handle_action(request, form, page, act, request.POST.get("name", ""))


ACTIONS = {  # verb: (action, form, title, button, what the wait is)
    "connect": (
        "network_connect",
        ConnectForm,
        "Connect a container to {name}",
        "Connect",
        "the engine gives the container an address on the network.",
    ),
    "disconnect": (
        "network_disconnect",
        DisconnectForm,
        "Disconnect from {name}",
        "Disconnect",
        "the engine takes the container's address on the network away.",
    ),
    "remove": (
        "remove_network",
        RemoveNetworkForm,
        "Remove {name}",
        "Remove",
        "the engine takes the network down.",
    ),
}


@require_http_methods(["GET", "POST"])
def network_action(request: HttpRequest, ref: str, verb: str) -> HttpResponse:
    if verb not in ACTIONS:
        raise Http404(f"no network action {verb!r}")
    action, form_class, title, submit, waits = ACTIONS[verb]
    if answer := refused(request, action):
        return answer
    network = docker_service.inspect_network(ref)
    data = request.POST if request.method == "POST" else None
    if data is None and verb != "connect":
        data = request.GET  # the disconnect and remove forms are whole commands already
    initial = {"container": request.GET.get("container", "")}
    form = form_class(data, network=network.name, initial=initial)

    def act(actor: actions.Actor, spec) -> Done:
        if verb == "connect":
            actions.connect_network(actor, spec)
            message = f"Connected {spec.container} to {network.name}."
        elif verb == "disconnect":
            actions.disconnect_network(actor, spec)
            message = f"Disconnected {spec.container} from {network.name}."
        else:
            actions.remove_network(actor, spec)
            removed = f"Removed the network {network.name}."
            return Done(removed, redirect_to=reverse("networks:list"))
        return Done(message, redirect_to=reverse("networks:detail", args=[network.name]))

    page = ActionPage(
        "networks/action.html",
        title.format(name=network.name),
        submit,
        {"network": network, "verb": verb},
        danger=verb == "remove",
        confirm=f"Remove the network {network.name}?" if verb == "remove" else "",
        busy=Busy(title.format(name=network.name), waits),
    )
    return handle_action(request, form, page, act, network.name)
