"""Chromium against a live Daphne: a stack written in the browser, brought up with the
Compose tool's output streaming in, then its page with both services."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import support
from tests.test_stacks import COMPOSE_FILE, compose

pytestmark = pytest.mark.browser


def test_a_stack_is_written_brought_up_and_shown(page, daphne_server):
    project = support.run_name("browser-stack").replace(".", "-")
    text = COMPOSE_FILE.format(
        image=support.BASE_IMAGE, label=support.TEST_LABEL, run=support.RUN_ID
    )
    page.goto(f"{daphne_server.url}/stacks/")
    page.get_by_role("link", name="Create a stack").click()
    page.get_by_label("Name (the Compose project)").fill(project)
    page.get_by_label("compose.yaml", exact=True).fill(text)
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
        expect(page.locator("main")).to_contain_text(f"{project}_data")
        support.screenshot(page, "stack-page")
    finally:
        directory = daphne_server.data_dir / "stacks" / project
        if directory.is_dir():
            compose(directory, project, "down", "-v", "--timeout", "1")
