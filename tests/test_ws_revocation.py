"""A user's open websockets (terminal, logs, live pages) close at once when they sign out,
are deactivated, or get a new role or password; a terminal also looks again by itself."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from access.models import Membership
from containers_app.consumers import terminal
from tests import support
from tests.viewers import connect_to

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, f"sessionid={client.cookies['sessionid'].value}"


async def open_sockets(container: dict, cookie: str) -> dict:
    short = container["Id"][:12]
    sockets = {
        "terminal": connect_to(f"/ws/containers/{short}/exec/", cookie),
        "logs": connect_to(f"/ws/containers/{short}/logs/", cookie),
        "events": connect_to("/ws/events/", cookie),
    }
    for name, socket in sockets.items():
        connected, _ = await socket.connect(timeout=10)
        assert connected, name
    first = await sockets["terminal"].receive_json_from(timeout=10)
    assert first["state"] == "open", first
    return sockets


async def closed_with(socket, timeout: float = 10) -> tuple[int, str]:
    """Read until the socket closes; its code and reason."""
    while True:
        message = await socket.receive_output(timeout=timeout)
        if message["type"] == "websocket.close":
            return message.get("code"), message.get("reason", "")


async def still_open(socket, quiet: float = 0.5) -> bool:
    """Whether the socket goes on: what it sends is read until it has been quiet a while."""
    while not await socket.receive_nothing(timeout=quiet):
        if (await socket.receive_output())["type"] == "websocket.close":
            return False
    return True


def _admin() -> Client:
    admin = support.user_with_role("admin", "chief")
    client = Client()
    client.force_login(admin)
    return client


CHANGES = {
    "signs out": (lambda own, admin, user: own.post("/accounts/logout/"), "signed out"),
    "is deactivated": (
        lambda own, admin, user: admin.post(f"/access/users/{user.pk}/", {"do": "deactivate"}),
        "the account was deactivated",
    ),
    "gets another role": (
        lambda own, admin, user: admin.post(
            f"/access/users/{user.pk}/", {"do": "role", "role": "viewer"}
        ),
        "the role changed",
    ),
    "gets a new password": (
        lambda own, admin, user: admin.post(
            f"/access/users/{user.pk}/",
            {"do": "password", "password1": "Another-pass-77", "password2": "Another-pass-77"},
        ),
        "the password was changed",
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
async def test_open_sockets_close_at_once_when_the_user(change, make_container):
    container = make_container(hint="revoke")
    user = await sync_to_async(support.user_with_role)("operator", "ops")
    own, cookie = await sync_to_async(signed_in)(user)
    admin = await sync_to_async(_admin)()
    _, other_cookie = await sync_to_async(signed_in)(
        await sync_to_async(support.user_with_role)("operator", "bystander")
    )
    sockets = await open_sockets(container, cookie)
    bystander = connect_to(f"/ws/containers/{container['Id'][:12]}/logs/", other_cookie)
    assert (await bystander.connect(timeout=10))[0]
    do, reason = CHANGES[change]

    answer = await sync_to_async(do)(own, admin, user)

    assert answer.status_code == 302
    for name, socket in sockets.items():
        code, said = await closed_with(socket)
        assert (code, said) == (4401, reason), name
    assert await still_open(bystander), "another user's socket stays open"
    await bystander.disconnect()


async def test_a_terminal_looks_again_by_itself(make_container, monkeypatch):
    """A change that sends no signal (here: the role row edited behind Dockside's back)."""
    monkeypatch.setattr(terminal, "RECHECK_SECONDS", 0.2)
    container = make_container(hint="recheck")
    user = await sync_to_async(support.user_with_role)("operator", "ops")
    _, cookie = await sync_to_async(signed_in)(user)
    sockets = await open_sockets(container, cookie)

    await sync_to_async(Membership.objects.filter(user=user).update)(role="viewer")

    code, reason = await closed_with(sockets["terminal"])
    assert (code, reason) == (4401, "the account's role no longer allows terminals")
    for name in ("logs", "events"):
        await sockets[name].disconnect()


async def test_removing_an_account_without_a_role_row_closes_its_sockets(
    make_container, django_user_model
):
    container = make_container(hint="removed")
    user = await sync_to_async(django_user_model.objects.create_user)("plain", password="x-42-long")
    _, cookie = await sync_to_async(signed_in)(user)
    admin = await sync_to_async(_admin)()
    socket = connect_to(f"/ws/containers/{container['Id'][:12]}/logs/", cookie)
    assert (await socket.connect(timeout=10))[0]

    answer = await sync_to_async(admin.post)(f"/access/users/{user.pk}/", {"do": "delete"})

    assert answer.status_code == 302
    assert await closed_with(socket) == (4401, "the account was removed")
