"""Live logs over websockets, against real containers (Channels' WebsocketCommunicator)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.viewers import Viewer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cookie(django_user_model) -> str:
    user = django_user_model.objects.create_user("viewer", password="a-long-pass-42")
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


async def test_tail_then_live_lines(cookie, make_container):
    container = make_container(
        ["sh", "-c", "seq 1 5; sleep 1; echo later; echo oops >&2; sleep 600"], hint="tail"
    )
    viewer = Viewer(f"/ws/containers/{container['Id'][:12]}/logs/?tail=3", cookie)
    connected, _ = await viewer.connect()
    assert connected
    seen = await viewer.read(until=lambda s: {"later", "oops"} <= set(s.texts))
    await viewer.close()

    assert seen.hello["containers"][0]["name"] == container["Name"][1:]
    assert [line[2] for line in seen.lines if line[0] == 1] == ["3", "4", "5", "later"]
    assert [line[2] for line in seen.lines if line[0] == 2] == ["oops"]
    assert "live" in seen.states()
