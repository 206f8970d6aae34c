"""Chromium against a live Daphne: an explanation closed once stays closed."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser


def test_a_closed_explanation_stays_closed_on_later_pages_until_opened_again(
    page, daphne_server, docker_api
):
    page.goto(f"{daphne_server.url}/images/")
    explain = page.locator('details.explain[data-explain="image-vs-container"]')
    body = explain.get_by_text("An image is a read-only stack of layers")
    expect(body).to_be_visible()

    explain.locator("summary").click()
    expect(body).to_be_hidden()
    page.reload()

    expect(explain.locator("summary")).to_be_visible()
    expect(explain).not_to_have_attribute("open", "")
    expect(body).to_be_hidden()
    page.goto(f"{daphne_server.url}/containers/run/")
    expect(explain).not_to_have_attribute("open", "")  # the same explanation on another page
    page.goto(f"{daphne_server.url}/images/{support.BASE_IMAGE}/")
    expect(page.locator('details.explain[data-explain="image-history"]')).to_have_attribute(
        "open", ""
    )  # another explanation is not closed with it

    page.goto(f"{daphne_server.url}/containers/run/")
    explain.locator("summary").click()
    expect(body).to_be_visible()
    page.goto(f"{daphne_server.url}/images/")
    expect(body).to_be_visible()


def test_a_closed_explanation_stays_closed_when_a_live_update_redraws_it(
    page, daphne_server, make_container
):
    container = make_container(["true"], hint="ui-explain", wait=True)
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/")
    explain = page.locator('details.explain[data-explain="exit-success"]')
    expect(explain).to_have_attribute("open", "")
    expect(page.locator("#live-state")).to_have_text("Live")
    explain.locator("summary").click()
    expect(explain).not_to_have_attribute("open", "")
    page.evaluate("() => { document.getElementById('container-main').dataset.old = '1'; }")

    subprocess.run(["docker", "start", container["Id"]], check=True, capture_output=True)

    expect(page.locator("#container-main:not([data-old])")).to_be_attached()  # redrawn
    expect(explain).to_be_attached()
    expect(explain).not_to_have_attribute("open", "")
