"""Who may open what: every URL pattern and websocket route, for anonymous, viewer,
operator and admin. A route missing from the matrix fails the test, so a new page
cannot arrive without saying who may open it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import AuditEntry
from containers_app.routing import websocket_urlpatterns
from containers_app.views.container_actions import TITLES
from registries.models import Registry
from tests import support
from tests.conftest import session_cookie
from tests.test_access import all_routes
from tests.viewers import connect_to

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC, VIEWER, OPERATOR, ADMIN = "public", "viewer", "operator", "admin"
ANYONE = "anyone"  # signing out: done for the signed in, a way back to sign-in for the rest
NOBODY = "nobody"  # refused to every role
PEOPLE = ("anonymous", VIEWER, OPERATOR, ADMIN)
RANK = {PUBLIC: 0, "anonymous": 0, VIEWER: 1, OPERATOR: 2, ADMIN: 3, NOBODY: 4}

# Each route: the least role that may open it.
MATRIX = {
    "home": VIEWER,
    "containers:list": VIEWER,
    "containers:run": OPERATOR,
    "containers:bulk": OPERATOR,
    "containers:prune": ADMIN,
    "containers:detail": VIEWER,
    "containers:logs": VIEWER,
    "containers:logs-download": VIEWER,
    "containers:terminal": OPERATOR,
    "containers:stats": VIEWER,
    "containers:top": VIEWER,
    "containers:run-command": VIEWER,
    "containers:compose": VIEWER,
    "containers:files": OPERATOR,
    "containers:files-download": OPERATOR,
    "containers:files-upload": OPERATOR,
    "containers:diff": VIEWER,
    "containers:isolation": VIEWER,
    "containers:action": {
        "start": OPERATOR,
        "stop": OPERATOR,
        "restart": OPERATOR,
        "kill": OPERATOR,
        "pause": OPERATOR,
        "unpause": OPERATOR,
        "exec": OPERATOR,
        "rename": ADMIN,
        "commit": ADMIN,
        "remove": ADMIN,
    },
    "images:list": VIEWER,
    "images:pull": OPERATOR,
    "images:pull-job": VIEWER,  # a pull's page, for the user who started it
    "images:prune": ADMIN,
    "images:tag": ADMIN,
    "images:remove": ADMIN,
    "images:detail": VIEWER,
    "images:build": OPERATOR,
    "images:build-job": VIEWER,  # a build's page, for the user who started it (and admins)
    "images:build-cancel": VIEWER,  # cancels the user's own build only
    "images:layers": VIEWER,
    "images:push": OPERATOR,
    "images:push-job": VIEWER,
    "images:save": OPERATOR,
    "images:load": OPERATOR,
    "registries:list": VIEWER,
    "registries:add": ADMIN,
    "registries:edit": ADMIN,
    "registries:remove": ADMIN,
    "registries:detail": OPERATOR,  # browsing signs in with the stored credentials
    "registries:login": OPERATOR,
    "engines:list": VIEWER,
    "engines:add": ADMIN,
    "engines:edit": ADMIN,
    "engines:remove": ADMIN,
    "engines:check": VIEWER,  # asks the engine its version: nothing changes
    "stacks:list": VIEWER,
    "stacks:detail": VIEWER,
    "stacks:new": OPERATOR,
    "stacks:edit": OPERATOR,
    "stacks:run": {
        "up": OPERATOR,
        "down": OPERATOR,
        "stop": OPERATOR,
        "start": OPERATOR,
        "restart": OPERATOR,
        "pull": OPERATOR,
    },
    "stacks:service-run": {"restart": OPERATOR, "scale": OPERATOR},
    "stacks:run-job": VIEWER,  # a run's page, for the user who started it
    "volumes:list": VIEWER,
    "volumes:create": OPERATOR,
    "volumes:prune": ADMIN,
    "volumes:detail": VIEWER,
    "volumes:remove": ADMIN,
    "volumes:files": OPERATOR,
    "volumes:download": OPERATOR,
    "networks:list": VIEWER,
    "networks:create": OPERATOR,
    "networks:prune": ADMIN,
    "networks:detail": VIEWER,
    "networks:action": {"connect": OPERATOR, "disconnect": OPERATOR, "remove": ADMIN},
    "audit:list": VIEWER,  # a viewer's own entries
    "audit:export-csv": VIEWER,
    "audit:export-json": VIEWER,
    "audit:verify": ADMIN,
    "access:users": ADMIN,
    "access:user": ADMIN,
    "access:unlock": ADMIN,
    "access:policy": ADMIN,
    "logs": VIEWER,
    "stats": VIEWER,
    "events": VIEWER,
    "system": VIEWER,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "metrics": PUBLIC,  # off by default: a 404 for everyone (test_operations: when it is on)
    "login": PUBLIC,
    "logout": ANYONE,
    "setup": PUBLIC,
    # The Django admin changes accounts: Dockside's admins only (access.admin_site).
    "admin:*": ADMIN,
    "admin:login": PUBLIC,
    "admin:logout": ANYONE,
    # The audit log is never edited, not even by an admin; no admin form completes names.
    "admin:audit_auditentry_add": NOBODY,
    "admin:audit_auditentry_delete": NOBODY,
    "admin:autocomplete": NOBODY,
}
# What is posted to the routes that take only POST.
POSTED = {
    "containers:bulk",
    "images:build-cancel",
    "registries:login",
    "engines:check",
    "containers:files-upload",
    "access:unlock",
    "audit:verify",
    "logout",
    "admin:logout",
}
SIGNING_OUT = {"logout", "admin:logout"}  # asked last

WS_MATRIX = {
    "ws/containers/<str:ref>/logs/": VIEWER,
    "ws/containers/<str:ref>/exec/": OPERATOR,
    "ws/containers/<str:ref>/stats/": VIEWER,
    "ws/logs/?containers=<str:ref>": VIEWER,
    "ws/stats/": VIEWER,
    "ws/events/": VIEWER,
}


def routes(resolver=None, namespace=""):
    """(name, pattern) for every URL pattern, walking includes."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            space = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern, space)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern


