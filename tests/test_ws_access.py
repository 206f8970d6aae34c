"""Every websocket route: anonymous viewers get 4401; only Dockside's exact origin is let in."""

from __future__ import annotations

import asyncio
import re

import pytest
import websockets

from containers_app.routing import websocket_urlpatterns
from dashboard.origin import parse_origin
from tests.viewers import HOST, ORIGIN, connect_to

pytestmark = pytest.mark.django_db(transaction=True)

# What a page elsewhere sends: another port (any local process), another scheme, a
# sandboxed or file: page (`null`), no origin at all, and another site.
FOREIGN_ORIGINS = {
    "another port": b"http://127.0.0.1:8765",
    "another scheme": b"https://127.0.0.1:8000",
    "null": b"null",
    "missing": None,
    "another host": b"http://localhost:8000",
    "another site": b"https://evil.example",
}


def sample_paths(container_id: str) -> list[str]:
    paths = []
    for pattern in websocket_urlpatterns:
        route = str(pattern.pattern)
        if route:  # the catch-all for unknown paths has its own test
            paths.append("/" + re.sub(r"<str:\w+>", container_id, route))
    return paths


def socket(path: str, origin: bytes | None, cookie: str | None = None, host: bytes = HOST):
    return connect_to(path, cookie, origin, host)


def test_the_walk_sees_every_websocket_route():
    paths = sample_paths("x")
    assert {"/ws/containers/x/logs/", "/ws/containers/x/exec/", "/ws/containers/x/stats/"} <= set(
        paths
    )
    assert {"/ws/events/", "/ws/stats/", "/ws/logs/"} <= set(paths)
    assert len(paths) == len(websocket_urlpatterns) - 1


async def test_every_websocket_route_closes_anonymous_viewers_with_4401(make_container):
    container = make_container(hint="wsanon")
    for path in sample_paths(container["Id"][:12]):
        communicator = socket(path, ORIGIN)
        connected, _ = await communicator.connect()
        closing = await communicator.receive_output(timeout=5)
        assert connected, f"{path}: the site's own origin passes"
        assert closing["type"] == "websocket.close" and closing["code"] == 4401, (path, closing)
        await communicator.disconnect()


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS.values(), ids=list(FOREIGN_ORIGINS))
async def test_every_websocket_route_refuses_every_other_origin(cookie, make_container, origin):
    container = make_container(hint="wsorigin")
    for path in sample_paths(container["Id"][:12]):
        communicator = socket(path, origin, cookie)
        connected, _ = await communicator.connect()
        assert connected is False, f"{path} let in {origin!r} with a signed-in user's cookie"


async def test_a_host_outside_allowed_hosts_is_refused_even_with_its_own_origin(cookie):
    # DNS rebinding: evil.example resolving to 127.0.0.1 sends a matching Host and Origin.
    communicator = socket("/ws/events/", b"http://evil.example:8000", cookie, b"evil.example:8000")

    connected, _ = await communicator.connect()

    assert connected is False


async def test_a_trusted_origin_behind_a_proxy_is_let_in(cookie, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://dockside.example.com"]
    trusted = socket("/ws/events/?page=events", b"https://dockside.example.com", cookie)
    wrong_port = socket("/ws/events/?page=events", b"https://dockside.example.com:8443", cookie)

    connected, _ = await trusted.connect()
    refused, _ = await wrong_port.connect()
    await trusted.disconnect()

    assert connected is True
    assert refused is False


async def test_https_behind_a_proxy_takes_the_forwarded_scheme(cookie, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    forwarded = connect_to(
        "/ws/events/?page=events",
        cookie,
        b"https://127.0.0.1:8000",
        extra=((b"x-forwarded-proto", b"https"),),
    )
    plain = socket("/ws/events/?page=events", b"https://127.0.0.1:8000", cookie)

    connected, _ = await forwarded.connect()
    refused, _ = await plain.connect()
    await forwarded.disconnect()

    assert connected is True
    assert refused is False, "without the proxy's word, the socket is plain http"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("http://127.0.0.1:8000", ("http", "127.0.0.1", 8000)),
        ("HTTP://LocalHost", ("http", "localhost", 80)),
        ("https://example.com", ("https", "example.com", 443)),
        ("http://[::1]:8000", ("http", "::1", 8000)),
        ("null", None),
        ("", None),
        ("file://", None),
        ("ws://127.0.0.1:8000", None),
        ("http://127.0.0.1:99999", None),
        ("http://127.0.0.1:8000/path", None),
    ],
)
def test_origins_are_compared_by_scheme_host_and_port(text, parsed):
    assert parse_origin(text) == parsed


async def test_against_daphne_another_port_gets_a_403_and_the_own_origin_gets_in(daphne_server):
    session = await asyncio.to_thread(daphne_server.login)
    cookie = f"sessionid={session.cookies['sessionid']}"
    url = daphne_server.url.replace("http://", "ws://") + "/ws/events/?page=events"
    other_port = daphne_server.url.rsplit(":", 1)[0] + ":8765"

    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(
            url, origin=other_port, additional_headers={"Cookie": cookie}
        ):
            pass
    async with websockets.connect(
        url, origin=daphne_server.url, additional_headers={"Cookie": cookie}
    ) as own:
        first = await asyncio.wait_for(own.recv(), 10)

    assert refused.value.response.status_code == 403
    assert 'id="live-state"' in first, "the page's socket opened and said it is live"
