"""Chromium against a live Daphne: the live log viewer."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
MATCHING = re.compile(r"^[\d,]+ matching$")


def shown_matches(page) -> tuple[str, list[str]]:
    """The count the page shows and the texts of the lines it shows, read at one instant."""
    return page.locator("[data-log-viewer]").evaluate(
        """root => [
            root.querySelector("[data-matches]").textContent,
            [...root.querySelectorAll("[data-log] .line:not(.notice):not([hidden]) .text")]
                .map(text => text.textContent),
        ]"""
    )


def assert_count_is_exact(page) -> int:
    expect(page.locator("[data-matches]")).to_have_text(MATCHING)
    shown, visible = shown_matches(page)
    assert shown == f"{len(visible):,} matching"
    return len(visible)


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
    assert assert_count_is_exact(page) > 0
    counted = page.locator("[data-count]").text_content()
    expect(page.locator("[data-count]")).not_to_have_text(counted)  # more lines arrive meanwhile
    assert assert_count_is_exact(page) > 0
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


@pytest.mark.timing
def test_a_flood_keeps_a_bounded_window_and_a_trimmed_marker(page, daphne_server, make_container):
    container = make_container(
        ["sh", "-c", "i=0; while true; do i=$((i+1)); echo flood-$i; done"], hint="ui-flood"
    )
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")
    page.get_by_label("Keep in page").select_option("1000")
    log = page.locator("[data-log]")

    expect(page.locator("[data-trimmed]")).to_be_visible(timeout=15_000)
    trimmed = page.locator("[data-trimmed-count]").text_content()
    expect(page.locator("[data-trimmed-count]")).not_to_have_text(trimmed)  # the flood goes on

    assert log.locator(".line").count() <= 1000
    expect(page.locator("[data-trimmed-count]")).not_to_have_text("0")
    page.get_by_label("Filter").fill("flood-")  # the page still answers while the flood goes on
    # 2 s was once too little with a second suite loading both cores.
    expect(page.locator("[data-matches]")).to_have_text(MATCHING, timeout=4000)
    assert assert_count_is_exact(page) > 0  # lines that left the page left the count too


def test_filter_by_text_or_regex_with_smart_case(page, daphne_server, make_container):
    lines = ["tick 1", "warn 10", "WARN 20", "Warn 30", "warning 4x", "warn x", "all fine"]
    script = "".join(f"echo '{line}'; " for line in lines) + "sleep 0.3; echo 'warn 50' >&2"
    container = make_container(["sh", "-c", script], hint="ui-filter")
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")
    log = page.locator("[data-log]")
    notice = log.locator(".line.notice")
    expect(notice).to_contain_text("exit code 0")
    field = page.get_by_label("Filter")
    regex = page.get_by_label("regex")

    def shows(term: str, expected: list[str]) -> None:
        field.fill(term)
        expect(log.locator(".line:not(.notice):not([hidden]) .text")).to_have_text(expected)
        assert shown_matches(page) == [f"{len(expected)} matching", expected]
        expect(notice).to_be_visible()  # a notice is not a line: no filter hides it

    shows("warn", ["warn 10", "WARN 20", "Warn 30", "warning 4x", "warn x", "warn 50"])
    shows("Warn", ["Warn 30"])  # an upper-case letter makes the search case-sensitive
    shows("WARN", ["WARN 20"])
    shows("fine", ["all fine"])
    shows(r"warn \d+", [])  # without the regex box, the term is plain text
    regex.check()
    shows(r"warn \d+", ["warn 10", "WARN 20", "Warn 30", "warn 50"])
    marks = log.locator(".line:not([hidden]) mark")
    expect(marks).to_have_text(["warn 10", "WARN 20", "Warn 30", "warn 50"])
    shows(r"^W\w+ \d", ["WARN 20", "Warn 30"])

    field.fill("warn (")
    expect(page.locator("[data-matches]")).to_have_text("invalid regular expression")
    assert field.evaluate("element => element.validity.valid") is False
    expect(log.locator(".line:not(.notice):not([hidden])")).to_have_count(len(lines) + 1)
    assert marks.count() == 0
    shows(r"warn \d+$", ["warn 10", "WARN 20", "Warn 30", "warn 50"])
    assert field.evaluate("element => element.validity.valid") is True


def test_an_osc_8_hyperlink_shows_as_its_text(page, daphne_server, make_container):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    container = make_container(
        [
            "sh",
            "-c",
            "printf 'before\\n\\033]8;;javascript:alert(1)\\033\\\\click\\033]8;;\\033\\\\\\n';"
            " echo after; sleep 600",
        ],
        hint="ui-osc8",
    )
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")
    log = page.locator("[data-log]")

    expect(log.locator(".line .text")).to_have_text(["before", "click", "after"])
    log.locator(".line", has_text="click").click()

    assert log.locator("a").count() == 0, "the link is text, not an element"
    assert dialogs == []


def test_wrap_and_timestamps_change_the_view(page, daphne_server, make_container):
    container = make_container(
        ["sh", "-c", "echo short; head -c 3000 /dev/zero | tr '\\0' w; echo; sleep 600"],
        hint="ui-view",
    )
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")
    viewer = page.locator("[data-log-viewer]")
    log = page.locator("[data-log]")
    stamp = log.locator(".line").first.locator(".ts")
    expect(log.locator(".line")).to_have_count(2)

    def overflows() -> bool:
        return log.evaluate("element => element.scrollWidth > element.clientWidth")

    expect(stamp).to_be_hidden()
    assert not overflows(), "wrapped: the long line fits the width"
    page.get_by_label("timestamps").check()
    expect(stamp).to_be_visible()
    expect(stamp).to_have_text(re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z$"))
    expect(viewer).to_have_class(re.compile(r"\bshow-ts\b"))
    page.get_by_label("wrap").uncheck()
    expect(viewer).to_have_class(re.compile(r"\bnowrap\b"))
    assert overflows(), "unwrapped: the long line runs past the width"
    page.get_by_label("timestamps").uncheck()
    page.get_by_label("wrap").check()
    expect(stamp).to_be_hidden()
    expect(viewer).not_to_have_class(re.compile(r"\b(nowrap|show-ts)\b"))
    assert not overflows()


def test_the_download_link_follows_the_controls(page, daphne_server, make_container):
    container = make_container(
        ["sh", "-c", "echo out-1; echo err-1 >&2; echo out-2; sleep 600"], hint="ui-download"
    )
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")
    link = page.locator("[data-download]")
    expect(page.locator("[data-log] .line")).to_have_count(3)

    def query() -> dict[str, list[str]]:
        return parse_qs(urlsplit(link.get_attribute("href")).query)

    assert query() == {"timestamps": ["0"], "stdout": ["1"], "stderr": ["1"]}
    page.get_by_label("timestamps").check()
    page.get_by_label("stderr").uncheck()
    page.get_by_label("Since").fill("1h")
    page.get_by_label("Download until").fill("5m")
    assert query() == {
        "timestamps": ["1"],
        "stdout": ["1"],
        "stderr": ["0"],
        "since": ["1h"],
        "until": ["5m"],
    }
    page.get_by_label("Download until").fill("")
    page.get_by_label("stdout").uncheck()
    page.get_by_label("stderr").check()
    assert query() == {"timestamps": ["1"], "stdout": ["0"], "stderr": ["1"], "since": ["1h"]}

    with page.expect_download() as download:
        link.click()

    body = download.value.path().read_text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z err-1\n", body), body


def test_merged_page_tags_and_colours_each_line_by_container(page, daphne_server, make_container):
    alpha, beta = (
        make_container(
            ["sh", "-c", f"for i in 1 2 3; do echo {side}-$i; sleep 0.2; done; sleep 600"],
            hint=f"ui-{side}",
        )
        for side in ("alpha", "beta")
    )
    page.goto(
        f"{daphne_server.url}/logs/?containers={alpha['Id'][:12]}&containers={beta['Id'][:12]}"
    )
    log = page.locator("[data-log]")
    expect(log.locator(".line")).to_have_count(6)

    lines = log.locator(".line").evaluate_all(
        """lines => lines.map(line => {
            const tag = line.querySelector(".src");
            const text = line.querySelector(".text").textContent;
            const colour = getComputedStyle(tag).color;
            return {name: tag.textContent, tag: tag.className, text, colour};
        })"""
    )

    names = {"alpha": alpha["Name"][1:], "beta": beta["Name"][1:]}
    tags = {"alpha": "src src-0", "beta": "src src-1"}  # colours in the order they were chosen
    assert sorted(line["text"] for line in lines) == [f"{s}-{i}" for s in names for i in (1, 2, 3)]
    for line in lines:
        side = line["text"].split("-")[0]
        assert (line["name"], line["tag"]) == (names[side], tags[side]), line["text"]
    colours = {line["tag"]: line["colour"] for line in lines}
    assert colours["src src-0"] != colours["src src-1"]


# The server's side goes first: an ack already on its way meets a closing socket, which
# Chromium reports itself (the page checks readyState; it still said OPEN).
@pytest.mark.allow_console("WebSocket is already in CLOSING or CLOSED state.")
def test_a_dropped_connection_reconnects_and_resumes_without_gap_or_repeat(
    page, daphne_server, make_container
):
    sockets = []

    def through(route) -> None:
        sockets.append((route.url, route.connect_to_server()))

    page.route_web_socket(re.compile(r"/ws/containers/"), through)
    container = make_container(
        ["sh", "-c", "i=0; while true; do i=$((i+1)); echo n-$i; sleep 0.05; done"],
        hint="ui-reconnect",
    )
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")
    log = page.locator("[data-log]")
    status = page.locator("[data-status]")
    expect(log.locator(".line").nth(20)).to_be_attached()

    sockets[0][1].close()  # the server's side goes away, as when a proxy drops it
    expect(status).to_contain_text("Connection lost")
    expect(status).to_contain_text("following live")
    before = log.locator(".line").count()
    expect(log.locator(".line").nth(before + 20)).to_be_attached()

    numbers = [
        int(text.removeprefix("n-")) for text in log.locator(".line .text").all_text_contents()
    ]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "no gap, no repeat"
    assert len(sockets) == 2
    assert "resume=0%3A" in sockets[1][0], "the second socket asked for what came after"


def test_a_bad_since_is_said_at_the_field_and_the_lines_stay(page, daphne_server, make_container):
    container = make_container(
        ["sh", "-c", "for i in 1 2 3; do echo line $i; done"], hint="ui-since"
    )
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")
    lines = page.locator("[data-log] .line:not(.notice)")
    expect(lines).to_have_count(3)
    since = page.get_by_label("Since")
    error = page.locator("#log-since-error")

    since.fill("yesterday")
    since.press("Tab")

    expect(error).to_be_visible()
    expect(error).to_contain_text("'yesterday': write a duration such as 10m, 1h or 2d")
    expect(since).to_have_attribute("aria-invalid", "true")
    expect(lines).to_have_count(3)
    expect(page.locator("[data-status]")).not_to_contain_text("Cannot show this log")

    since.fill("2099-01-01T00:00")
    since.press("Enter")

    expect(error).to_be_hidden()
    expect(since).to_have_attribute("aria-invalid", "false")
    expect(lines).to_have_count(0)  # a good one asks again: nothing was written since 2099
    since.fill("10m")
    since.press("Tab")
    expect(page.locator("#docker-command")).to_contain_text("--since 10m")
    expect(lines).to_have_count(3)
