"""The header's engine switcher in Chromium: from local to the run's second dockerd and
back, with the keyboard, its list live over its own websocket, on a phone too."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests import support
from tests.test_engines import started_container

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def engine_two(daphne_server, second_engine) -> str:
    """The second dockerd, added by an admin to the live server (once: an address is kept
    under one name)."""
    name = f"two-{uuid.uuid4().hex[:6]}"
    session = daphne_server.login()
    form = {"name": name, "url": second_engine.socket_url}
    added = support.post(session, f"{daphne_server.url}/engines/add/", form)
    assert added.url.endswith("/engines/"), added.url
    return name


def test_the_switcher_moves_to_another_engine_whose_list_is_live(
    page, daphne_server, second_engine, engine_two, make_container
):
    here = make_container(hint="sw-here")["Name"].lstrip("/")
    name = engine_two
    page.goto(f"{daphne_server.url}/containers/")
    expect(page.get_by_role("link", name=here)).to_be_visible()

    switcher = page.locator("#engine-switch summary")
    expect(switcher).to_have_text(re.compile(r"Engine\s+local"))
    switcher.focus()
    page.keyboard.press("Enter")  # a details element: the keyboard opens it
    page.get_by_role("link", name=name, exact=True).click()

    page.wait_for_url(f"{daphne_server.url}/e/{name}/containers/")
    expect(switcher).to_have_text(re.compile(rf"Engine\s+{name}"))
    expect(page.get_by_role("link", name=here)).to_have_count(0)
    expect(page.locator("#live-state")).to_contain_text("Live", timeout=10_000)
    made = started_container(second_engine.api, "sw-there")
    there, there_id = made["Name"].lstrip("/"), made["Id"][:12]
    row = page.get_by_role("link", name=there)
    expect(row).to_be_visible(timeout=5_000)  # the event came through /e/<name>/ws/events/
    assert row.get_attribute("href") == f"/e/{name}/containers/{there_id}/", "links keep it"
    support.screenshot(page, "engines-switched")

    page.locator("#engine-switch summary").click()
    page.get_by_role("link", name="local", exact=True).click()
    page.wait_for_url(f"{daphne_server.url}/containers/")
    expect(page.get_by_role("link", name=here)).to_be_visible()


@pytest.mark.page_options(viewport={"width": 360, "height": 740})
def test_the_switcher_and_the_engines_page_fit_a_phone(page, daphne_server, engine_two):
    name = engine_two
    page.goto(f"{daphne_server.url}/engines/")
    page.locator("#engine-switch summary").click()
    menu = page.locator(".engine-menu")
    expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    support.screenshot(page, "engines-phone")
