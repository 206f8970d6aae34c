"""Every websocket route refuses anonymous viewers (4401) and other origins (no handshake)."""

from __future__ import annotations

import re

import pytest
from channels.testing import WebsocketCommunicator

from containers_app.routing import websocket_urlpatterns
from tests.viewers import ORIGIN, application

pytestmark = pytest.mark.django_db(transaction=True)


def sample_paths(container_id: str) -> list[str]:
    return [
        "/" + re.sub(r"<str:\w+>", container_id, str(pattern.pattern))
        for pattern in websocket_urlpatterns
    ]


def test_the_walk_sees_every_websocket_route():
    paths = sample_paths("x")
    assert {"/ws/containers/x/logs/", "/ws/containers/x/exec/", "/ws/containers/x/stats/"} <= set(
        paths
    )
    assert {"/ws/events/", "/ws/stats/", "/ws/logs/"} <= set(paths)


async def test_every_websocket_route_closes_anonymous_viewers_with_4401(make_container):
    container = make_container(hint="wsanon")
    for path in sample_paths(container["Id"][:12]):
        socket = WebsocketCommunicator(
            application, path, headers=[(b"host", b"127.0.0.1:8000"), (b"origin", ORIGIN)]
        )
        _connected, _ = await socket.connect()
        closing = await socket.receive_output(timeout=5)
        assert closing["type"] == "websocket.close" and closing["code"] == 4401, (path, closing)
        await socket.disconnect()


async def test_every_websocket_route_refuses_other_origins(cookie, make_container):
    container = make_container(hint="wsorigin")
    for path in sample_paths(container["Id"][:12]):
        headers = [
            (b"host", b"127.0.0.1:8000"),
            (b"origin", b"https://evil.example"),
            (b"cookie", cookie.encode()),
        ]
        socket = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await socket.connect()
        assert connected is False, path