def needed(name: str) -> str | dict:
    if name in MATRIX:
        return MATRIX[name]
    if name.startswith("admin:"):
        return MATRIX["admin:*"]
    raise AssertionError(f"{name} is missing from the role matrix: say who may open it")


def test_every_route_is_in_the_matrix():
    names = {name for name, _ in routes()}
    missing = {name for name in names if name not in MATRIX and not name.startswith("admin:")}
    assert not missing, f"routes missing from the role matrix: {sorted(missing)}"
    assert set(MATRIX["containers:action"]) == set(TITLES)
    assert not {name for name in MATRIX if not name.endswith("*")} - names, "stale entries"


@pytest.fixture
def objects(make_container, docker_api, registry):
    container = make_container(hint="roles")
    stored = Registry.objects.create(address=registry)
    image = docker_api.inspect_image(support.BASE_IMAGE)["Id"].removeprefix("sha256:")[:12]
    admin = get_user_model().objects.create_superuser("admin", password="a-long-pass-42")
    volume = docker_api.create_volume(support.run_name("roles"), labels=support.run_labels())
    network = support.run_name("roles")
    docker_api.create_network(network, labels=support.run_labels())
    yield {
        "container": container,
        "image": image,
        "admin": admin,
        "volume": volume["Name"],
        "network": network,
        "registry": stored,
    }
    docker_api.remove_volume(volume["Name"], force=True)
    docker_api.remove_network(network)


def requests_for(objects) -> list[tuple[str, str, str, str | dict]]:
    """(name, method, path, needed role) for every route; the action route once per verb."""
    short = objects["container"]["Id"][:12]
    values = {
        "ref": short,
        "job_id": "0" * 32,
        "user_id": objects["admin"].pk,
        "name": objects["volume"],
        "build_id": "0" * 32,
        "pk": objects["registry"].pk,
    }
    admin_paths = dict(all_routes())
    found = []
    for name, pattern in routes():
        method = "POST" if name in POSTED else "GET"
        if isinstance(MATRIX.get(name), dict):  # one route, a role per verb
            ref = objects["network"] if name.startswith("networks:") else short
            for verb, role in MATRIX[name].items():
                args = [ref, "web", verb] if name == "stacks:service-run" else [ref, verb]
                found.append((f"{name} {verb}", method, reverse(name, args=args), role))
            continue
        if name.startswith("admin:"):  # Django's own: its sample path will do
            found.append((name, method, admin_paths[name], needed(name)))
            continue
        kwargs = {key: values[key] for key in pattern.pattern.converters}
        if name.startswith("images:") and "ref" in kwargs:
            kwargs["ref"] = objects["image"]
        if name.startswith("networks:") and "ref" in kwargs:
            kwargs["ref"] = objects["network"]
        found.append((name, method, reverse(name, kwargs=kwargs), needed(name)))
    return sorted(found, key=lambda request: request[0] in SIGNING_OUT)


