"""Chromium against a live Daphne: sign in, find a container, filter, open it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser


def test_user_finds_container_with_search_box_and_opens_its_page(
    page, daphne_server, make_container
):
    wanted = make_container(hint="browser")
    other = make_container(hint="elsewhere")
    name = wanted["Name"].lstrip("/")
    other_name = other["Name"].lstrip("/")

    page.goto(f"{daphne_server.url}/containers/")
    table = page.locator("#container-table")
    expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(table.get_by_role("link", name=other_name)).to_be_visible()

    page.get_by_label("Search").fill(name)
    expect(table.get_by_role("link", name=other_name)).to_be_hidden()
    expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(page.locator("[data-filter-count='container-table']")).to_have_text(
        "1 of " + str(table.locator("tbody tr").count())
    )
    assert f"q={name}" in page.url, "the filter is kept in the address for sharing and reload"
    support.screenshot(page, "containers-filtered")

    page.get_by_label("Search").fill("no-such-container-anywhere")
    expect(page.get_by_text("No container matches this search.")).to_be_visible()
    page.get_by_label("Search").fill(name)

    table.get_by_role("link", name=name).click()
    page.wait_for_url(f"{daphne_server.url}/containers/{wanted['Id'][:12]}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".cli-command").first).to_have_text(f"docker container inspect {name}")
    support.screenshot(page, "container-detail")


def test_list_works_on_a_phone_screen(page, daphne_server, make_container):
    container = make_container(hint="phone")
    page.set_viewport_size({"width": 390, "height": 800})

    page.goto(f"{daphne_server.url}/containers/")

    link = page.locator("#container-table").get_by_role("link", name=container["Name"][1:])
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box["x"] + box["width"] <= 390, "the name is on screen without scrolling sideways"
    support.screenshot(page, "containers-phone")


def test_every_page_fits_a_360_px_phone_without_sideways_scrolling(
    page, daphne_server, make_container
):
    short = make_container(hint="phone-pages")["Id"][:12]
    page.set_viewport_size({"width": 360, "height": 740})
    pages = ["/containers/", "/images/", "/stats/", "/events/", "/audit/", "/containers/run/"]
    pages += [f"/containers/{short}/{tab}" for tab in ("", "logs/", "terminal/", "stats/", "top/")]

    too_wide = {}
    for path in pages:
        page.goto(f"{daphne_server.url}{path}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 360:
            too_wide[path] = width

    assert not too_wide, f"these pages scroll sideways on a 360 px phone: {too_wide}"
    support.screenshot(page, "processes-phone")
