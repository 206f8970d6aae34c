"""Requests Dockside cannot read are a 4xx that says why, never a 500 or a traceback in the log."""

from __future__ import annotations

import asyncio
import logging

import pytest
import requests
import websockets
from django.test import Client

from tests.pages import text
from tests.test_ws_access import socket
from tests.viewers import ORIGIN

pytestmark = pytest.mark.django_db

CHARSETS = ["latin-1", "utf-16", "utf8", "ISO-8859-1"]


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("path", ["/accounts/login/", "/containers/run/"])
def test_a_form_not_in_utf8_is_a_400_that_says_so(admin_user, caplog, path, charset):
    client = Client(enforce_csrf_checks=True)
    if path != "/accounts/login/":
        client.force_login(admin_user)
    client.get(path)
    body = f"username=a&password=b&csrfmiddlewaretoken={client.cookies['csrftoken'].value}"

    with caplog.at_level(logging.INFO):
        response = client.post(
            path, body, content_type=f"application/x-www-form-urlencoded; charset={charset}"
        )

    assert response.status_code == 400
    assert "Dockside reads forms in UTF-8 only" in text(response.content.decode())
    assert not [r for r in caplog.records if r.exc_info], "no traceback is logged"


def test_a_utf8_form_with_its_charset_named_is_read_as_usual(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value

    response = client.post(
        "/accounts/login/",
        f"username=admin&password=password&csrfmiddlewaretoken={token}",
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )

    assert response.status_code == 302, "signed in"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/", "/ws/nonexistent/", "/", "/ws/containers/"])
async def test_an_unknown_websocket_path_is_refused_at_the_handshake(cookie, path, caplog):
    communicator = socket(path, ORIGIN, cookie)

    with caplog.at_level(logging.INFO):
        connected, _ = await communicator.connect()

    assert connected is False
    assert not [r for r in caplog.records if r.exc_info]


def log_since(server, offset: int) -> str:
    return server.log_path.read_bytes()[offset:].decode("utf-8", "replace")


async def test_against_daphne_both_are_4xx_and_nothing_is_logged_as_a_failure(daphne_server):
    offset = daphne_server.log_path.stat().st_size
    session = requests.Session()
    login = f"{daphne_server.url}/accounts/login/"
    session.get(login, timeout=10)
    token = session.cookies["csrftoken"]

    def post(charset: str) -> int:
        return session.post(
            login,
            data=f"username=a&password=b&csrfmiddlewaretoken={token}",
            headers={
                "Content-Type": f"application/x-www-form-urlencoded; charset={charset}",
                "Referer": login,
            },
            timeout=10,
        ).status_code

    statuses = [await asyncio.to_thread(post, charset) for charset in ("latin-1", "utf-16")]
    ws = daphne_server.url.replace("http://", "ws://")
    refusals = []
    for path in ("/ws/", "/ws/nonexistent/"):
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(ws + path, origin=daphne_server.url):
                pass
        refusals.append(refused.value.response.status_code)

    assert statuses == [400, 400]
    assert refusals == [403, 403]
    logged = log_since(daphne_server, offset)
    assert "Traceback" not in logged and "Internal Server Error" not in logged, logged
