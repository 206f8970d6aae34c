"""Two Dockside processes, one Dockside: both on one PostgreSQL database and one Redis,
each a Daphne of its own. A change made through one reaches a browser on the other
within a second; a sign-out through one closes the other's websockets; a job started
through one is watched through the other; `manage.py serve --workers 2` answers on one
address.

They need the servers DOCKSIDE_TEST_DATABASE_URL (a user who may create databases) and
DOCKSIDE_TEST_REDIS_URL name (.ci/run starts both); without them these tests are skipped,
unless DOCKSIDE_REQUIRE_BACKENDS=1 (CI), where that is a failure."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest
import requests
import websockets
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser


@pytest.fixture
def two_processes(docker_api, tmp_path):
    """Dockside A and B: one data directory (one secret key), one database, one Redis."""
    database, redis = support.backend_urls()
    with ExitStack() as stack:
        url = stack.enter_context(support.fresh_postgres(database))
        env = {
            "DATABASE_URL": url,
            "REDIS_URL": redis,
            "DOCKSIDE_REDIS_PREFIX": f"dockside-test-{uuid.uuid4().hex[:8]}",
        }
        first = stack.enter_context(support.live_daphne(tmp_path, env))
        second = stack.enter_context(support.live_daphne(tmp_path, env, setup=False))
        yield first, second


def sign_in(browser, server: support.LiveServer):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Username").fill(support.ADMIN_USERNAME)
    page.get_by_label("Password").fill(support.ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/containers/"))
    return page


def test_a_change_through_one_process_reaches_a_browser_on_the_other_within_a_second(
    browser, two_processes, make_container
):
    first, second = two_processes
    container = make_container(hint="scale-out", start=False)
    short = container["Id"][:12]
    page = sign_in(browser, second)
    try:
        page.goto(f"{second.url}/containers/?all=1")
        row = page.locator(f"#c-{short}")
        expect(row).to_contain_text("Created")
        expect(page.locator("#live-state")).to_have_text("Live")
        session = first.login()

        answer = support.post(session, f"{first.url}/containers/{short}/start/", {})

        assert answer.status_code == 200, answer.status_code
        expect(row).to_contain_text("Up ", timeout=1000)
        page.goto(f"{second.url}/audit/")
        expect(page.locator("main")).to_contain_text(f"{container['Name'][1:]}")
    finally:
        page.context.close()


def test_a_sign_out_through_one_process_closes_the_others_websockets(two_processes):
    first, second = two_processes
    session = first.login()
    cookie = f"sessionid={session.cookies['sessionid']}"
    origin = second.url
    address = f"ws://{urlsplit(second.url).netloc}/ws/events/?page=events"

    async def watch_then_sign_out() -> int:
        async with websockets.connect(
            address, origin=origin, additional_headers={"Cookie": cookie}
        ) as socket:
            first_message = await asyncio.wait_for(socket.recv(), 5)
            assert "live-state" in first_message
            await asyncio.to_thread(support.post, session, f"{first.url}/accounts/logout/", {})
            began = time.monotonic()
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(socket.recv(), 5)
            assert time.monotonic() - began < 1.0, "closed within a second"
            return closed.value.rcvd.code

    with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's runs in this one
        assert thread.submit(asyncio.run, watch_then_sign_out()).result(30) == 4401


def test_a_stack_run_started_through_one_process_is_watched_through_the_other(
    two_processes,
):
    first, second = two_processes
    session = first.login()
    project = support.run_name("scale-stack").replace(".", "-")
    compose = (
        f"services:\n  web:\n    image: {support.BASE_IMAGE}\n"
        f'    command: ["sleep", "600"]\n    stop_signal: SIGKILL\n'
        f'    labels: {{{support.TEST_LABEL}: "{support.RUN_ID}"}}\n    network_mode: none\n'
    )
    saved = support.post(session, f"{first.url}/stacks/new/", {"name": project, "compose": compose})
    assert saved.url.endswith(f"/stacks/{project}/"), saved.url
    try:
        up = support.post(session, f"{first.url}/stacks/{project}/up/", {})
        path = urlsplit(up.url).path
        assert "/runs/" in path, up.url
        deadline = time.monotonic() + 60
        seen = ""
        while time.monotonic() < deadline and 'state-running">done' not in seen:
            seen = session.get(f"{second.url}{path}", timeout=10).text  # the other process
            time.sleep(0.2)
        assert 'state-running">done' in seen, seen[-2000:]
        assert f"-p {project}" in seen
        listed = session.get(f"{second.url}/stacks/{project}/", timeout=10).text
        assert path in listed, "the other process lists the run among the recent ones"
    finally:
        support.post(session, f"{first.url}/stacks/{project}/down/", {})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and support.docker_api().containers(
            all=True, filters={"label": f"com.docker.compose.project={project}"}
        ):
            time.sleep(0.5)


def test_serve_with_two_workers_answers_on_one_address(docker_api, tmp_path):
    database, redis = support.backend_urls()
    with (
        support.fresh_postgres(database) as url,
        support.live_daphne(
            tmp_path,
            {"DATABASE_URL": url, "REDIS_URL": redis, "DOCKSIDE_METRICS": "public"},
            workers=2,
        ) as server,
    ):
        session = server.login()
        for _ in range(20):
            assert session.get(f"{server.url}/containers/", timeout=10).status_code == 200
        ready = requests.get(f"{server.url}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["channel_layer"]["ok"]
        counted = sum(
            float(line.rsplit(" ", 1)[1])
            for line in requests.get(f"{server.url}/metrics", timeout=10).text.splitlines()
            if line.startswith("dockside_http_requests_total{")
            and 'route="containers/"' in line
            and 'status="200"' in line
        )
        assert counted >= 20, "both workers' requests, added up"
