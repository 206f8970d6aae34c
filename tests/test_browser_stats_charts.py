"""Chromium against a live Daphne: a container's stats charts, as served and as they go live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser

LIMITED = {"mem_limit": "64m", "nano_cpus": 500_000_000}
BUSY = ["sh", "-c", "trap 'exit 0' TERM; while :; do :; done & wait"]

# Every label of every chart, and whether it lies inside its card (y labels sit in its margin).
LABELS_IN_CARDS = """() => [...document.querySelectorAll('svg.spark text')].map(text => {
  const card = text.closest('.card').getBoundingClientRect();
  const box = text.getBoundingClientRect();
  return {text: text.textContent, inside: box.left >= card.left && box.right <= card.right
    && box.width > 0};
})"""

READINGS = "least => +document.querySelector('#stats-panel').dataset.samples >= least"


def first_points(page, chart: str) -> list[tuple[float, float]]:
    points = page.locator(f'[data-chart="{chart}"] polyline').first.get_attribute("points")
    return [tuple(map(float, pair.split(","))) for pair in points.split()]


@pytest.mark.parametrize("width", [360, 1440])
def test_the_charts_axes_are_served_then_the_live_readings_grow_from_the_left_edge(
    page, daphne_server, make_container, width
):
    container = make_container(BUSY, hint=f"ui-charts-{width}", host_config=LIMITED)
    url = f"{daphne_server.url}/containers/{container['Id'][:12]}/stats/"
    page.set_viewport_size({"width": width, "height": 900})
    live = {"on": False}

    def socket(route) -> None:
        if live["on"]:
            route.connect_to_server()  # otherwise the socket stays open and silent

    page.route_web_socket(re.compile(r"/ws/containers/"), socket)
    page.goto(url)
    cpu = page.locator('[data-chart="cpu"]')
    expect(cpu.locator(".limit-label")).to_have_text("limit --cpus 0.5")
    expect(page.locator('[data-chart="memory"] .limit-label')).to_have_text("limit --memory 64MiB")
    expect(cpu.locator("polyline")).to_have_count(0)
    served = page.evaluate(LABELS_IN_CARDS)

    live["on"] = True
    page.reload()
    page.wait_for_function(READINGS, arg=3)
    early = first_points(page, "cpu")
    page.wait_for_function(READINGS, arg=6)
    later = first_points(page, "cpu")
    labels = page.evaluate(LABELS_IN_CARDS)

    assert early[0][0] == 0 and later[0][0] == 0, "the first reading stays at the left edge"
    assert later[-1][0] > early[-1][0], "the line grows to the right"
    assert [label for label in served if not label["inside"]] == []
    assert [label for label in labels if not label["inside"]] == []
    assert cpu.locator(".y-tick").last.text_content() == "50%"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    support.screenshot(page, f"container-stats-charts-{width}")
