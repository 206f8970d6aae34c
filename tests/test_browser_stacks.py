"""Chromium against a live Daphne: a two-service stack written in the browser, brought up
with the Compose tool's output streaming in, a service scaled to 2 and restarted, its
logs seen in the merged view, the file edited and redeployed, then taken down with its
volume."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import support
from tests.stack_files import two_services
from tests.test_stacks import compose

pytestmark = pytest.mark.browser


def finish_run(page, project: str) -> None:
    """On a run's page: its output streams in, it ends done, and leads back to the stack."""
    page.wait_for_url(re.compile(rf"/stacks/{project}/runs/[0-9a-f]{{32}}/"))
    expect(page.locator(".pull-state .state")).to_have_text("done", timeout=60_000)
    page.get_by_role("link", name=f"Back to {project}").click()
    page.wait_for_url(re.compile(rf"/stacks/{project}/$"))
    expect(page.locator("#request-failed")).to_be_hidden()


def test_a_stack_is_written_brought_up_scaled_edited_and_taken_down(page, daphne_server):
    project = support.run_name("browser-stack").replace(".", "-")
    text = two_services('["sh", "-c", "echo hello from $$HOSTNAME; sleep 600"]')
    page.goto(f"{daphne_server.url}/stacks/")
    page.get_by_role("link", name="Create a stack").click()
    page.get_by_label("Name (the Compose project)").fill(project)
    editor = page.get_by_label("compose.yaml", exact=True)
    editor.fill(text)
    expect(page.locator(".numbered .gutter").first).to_contain_text(str(text.count("\n") + 1))
    expect(page.locator("#docker-command")).to_contain_text(f"-p {project} -f compose.yaml")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{daphne_server.url}/stacks/{project}/")
    expect(page.locator("#messages")).to_contain_text(f"Saved {project}")
    try:
        page.get_by_role("link", name="Up…").click()
        expect(page.locator("#docker-command")).to_contain_text("--env-file .env up -d")
        page.get_by_role("button", name="Up", exact=True).click()
        page.wait_for_url(re.compile(rf"/stacks/{project}/runs/[0-9a-f]{{32}}/"))
        output = page.locator("#run-progress pre.output")
        expect(output).to_contain_text(f"-p {project} -f compose.yaml --env-file .env up -d")
        expect(page.locator(".pull-state .state")).to_have_text("done", timeout=60_000)
        expect(output).to_contain_text(re.compile(r"Creating|Created|Started"))
        support.screenshot(page, "stack-up")
        page.get_by_role("link", name=f"Back to {project}").click()
        expect(page.locator("#service-web")).to_contain_text("1 of 1 running")
        expect(page.locator("#service-worker")).to_contain_text("1 of 1 running")
        expect(page.locator("#made")).to_contain_text(f"{project}_data")
        expect(page.locator("#as-run-web")).to_contain_text("docker run -d --name")

        page.locator("#service-web").get_by_role("link", name="Scale…").click()
        page.get_by_label("Containers").fill("2")
        expect(page.locator("#docker-command")).to_contain_text("--scale web=2 web")
        page.get_by_role("button", name="Scale", exact=True).click()
        finish_run(page, project)
        expect(page.locator("#service-web")).to_contain_text("2 of 2 running")
        support.screenshot(page, "stack-page")

        page.locator("#service-web").get_by_role("link", name="Logs").click()
        logs = page.locator("[data-log]")
        expect(logs).to_contain_text(re.compile(r"hello from \w+[\s\S]*hello from \w+"))
        expect(page.locator("#request-failed")).to_be_hidden()
        page.go_back()
        expect(page.locator("#request-failed")).to_be_hidden()

        page.locator("#service-web").get_by_role("link", name="Restart…").click()
        page.get_by_role("button", name="Restart", exact=True).click()
        finish_run(page, project)

        page.get_by_role("link", name="Edit the files…").click()
        page.get_by_label("compose.yaml", exact=True).fill(
            text.replace('    command: ["sleep", "600"]', '    command: ["sleep", "601"]')
        )
        page.get_by_role("button", name="Save", exact=True).click()
        page.wait_for_url(f"{daphne_server.url}/stacks/{project}/")
        page.get_by_role("link", name="Up…").click()
        page.get_by_role("button", name="Up", exact=True).click()
        finish_run(page, project)
        expect(page.locator("#service-web")).to_contain_text("1 of 1 running")
        expect(page.locator("#as-run-worker")).to_contain_text("sleep 601")

        page.get_by_role("link", name="Down…").click()
        page.get_by_label(re.compile("Remove its volumes too")).check()
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Down", exact=True).click()
        finish_run(page, project)
        expect(page.locator("main")).to_contain_text("the stack is down")
        expect(page.locator("#made")).not_to_contain_text(f"{project}_data")
        expect(page.locator("#made")).to_contain_text("None")
    finally:
        directory = daphne_server.data_dir / "stacks" / project
        if directory.is_dir():
            compose(directory, project, "down", "-v", "--timeout", "1")


@pytest.mark.page_options(viewport={"width": 360, "height": 740})
def test_a_pasted_docker_run_fills_the_files_on_a_phone(page, daphne_server):
    page.goto(f"{daphne_server.url}/stacks/new/")
    page.get_by_text("Start from a container or a docker run command").click()
    page.get_by_label("Or a docker run command").fill(
        f"docker run -d --name shop -e SHOP_PASSWORD=hunter2 {support.BASE_IMAGE} sleep 600"
    )
    page.get_by_role("button", name="Fill the files from it").last.click()

    expect(page.locator("#start-filled")).to_be_visible()
    expect(page.get_by_label("Name (the Compose project)")).to_have_value("shop")
    editor = page.get_by_label("compose.yaml", exact=True)
    expect(editor).to_have_value(re.compile(r'SHOP_PASSWORD: "\$\{SHOP_PASSWORD\}"'))
    expect(page.get_by_label(re.compile(r"^\.env"))).to_have_value("SHOP_PASSWORD=hunter2\n")
    lines = editor.input_value().count("\n") + 1
    expect(page.locator(".numbered .gutter").first).to_contain_text(str(lines))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    support.screenshot(page, "stack-from-paste-phone")
