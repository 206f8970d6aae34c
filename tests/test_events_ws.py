"""Live events: changes made anywhere, the docker CLI included, reach open pages within a second."""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
import uuid

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.utils.crypto import get_random_string

from containers_app.models import EngineEvent
from tests import support
from tests.pages import text
from tests.test_stats import viewer

pytestmark = pytest.mark.django_db(transaction=True)


async def receive_until(page, predicate, timeout=5.0) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = ""
    while not predicate(seen):
        remaining = deadline - loop.time()
        assert remaining > 0, f"nothing matching arrived; got {seen[-500:]!r}"
        seen += (await page.receive_output(timeout=remaining))["text"]
    return seen


def cli(*args: str) -> float:
    """Run the docker CLI; return when it finished."""
    subprocess.run(["docker", *args], check=True, capture_output=True)
    return time.monotonic()


async def test_a_cli_stop_reaches_the_container_list_within_a_second(cookie, make_container):
    container = make_container(hint="clistop")
    short = container["Id"][:12]
    page = viewer("/ws/events/?page=containers&all=1", cookie)
    await page.connect()
    await asyncio.sleep(0.3)

    done = await asyncio.to_thread(cli, "stop", "-t", "1", container["Id"])
    html = await receive_until(page, lambda s: f'id="c-{short}"' in s and "Exited" in s)
    elapsed = time.monotonic() - done
    await page.disconnect()

    assert elapsed < 1.0, f"{elapsed:.2f} s"
    assert 'hx-swap-oob="outerHTML"' in html
    assert 'id="engine-counts"' in html


async def test_rows_appear_and_disappear_on_the_running_list(cookie, docker_api):
    page = viewer("/ws/events/?page=containers", cookie)
    await page.connect()
    await asyncio.sleep(0.3)
    name = f"{support.NAME_PREFIX}live-{uuid.uuid4().hex[:6]}"

    await asyncio.to_thread(
        cli, "run", "-d", "--network", "none", "--name", name, "-l", f"{support.TEST_LABEL}=1",
        support.BASE_IMAGE, *support.IDLE_COMMAND,
    )  # fmt: skip
    short = docker_api.inspect_container(name)["Id"][:12]
    inserted = await receive_until(page, lambda s: f'id="c-{short}"' in s)
    await asyncio.to_thread(cli, "rm", "-f", name)
    deleted = await receive_until(page, lambda s: 'hx-swap-oob="delete"' in s)
    await page.disconnect()

    assert 'hx-swap-oob="afterbegin:#container-rows"' in inserted and name in inserted
    assert f'<tr id="c-{short}" hx-swap-oob="delete">' in deleted


async def test_the_detail_page_follows_a_rename(cookie, make_container):
    container = make_container(hint="rename-live")
    secret = get_random_string(32)
    cookies = f"{cookie}; csrftoken={secret}"
    page = viewer(f"/ws/events/?page=container&ref={container['Id']}", cookies)
    await page.connect()
    await asyncio.sleep(0.3)
    new_name = f"{support.NAME_PREFIX}renamed-live-{uuid.uuid4().hex[:6]}"

    await asyncio.to_thread(cli, "rename", container["Id"], new_name)
    html = await receive_until(page, lambda s: new_name in s)
    await page.disconnect()

    assert '<div id="container-main" hx-swap-oob="true">' in html
    assert f"docker container inspect {new_name}" in html
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert tokens, "the detail page's forms carry a CSRF token"
    for token in tokens:  # masked, like the page's own: never the bare cookie secret
        assert len(token) == 64 and _unmask_cipher_token(token) == secret


async def test_the_image_list_follows_a_tag(cookie, docker_api):
    page = viewer("/ws/events/?page=images", cookie)
    await page.connect()
    await asyncio.sleep(0.3)
    tag = f"dockside-test/live-tag:{uuid.uuid4().hex[:6]}"

    await asyncio.to_thread(cli, "tag", support.BASE_IMAGE, tag)
    html = await receive_until(page, lambda s: "live-tag" in s)
    await page.disconnect()

    assert '<tbody id="image-rows" hx-swap-oob="true">' in html


async def test_events_are_recorded_and_shown_on_the_events_page(
    cookie, make_container, admin_client
):
    page = viewer("/ws/events/?page=events&type=container&action=kill", cookie)
    await page.connect()
    await asyncio.sleep(0.3)
    container = make_container(hint="recorded")

    await asyncio.to_thread(cli, "kill", container["Id"])
    html = await receive_until(page, lambda s: "kill" in s)
    await page.disconnect()

    assert 'hx-swap-oob="afterbegin:#event-rows"' in html
    assert container["Name"][1:] in html
    assert "start" not in text(html), "the filter keeps only kills"
    recorded = await EngineEvent.objects.filter(actor_id=container["Id"], action="kill").acount()
    assert recorded >= 1
    history = await asyncio.to_thread(
        lambda: admin_client.get("/events/", {"action": "kill"}).content.decode()
    )
    assert container["Name"][1:] in history
