"""Chromium against a live Daphne: what people see while they wait, and when something fails."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser


def test_every_banner_names_the_action_that_ran(page, daphne_server, make_container):
    container = make_container(hint="ui-banners")
    name = container["Name"][1:]
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/")
    expect(page.locator("#live-state")).to_have_text("Live")
    messages = page.locator("#messages")

    for button, said, then, state in [
        ("Pause", "Paused", "Unpause", "paused"),
        ("Unpause", "Unpaused", "Pause", "running"),
        ("Stop", "Stopped", "Start", "exited"),
        ("Start", "Started", "Pause", "running"),
        ("Restart", "Restarted", "Pause", "running"),
    ]:
        page.get_by_role("button", name=button, exact=True).click()
        expect(messages).to_have_text(f"{said} {name}.")
        expect(page.get_by_role("button", name=then, exact=True)).to_be_enabled()
        # The engine's events redraw the page after each action: the next click waits for
        # that redraw to land (a click on the part being replaced is a click on nothing).
        expect(page.locator(".page-head .state")).to_have_text(re.compile(rf"^{state}"))
        page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_a_slow_stop_says_what_it_waits_for_and_disables_its_buttons(
    page, daphne_server, make_container, docker_api
):
    # sleep as PID 1 ignores SIGTERM: the stop waits the container's whole stop timeout.
    container = make_container(["sleep", "600"], hint="ui-slowstop", stop_timeout=3)
    name = container["Name"][1:]
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/")
    stop = page.get_by_role("button", name="Stop", exact=True)

    stop.click()

    status = page.locator(".busy-status")
    expect(status).to_contain_text(f"Stopping {name}… since ")
    expect(status).to_contain_text(
        "stop: it sends SIGTERM, waits up to 3 s for the process to exit, then kills it (SIGKILL)."
    )
    expect(stop).to_be_disabled()
    expect(page.get_by_role("button", name="Restart", exact=True)).to_be_disabled()
    expect(status).to_contain_text(re.compile(r"\(([1-9]) s\)\."))  # the seconds count on
    support.screenshot(page, "slow-stop-busy")
    expect(page.locator("#messages")).to_have_text(f"Stopped {name}.", timeout=15_000)
    expect(status).to_have_count(0)
    assert docker_api.inspect_container(container["Id"])["State"]["ExitCode"] == 137


def test_a_stop_timeout_typed_in_the_form_is_what_the_page_says_it_waits(
    page, daphne_server, make_container
):
    container = make_container(["sleep", "600"], hint="ui-stopform")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/stop/")
    page.get_by_label("Seconds to wait before killing (-t)").fill("2")

    page.get_by_role("button", name="Stop", exact=True).click()

    expect(page.locator(".busy-status")).to_contain_text("waits up to 2 s for the process to exit")
    expect(page.locator("#messages")).to_contain_text("Stopped", timeout=15_000)


def test_bulk_bar_shows_each_command_and_remove_names_what_is_running(
    page, daphne_server, make_container, docker_api
):
    running = make_container(hint="ui-bulkrun")
    stopped = make_container(["true"], hint="ui-bulkstop", wait=True)
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.goto(f"{daphne_server.url}/containers/?all=1")
    bar = page.locator("#bulk-form")
    names = [running["Name"][1:], stopped["Name"][1:]]
    expect(bar.locator('[data-command-for="remove"]')).to_have_text("docker rm CONTAINER...")

    for name in names:
        page.get_by_label(f"Select {name}").check()

    chosen = bar.locator('[data-command-for="start"]').inner_text().removeprefix("docker start ")
    assert sorted(chosen.split()) == sorted(names)
    listed = chosen.split()
    expect(bar.locator('[data-command-for="stop"]')).to_have_text(f"docker stop {chosen}")
    expect(bar.locator('[data-command-for="remove"]')).to_have_text(f"docker rm {chosen}")
    bar.get_by_role("button", name="Remove", exact=True).click()
    bar.get_by_label("Force (-f): kill running ones first").check()
    expect(bar.locator('[data-command-for="remove"]')).to_have_text(f"docker rm -f {chosen}")
    bar.get_by_role("button", name="Remove", exact=True).click()

    assert questions == [
        f"Remove {', '.join(listed)}? This cannot be undone. Running, so Docker refuses them"
        f" without force: {names[0]}.",
        f"Remove {', '.join(listed)}? This cannot be undone. Running, so killed first"
        f" (docker rm -f): {names[0]}.",
    ]
    assert all(docker_api.inspect_container(c["Id"]) for c in (running, stopped)), "both kept"
    support.screenshot(page, "bulk-bar")


def test_bulk_remove_without_force_refuses_running_ones_as_the_container_page_does(
    page, daphne_server, make_container, docker_api
):
    running = make_container(hint="ui-bulkkeep")
    stopped = make_container(["true"], hint="ui-bulkgo", wait=True)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{daphne_server.url}/containers/?all=1")
    for container in (running, stopped):
        page.get_by_label(f"Select {container['Name'][1:]}").check()

    page.locator("#bulk-form").get_by_role("button", name="Remove", exact=True).click()

    messages = page.locator("#messages")
    expect(messages).to_contain_text(f"Removed {stopped['Name'][1:]}.")
    expect(messages).to_contain_text(
        f"{running['Name'][1:]}: The container is running, so Docker will not remove it."
    )
    assert docker_api.inspect_container(running["Id"])["State"]["Running"]
