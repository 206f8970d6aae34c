"""Fixtures: the real engine, the base image, labelled containers, a live Daphne, Chromium."""

from __future__ import annotations

import contextlib
import os
import random
import uuid
from collections.abc import Callable, Iterator

import docker
import pytest

from tests import second_engine as engines_support
from tests import support

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def docker_api() -> Iterator[docker.APIClient]:
    """The real engine, with this run's base image; everything of this run's goes at the end.

    Leftovers of crashed earlier runs go first, never what a run still going has made.
    """
    api = support.docker_api()
    support.remove_leftovers(api)
    support.import_base_image(api)
    try:
        yield api
    finally:
        support.remove_run_objects(api)


def unique_name(hint: str = "c") -> str:
    return support.run_name(hint)


@pytest.fixture
def make_container(docker_api) -> Iterator[Callable[..., dict]]:
    """Create (and by default start) a labelled container; returns its `docker inspect`.

    Containers have no network unless `network_mode` or `ports` ask for one;
    published ports bind to 127.0.0.1 only.
    """
    made: list[str] = []

    def make(
        command: list[str] | str | None = None,
        *,
        hint: str = "c",
        start: bool = True,
        wait: bool = False,
        labels: dict | None = None,
        image: str = support.BASE_IMAGE,
        host_config: dict | None = None,
        **create_kwargs,
    ) -> dict:
        host_kwargs = {"network_mode": "none", **(host_config or {})}
        for port_spec in (host_kwargs.get("port_bindings") or {}).values():
            assert port_spec[0] == "127.0.0.1", "tests publish ports on loopback only"
        container = docker_api.create_container(
            image,
            command=command if command is not None else support.IDLE_COMMAND,
            name=unique_name(hint),
            labels=support.run_labels(**(labels or {})),
            host_config=docker_api.create_host_config(**host_kwargs),
            **create_kwargs,
        )
        made.append(container["Id"])
        if start:
            docker_api.start(container["Id"])
        if wait:
            docker_api.wait(container["Id"], timeout=30)
        return docker_api.inspect_container(container["Id"])

    yield make
    for container_id in made:
        with contextlib.suppress(docker.errors.NotFound):
            docker_api.remove_container(container_id, force=True, v=True)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """The suite signs in hundreds of times: a cheap hash (never outside tests) saves minutes."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def loopback_registries_only():
    """Pulls and pushes may reach the run's own registries only: nothing in the suite may
    contact Docker Hub."""
    from django.conf import settings

    settings.DOCKSIDE_ALLOWED_REGISTRIES = [support.REGISTRY, support.AUTH_REGISTRY]
    os.environ["DOCKSIDE_ALLOWED_REGISTRIES"] = f"{support.REGISTRY},{support.AUTH_REGISTRY}"


@pytest.fixture(scope="session")
def registry(docker_api, tmp_path_factory) -> Iterator[str]:
    """This run's registry on a free loopback port, holding the base image as
    dockside-test/busybox:latest."""
    with support.local_registry(tmp_path_factory.mktemp("registry")) as address:
        support.push_to_registry(docker_api, support.BASE_IMAGE, "dockside-test/busybox", "latest")
        yield address


@pytest.fixture(scope="session")
def auth_registry(docker_api, tmp_path_factory) -> Iterator[support.AuthRegistry]:
    """A registry of this run's that asks for a login (htpasswd, bcrypt)."""
    with support.auth_registry(tmp_path_factory.mktemp("auth-registry")) as running:
        yield running


