"""Chromium against a live Daphne: the terminal, and pages that follow the engine."""

from __future__ import annotations

import re
import subprocess
import uuid

import pytest
from playwright.sync_api import expect

from tests import support
from tests.test_image_pages import build_image

pytestmark = pytest.mark.browser


def test_terminal_runs_what_is_typed(page, daphne_server, make_container):
    container = make_container(hint="ui-term")
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/terminal/")

    expect(page.locator("[data-terminal-status]")).to_contain_text("Connected")
    expect(page.locator("#docker-command")).to_have_text(
        f"docker exec -it {container['Name'][1:]} /bin/sh"
    )
    page.locator(".xterm").click()
    page.keyboard.type("echo hello; echo $((40+2))")
    page.keyboard.press("Enter")

    rows = page.locator(".xterm-rows")
    expect(rows).to_contain_text("hello")
    expect(rows).to_contain_text("42")
    support.screenshot(page, "terminal")


def running_row_then_cli_stop(page, url: str, container: dict):
    """Open a live list showing the container running, then stop it with the CLI.

    Returns the row's locator and a check that the page was never reloaded.
    """
    page.goto(url)
    row = page.locator(f"#c-{container['Id'][:12]}")
    expect(row).to_contain_text("Up ")
    marker = page.evaluate("() => (window.dockside_marker = Math.random())")
    expect(page.locator("#live-state")).to_have_text("Live")  # no change goes unseen from now
    subprocess.run(["docker", "stop", "-t", "1", container["Id"]], check=True, capture_output=True)
    return row, lambda: page.evaluate("() => window.dockside_marker") == marker


def test_a_cli_stop_changes_the_row_without_a_reload(page, daphne_server, make_container):
    container = make_container(hint="ui-live")

    row, not_reloaded = running_row_then_cli_stop(
        page, f"{daphne_server.url}/containers/?all=1", container
    )

    expect(row).to_contain_text("Exited", timeout=3000)
    assert not_reloaded()
    subprocess.run(["docker", "start", container["Id"]], check=True, capture_output=True)
    expect(row).to_contain_text("Up ", timeout=3000)


def test_the_running_list_drops_a_row_the_cli_stops_without_a_reload(
    page, daphne_server, make_container
):
    container = make_container(hint="ui-drop")

    row, not_reloaded = running_row_then_cli_stop(
        page, f"{daphne_server.url}/containers/", container
    )

    expect(row).not_to_be_attached(timeout=3000)
    assert not_reloaded()
    expect(page.locator("#live-removals")).to_be_empty()


def test_stats_page_draws_live_numbers(page, daphne_server, make_container):
    container = make_container(hint="ui-stats", host_config={"mem_limit": "64m"})
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/stats/")

    expect(page.locator('[data-stat="memory"]')).to_contain_text("/ 64MiB", timeout=6000)
    expect(page.locator(".spark polyline").first).to_be_attached()
    support.screenshot(page, "container-stats")


def test_the_image_page_follows_a_cli_tag_and_removal(page, daphne_server, docker_api):
    marker = uuid.uuid4().hex[:8]
    first = f"dockside-test/ui-image:{marker}"
    second = f"dockside-test/ui-image-again:{marker}"
    dockerfile = f"FROM {support.BASE_IMAGE}\nRUN echo {marker} > /marker\n"
    image_id = build_image(docker_api, dockerfile, first)
    page.goto(f"{daphne_server.url}/images/{image_id}/?tag={first}")
    expect(page.locator("#image-main .chip").first).to_have_text(first)
    loaded = page.evaluate("() => (window.dockside_marker = Math.random())")
    expect(page.locator("#live-state")).to_have_text("Live")

    subprocess.run(["docker", "tag", image_id, second], check=True, capture_output=True)

    expect(page.locator("#image-main .chip", has_text=second)).to_be_visible(timeout=3000)
    subprocess.run(["docker", "rmi", first, second], check=True, capture_output=True)
    expect(page.locator("#image-main")).to_contain_text("This image was removed", timeout=3000)
    assert page.evaluate("() => window.dockside_marker") == loaded, "no reload"


# Closing the page's side of the socket is what the browser itself reports as an error.
@pytest.mark.allow_console("WebSocket connection to")
def test_after_a_dropped_socket_the_page_catches_up_with_what_changed_meanwhile(
    page, daphne_server, make_container
):
    container = make_container(hint="ui-drop-catchup")
    sockets = []

    def through(route) -> None:
        route.connect_to_server()  # passes messages both ways
        sockets.append(route)

    page.route_web_socket(re.compile(r"/ws/events/"), through)
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/")
    state = page.locator("#live-state")
    expect(state).to_have_text("Live")

    sockets[0].close(code=1012)  # "service restart": what a dropped server looks like
    expect(state).to_have_text("Reconnecting…")
    renamed = support.run_name("renamed-meanwhile")
    subprocess.run(["docker", "rename", container["Id"], renamed], check=True, capture_output=True)

    expect(state).to_have_text("Live", timeout=15_000)  # the extension reconnects by itself
    expect(page.get_by_role("heading", level=1)).to_have_text(renamed)
    assert len(sockets) == 2
