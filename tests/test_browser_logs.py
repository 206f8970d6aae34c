"""Chromium against a live Daphne: the live log viewer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def test_live_lines_filter_escape_and_pause(page, daphne_server, make_container):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    script = (
        "i=0; while true; do i=$((i+1)); "
        f"printf 'tick %s {XSS} \\033[31mred\\033[0m\\n' $i; "
        '[ $((i % 4)) = 0 ] && echo "warn $i" >&2; sleep 0.05; done'
    )
    container = make_container(["sh", "-c", script], hint="ui-logs")
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")
    log = page.locator("[data-log]")

    expect(log.locator(".line").first).to_be_visible()
    expect(page.locator("[data-status]")).to_contain_text("following live")
    first = log.locator(".line:not(.stderr)").first
    expect(first).to_contain_text(XSS)
    assert first.locator("img").count() == 0, "the tag is text, not an element"
    expect(first.locator(".ansi-fg-1")).to_have_text("red")
    expect(log.locator(".line.stderr").first).to_contain_text("warn")

    page.get_by_label("Filter").fill("warn")
    expect(page.locator("[data-matches]")).to_contain_text("matching")
    expect(log.locator(".line:not([hidden])").first).to_contain_text("warn")
    assert log.locator(".line:not([hidden]):not(.stderr)").count() == 0
    expect(log.locator("mark").first).to_have_text("warn")
    page.get_by_label("Filter").fill("")

    expect(log.locator(".line").nth(80)).to_be_attached()  # enough lines to scroll
    log.evaluate(
        "element => { element.scrollTop = 0; element.dispatchEvent(new Event('scroll')); }"
    )
    badge = page.locator("[data-new-lines]")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("new line")
    support.screenshot(page, "logs-paused")
    badge.click()
    expect(badge).to_be_hidden()

    assert dialogs == [], "no script from the log ran"


def test_a_flood_keeps_a_bounded_window_and_a_trimmed_marker(page, daphne_server, make_container):
    container = make_container(
        ["sh", "-c", "i=0; while true; do i=$((i+1)); echo flood-$i; done"], hint="ui-flood"
    )
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")
    page.get_by_label("Keep in page").select_option("1000")
    log = page.locator("[data-log]")

    expect(page.locator("[data-trimmed]")).to_be_visible(timeout=15_000)
    page.wait_for_timeout(1500)

    assert log.locator(".line").count() <= 1000
    expect(page.locator("[data-trimmed-count]")).not_to_have_text("0")
    page.get_by_label("Filter").fill("flood-")  # the page still answers while the flood goes on
    expect(page.locator("[data-matches]")).to_contain_text("matching", timeout=2000)
