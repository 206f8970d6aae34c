"""Chromium against a live Daphne: the run form's live command, running, pasting, acting."""

from __future__ import annotations

import re
import subprocess
import uuid

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser


def test_run_form_preview_follows_typing_and_the_container_appears(page, daphne_server, docker_api):
    name = f"{support.NAME_PREFIX}ui-{uuid.uuid4().hex[:8]}"
    page.goto(f"{daphne_server.url}/containers/run/")
    preview = page.locator("#docker-command")
    expect(preview).to_have_text("docker run [OPTIONS] IMAGE [COMMAND] [ARG...]")

    page.get_by_label("Image", exact=True).fill(support.BASE_IMAGE)
    expect(preview).to_have_text(f"docker run -d {support.BASE_IMAGE}")
    page.get_by_label("Name (--name)", exact=True).fill(name)
    page.get_by_label("Command", exact=True).fill("sleep 600")
    page.get_by_label("Network (--network)", exact=True).fill("none")
    page.get_by_label("Labels (-l)").fill(support.RUN_LABEL)
    page.get_by_label("Pull the image").select_option("never")
    expected = (
        f"docker run -d --name {name} --pull never --network none"
        f" -l {support.RUN_LABEL} {support.BASE_IMAGE} sleep 600"
    )
    expect(preview).to_have_text(expected)
    page.get_by_label("Published ports (-p)").fill("99999:80")
    expect(page.locator(".preview-errors")).to_contain_text("out of range")
    page.get_by_label("Published ports (-p)").fill("")
    expect(preview).to_have_text(expected)
    support.screenshot(page, "run-form-filled")

    page.get_by_role("button", name="Run", exact=True).click()

    page.wait_for_url(re.compile(r"/containers/[0-9a-f]{12}/$"))
    container = docker_api.inspect_container(name)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("#messages")).to_contain_text(f"started container {name}")
    assert container["State"]["Running"]
    page.goto(f"{daphne_server.url}/containers/")
    expect(page.locator("#container-table").get_by_role("link", name=name)).to_be_visible()


def test_pasted_command_fills_the_form(page, daphne_server):
    page.goto(f"{daphne_server.url}/containers/run/")
    page.get_by_text("Paste a docker run command").click()
    page.get_by_label("docker run or docker create command").fill(
        "docker run -d --name web -p 127.0.0.1:8080:80 -e MODE=demo --privileged"
        " --isolation hyperv --restart unless-stopped nginx:1.27"
    )

    page.get_by_role("button", name="Fill the form").click()

    expect(page.get_by_label("Image", exact=True)).to_have_value("nginx:1.27")
    assert "MODE" not in page.url and page.url.endswith("/containers/run/"), (
        "posted, not in the URL"
    )
    expect(page.get_by_label("Name (--name)", exact=True)).to_have_value("web")
    expect(page.get_by_label("Published ports (-p)")).to_have_value("127.0.0.1:8080:80")
    expect(page.get_by_label("Environment (-e)")).to_have_value("MODE=demo")
    expect(page.get_by_label("Restart policy")).to_have_value("unless-stopped")
    expect(page.locator("#unsupported-flags")).to_contain_text("--isolation hyperv")
    expect(page.locator("#section-security")).to_have_attribute("open", "")
    expect(page.locator("#docker-command")).to_have_text(
        "docker run -d --name web -p 127.0.0.1:8080:80 -e MODE=demo --restart unless-stopped"
        " --privileged nginx:1.27"
    )
    support.screenshot(page, "run-form-pasted")


def test_stop_button_swaps_the_panel_in_place(page, daphne_server, make_container, docker_api):
    container = make_container(hint="ui-stop")
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/")
    page.on("dialog", lambda dialog: dialog.accept())
    marker = page.evaluate("() => (window.dockside_marker = Math.random())")

    page.get_by_role("button", name="Stop", exact=True).click()

    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Stopped")
    assert page.evaluate("() => window.dockside_marker") == marker, "no page reload"
    assert not docker_api.inspect_container(container["Id"])["State"]["Running"]
    support.screenshot(page, "container-stopped")


def test_exec_form_shows_output(page, daphne_server, make_container):
    container = make_container(hint="ui-exec")
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/exec/")

    page.get_by_label("Command", exact=True).fill("echo hello from $0")
    expect(page.locator("#docker-command")).to_have_text(
        f"docker exec {container['Name'][1:]} echo hello from '$0'"
    )
    page.get_by_role("button", name="Run", exact=True).click()

    expect(page.locator("pre.output")).to_have_text("hello from $0\n")
    expect(page.locator(".result-status")).to_contain_text("exit code 0")


def test_bulk_stop_of_selected_rows_disables_its_buttons_while_in_flight(
    page, daphne_server, make_container, docker_api
):
    chosen = [make_container(hint=f"ui-bulk{i}") for i in range(2)]
    other = make_container(hint="ui-bulk-other")
    held = []
    page.route(re.compile(r"/containers/bulk/"), lambda route: held.append(route))
    questions = []
    answers = iter([False, True])  # no to Remove, yes to Stop

    def answer(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    page.goto(f"{daphne_server.url}/containers/")
    names = [c["Name"][1:] for c in chosen]

    for name in names:
        page.get_by_label(f"Select {name}").check()
    expect(page.locator("[data-selected-count]")).to_have_text("2 selected")
    newest_first = " ".join(reversed(names))
    expect(page.locator('[data-command-for="stop"]')).to_have_text(f"docker stop {newest_first}")
    page.locator("#bulk-form").get_by_role("button", name="Remove", exact=True).click()
    stop = page.locator("#bulk-form").get_by_role("button", name="Stop", exact=True)
    stop.click()

    expect(stop).to_be_disabled()
    assert questions == [
        f"Remove {newest_first.replace(' ', ', ')}? This cannot be undone. Running, so Docker"
        f" refuses them without force: {newest_first.replace(' ', ', ')}.",
        f"Stop {newest_first.replace(' ', ', ')}?",
    ]
    assert len(held) == 1, "the Remove that was answered no sent nothing"
    expect(stop).to_have_attribute("data-disabled-by-htmx", "")
    assert all(docker_api.inspect_container(c["Id"])["State"]["Running"] for c in chosen)
    held[0].continue_()
    expect(page.locator("#messages")).to_contain_text(f"Stopped {newest_first.replace(' ', ', ')}")
    expect(page.locator("[data-selected-count]")).to_have_text("None selected")
    assert not any(docker_api.inspect_container(c["Id"])["State"]["Running"] for c in chosen)
    assert docker_api.inspect_container(other["Id"])["State"]["Running"]


def test_a_live_update_during_an_action_keeps_the_actions_message(
    page, daphne_server, make_container, docker_api
):
    container = make_container(hint="ui-race")
    held = []
    page.route(re.compile(r"/containers/\w+/stop/$"), lambda route: held.append(route))
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/")
    expect(page.locator("#live-state")).to_have_text("Live")
    page.evaluate(
        """() => { window.liveFragments = 0;
        document.addEventListener("htmx:oobBeforeSwap", (event) => {
            if (event.detail.target.id === "container-main") window.liveFragments += 1; }); }"""
    )

    page.get_by_role("button", name="Stop", exact=True).click()
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_disabled()
    subprocess.run(["docker", "stop", "-t", "1", container["Id"]], check=True, capture_output=True)
    page.wait_for_function("() => window.liveFragments > 0")  # the engine's news came first
    held[0].continue_()

    expect(page.locator("#messages")).to_contain_text(f"Stopped {container['Name'][1:]}")
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