@pytest.fixture(scope="session")
def daphne_server(docker_api, tmp_path_factory) -> Iterator[support.LiveServer]:
    """Dockside on Daphne, as `make run` starts it, on a free loopback port."""
    with support.live_daphne(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def second_engine(docker_api, tmp_path_factory) -> Iterator[engines_support.SecondEngine]:
    """Another dockerd of this run's: its own socket, data, bridge subnet and TLS port."""
    with engines_support.second_engine(tmp_path_factory.mktemp("engine2")) as engine:
        yield engine


@pytest.fixture(scope="session")
def ssh_gateway(second_engine, tmp_path_factory) -> Iterator[engines_support.SshGateway]:
    """sshd on loopback whose one key reaches the second engine (`docker system dial-stdio`)."""
    with engines_support.ssh_gateway(tmp_path_factory.mktemp("ssh"), second_engine) as gateway:
        yield gateway


@pytest.fixture
def cookie(django_user_model) -> str:
    """The session cookie of a signed-in operator (who may open terminals), for websocket
    tests."""
    return session_cookie(support.user_with_role("operator"))


def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.fixture
def viewer_client(django_user_model):
    from django.test import Client

    client = Client()
    client.force_login(support.user_with_role("viewer"))
    return client


@pytest.fixture
def operator_client(django_user_model):
    from django.test import Client

    client = Client()
    client.force_login(support.user_with_role("operator"))
    return client


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, daphne_server, request) -> Iterator:
    """A Chromium page signed in to the live server; a screenshot is kept if the test fails."""
    options = {"viewport": {"width": 1280, "height": 900}}
    for marker in request.node.iter_markers("page_options"):
        options.update(marker.kwargs)
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    console_errors: list[str] = []
    provoked = tuple(marker.args[0] for marker in request.node.iter_markers("allow_console"))

    def console(message) -> None:
        # htmx reports a preview it aborted for a newer one (hx-sync replace) as an error.
        aborted = message.text.startswith(("htmx:sendAbort", "htmx:afterRequest", *provoked))
        if message.type == "error" and not aborted:
            console_errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    page.goto(f"{daphne_server.url}/accounts/login/")
    page.get_by_label("Username").fill(support.ADMIN_USERNAME)
    page.get_by_label("Password").fill(support.ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{daphne_server.url}/containers/")
    yield page
    if getattr(request.node, "rep_call", None) and request.node.rep_call.failed:
        support.screenshot(page, f"{request.node.name}-failure")
    context.close()
    assert not console_errors, f"the browser reported errors (CSP, scripts): {console_errors}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests last: Playwright's sync API keeps an event loop running from the first
    browser test on, and an asyncio test after it could not start its own."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="module")
def places(docker_api, tmp_path_factory):
    """A network with a subnet, a named volume, a container to link to and files to read."""
    key = uuid.uuid4().hex[:6]
    network = f"{support.NAME_PREFIX}net-{key}"
    for _ in range(20):  # a free /24 (another run may hold one)
        subnet = f"10.{random.randint(100, 250)}.{random.randint(0, 255)}"
        try:
            docker_api.create_network(
                network,
                labels=support.run_labels(),
                ipam=docker.types.IPAMConfig(
                    pool_configs=[docker.types.IPAMPool(subnet=f"{subnet}.0/24")]
                ),
            )
            break
        except docker.errors.APIError:
            continue
    other = f"{support.NAME_PREFIX}other-{key}"
    docker_api.create_container(
        support.BASE_IMAGE,
        ["true"],
        name=other,
        labels=support.run_labels(),
        host_config=docker_api.create_host_config(network_mode="none"),
    )
    folder = tmp_path_factory.mktemp("files")
    (folder / "app.env").write_text("# settings\nGREETING=hello world \nEMPTY=\n")
    (folder / "labels").write_text("com.example.from-file=yes\n")
    return {
        "tmp": str(folder),
        "volume": f"{support.NAME_PREFIX}vol-{key}",
        "network": network,
        "subnet": subnet,
        "other": other,
        "env_file": str(folder / "app.env"),
        "label_file": str(folder / "labels"),
    }


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """Each test its own channel layer: a Redis layer's connections belong to the event loop
    of the test that opened them, and that loop is closed when the test ends."""
    yield
    from channels.layers import channel_layers

    channel_layers.backends.clear()