def client_for(person: str) -> Client:
    client = Client()
    if person == ADMIN:
        client.force_login(get_user_model().objects.get(username="admin"))
    elif person != "anonymous":
        client.force_login(support.user_with_role(person))
    return client


def refused(response) -> bool:
    """A 403, or a redirect to a sign-in page (anonymous; the Django admin's own)."""
    if response.status_code == 403:
        return True
    location = response.headers.get("Location", "")
    return response.status_code == 302 and "/login/" in location


@pytest.mark.parametrize("person", PEOPLE)
def test_the_role_matrix_over_every_url(objects, person):
    client = client_for(person)
    wrong = []
    for name, method, path, role in requests_for(objects):
        data = {"verb": "start", "containers": objects["container"]["Name"][1:]}
        response = client.post(path, data) if method == "POST" else client.get(path)
        if hasattr(response, "streaming_content"):
            response.close()
        if role == ANYONE:
            allowed = not refused(response)
        else:
            allowed = RANK[person] >= RANK[role] and (person != "anonymous" or role == PUBLIC)
        if response.status_code >= 500 or allowed == refused(response):
            wrong.append(f"{name} {method} {path}: {response.status_code} (needs {role})")
    assert not wrong, f"{person}:\n" + "\n".join(wrong)


def test_a_refused_page_says_which_role_it_takes_and_is_audited(viewer_client, objects):
    path = reverse("containers:terminal", args=[objects["container"]["Id"][:12]])

    response = viewer_client.get(path)

    assert response.status_code == 403
    assert "Opening a terminal takes the operator role or above; you are a viewer." in (
        response.content.decode()
    )
    entry = AuditEntry.objects.get(action="terminal", username="viewer")
    assert entry.outcome == "failed" and entry.error.startswith("refused: Opening a terminal")
    assert entry.target_name == path


def test_a_refused_post_changes_nothing(viewer_client, objects, docker_api):
    container = objects["container"]
    path = reverse("containers:action", args=[container["Id"][:12], "stop"])

    response = viewer_client.post(path, {"timeout": "0"})

    assert response.status_code == 403
    assert docker_api.inspect_container(container["Id"])["State"]["Running"] is True
    assert AuditEntry.objects.get(action="stop").outcome == "failed"


def test_pages_hide_what_the_role_cannot_do(viewer_client, operator_client, objects):
    path = reverse("containers:detail", args=[objects["container"]["Id"][:12]])
    stop = reverse("containers:action", args=[objects["container"]["Id"][:12], "stop"])
    remove = reverse("containers:action", args=[objects["container"]["Id"][:12], "remove"])

    as_viewer = viewer_client.get(path).content.decode()
    as_operator = operator_client.get(path).content.decode()

    assert stop not in as_viewer and remove not in as_viewer
    assert stop in as_operator and remove not in as_operator


def test_the_django_admin_is_for_dockside_admins_only(django_user_model):
    staff = support.user_with_role(OPERATOR, "staffer")
    staff.is_staff = True
    staff.save()
    client = Client()
    client.force_login(staff)

    response = client.get(reverse("admin:auth_user_changelist"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def ws_path(route: str, container_id: str) -> str:
    return "/" + route.replace("<str:ref>", container_id)


def test_every_websocket_route_is_in_the_matrix():
    named = {str(pattern.pattern) for pattern in websocket_urlpatterns} - {""}
    assert named == {route.partition("?")[0] for route in WS_MATRIX}


@pytest.mark.parametrize("person", PEOPLE)
async def test_the_role_matrix_over_every_websocket_route(objects, person):
    from asgiref.sync import sync_to_async

    cookie = None
    if person != "anonymous":
        user = (
            objects["admin"]
            if person == ADMIN
            else await sync_to_async(support.user_with_role)(person)
        )
        cookie = await sync_to_async(session_cookie)(user)
    wrong = []
    for route, role in WS_MATRIX.items():
        path = ws_path(route, objects["container"]["Id"][:12])
        communicator = connect_to(path, cookie)
        connected, _ = await communicator.connect()
        assert connected, path
        first = await communicator.receive_output(timeout=10)
        closed = first["type"] == "websocket.close"
        allowed = person != "anonymous" and RANK[person] >= RANK[role]
        expected_code = 4401 if person == "anonymous" else 4403
        if allowed == closed or (closed and first.get("code") != expected_code):
            wrong.append(f"{route}: {first} (needs {role})")
        await communicator.disconnect()
    assert not wrong, f"{person}:\n" + "\n".join(wrong)
