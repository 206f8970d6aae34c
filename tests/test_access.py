"""Login on every route, CSRF on every POST, security headers, and the first-admin set-up page."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from audit.models import AuditEntry
from tests import support
from tests.pages import text
from tests.posting import run_data

pytestmark = pytest.mark.django_db

# Routes anyone may open: signing in, the one-time set-up page, health and readiness, and
# the metrics (a 404 unless DOCKSIDE_METRICS turns them on; test_operations covers that).
PUBLIC_ROUTES = {"login", "setup", "healthz", "readyz", "metrics", "admin:login"}
SAMPLE_VALUES = {
    "str": "sample",
    "path": "sample/ref:tag",
    "int": "1",
    "slug": "sample",
    "uuid": "",
}


def sample_path(pattern) -> str:
    """One URL pattern piece with sample values in place of its converters and groups."""
    piece = str(pattern)
    if isinstance(pattern, RegexPattern):
        piece = re.sub(r"\(\?P<\w+>([^)]*)\)", lambda m: m.group(1).split("|")[0], piece)
        return piece.strip("^$").replace("\\", "").replace(".*", "sample")
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES[m.group(1) or "str"], piece)


def all_routes(resolver=None, prefix="", namespace=""):
    """(name, sample path) for every URL pattern, walking includes."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + sample_path(pattern.pattern)
        if isinstance(pattern, URLResolver):
            space = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_routes(pattern, route, space)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", "/" + route


def test_route_walk_sees_every_page():
    names = {name for name, _ in all_routes()}
    assert {"containers:list", "containers:detail", "images:list", "images:detail"} <= names
    assert "admin:index" in names


@pytest.mark.parametrize(
    ("name", "path"), [r for r in all_routes() if r[0] not in PUBLIC_ROUTES], ids=lambda v: v
)
def test_every_route_requires_login(client, name, path):
    response = client.get(path)

    assert response.status_code == 302, f"{name} ({path}) answered {response.status_code}"
    assert re.match(r"^/(accounts|admin)/login/", response["Location"]), response["Location"]


def test_login_then_logout_by_post(client, django_user_model):
    django_user_model.objects.create_user("learner", password="a-long-pass-42")

    response = client.post(
        "/accounts/login/", {"username": "learner", "password": "a-long-pass-42"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/containers/"
    assert client.get("/accounts/logout/").status_code == 405, "logout is POST only"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/containers/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, django_user_model):
    django_user_model.objects.create_user("learner", password="a-long-pass-42")

    response = client.post("/accounts/login/", {"username": "learner", "password": "nope"})

    assert response.status_code == 200
    assert "enter a correct username and password" in text(response.content.decode())
    assert "_auth_user_id" not in client.session


def test_post_without_csrf_token_is_forbidden(django_user_model):
    django_user_model.objects.create_user("learner", password="a-long-pass-42")
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        "/accounts/login/", {"username": "learner", "password": "a-long-pass-42"}
    )

    assert response.status_code == 403


def tags(docker_api) -> set[str]:
    """The tags of this run's images."""
    ours = docker_api.images(filters={"label": f"{support.IMAGE_LABEL}={support.RUN_ID}"})
    return {tag for image in ours for tag in image.get("RepoTags") or []}


ACTION_POSTS = {
    "run": ("/containers/run/", lambda t: run_data(name=f"{t['name']}-run", mode="detach")),
    "stop": ("/containers/{name}/stop/", lambda t: {"timeout": "0"}),
    "bulk": ("/containers/bulk/", lambda t: {"verb": "remove", "containers": [t["name"]]}),
    "prune containers": (
        "/containers/prune/",
        lambda t: {"labels": t["mark"], "expected": t["stopped"]},
    ),
    "pull": ("/images/pull/", lambda t: {"image": f"{support.REGISTRY}/dockside-test/busybox"}),
    "tag": ("/images/{image}/tag/", lambda t: {"target": f"dockside-test/{t['name']}:csrf"}),
}


@pytest.mark.parametrize("action", ACTION_POSTS, ids=list(ACTION_POSTS))
def test_action_post_without_csrf_token_is_forbidden_and_changes_nothing(
    admin_user, make_container, docker_api, action
):
    url, data = ACTION_POSTS[action]
    mark = f"{support.TEST_LABEL}.csrf={uuid.uuid4().hex}"
    key, value = mark.split("=")
    stopped = make_container(hint="csrf-stopped", start=False, labels={key: value})
    targets = {
        "name": make_container(hint="csrf")["Name"][1:],
        "image": docker_api.inspect_image(support.BASE_IMAGE)["Id"][7:19],
        "mark": mark,
        "stopped": stopped["Id"],
    }
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    before, tags_before = support.engine_state(docker_api), tags(docker_api)

    response = strict.post(url.format(**targets), data(targets))

    assert response.status_code == 403
    assert support.engine_state(docker_api) == before
    assert tags(docker_api) == tags_before
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_security_headers_and_httponly_session_cookie(client, django_user_model):
    django_user_model.objects.create_user("learner", password="a-long-pass-42")

    login_page = client.get("/accounts/login/")
    signed_in = client.post(
        "/accounts/login/", {"username": "learner", "password": "a-long-pass-42"}
    )

    assert "script-src 'self'" in login_page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in login_page["Content-Security-Policy"]
    assert login_page["X-Frame-Options"] == "DENY"
    assert login_page["X-Content-Type-Options"] == "nosniff"
    assert login_page["Referrer-Policy"] == "same-origin"
    assert signed_in.cookies["sessionid"]["httponly"]
    assert signed_in.cookies["sessionid"]["samesite"] == "Lax"


def test_pages_have_no_inline_script(admin_client, docker_api):
    html = admin_client.get("/containers/").content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "htmx and dockside.js are loaded"
    assert all("src=" in tag for tag in scripts)
    assert " style=" not in html


def test_setup_page_creates_first_admin_from_loopback_only_once(client):
    assert "Create the first admin" in text(client.get("/accounts/login/").content.decode())
    assert client.get("/setup/", REMOTE_ADDR="192.0.2.10").status_code == 404
    assert client.get("/setup/", HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 404

    response = client.post(
        "/setup/",
        {"username": "boss", "password1": "a-long-pass-42", "password2": "a-long-pass-42"},
    )

    assert response.status_code == 302
    boss = User.objects.get(username="boss")
    assert boss.is_superuser and boss.is_staff
    assert client.session["_auth_user_id"] == str(boss.pk)
    assert client.get("/setup/").status_code == 404
    assert Client().get("/setup/").status_code == 404
    assert "Create the first admin" not in text(Client().get("/accounts/login/").content.decode())


def test_setup_page_rejects_weak_password_at_the_field(client):
    response = client.post("/setup/", {"username": "boss", "password1": "123", "password2": "123"})

    assert response.status_code == 200
    assert "This password is too short" in text(response.content.decode())
    assert not User.objects.exists()


def test_setup_hint_is_printed_only_while_no_user_exists(capsys, django_user_model):
    call_command("setup_hint", url="http://127.0.0.1:8000")
    assert "http://127.0.0.1:8000/setup/" in capsys.readouterr().out

    django_user_model.objects.create_user("someone", password="a-long-pass-42")
    call_command("setup_hint")
    assert capsys.readouterr().out == ""
