"""Live logs over websockets, against real containers (Channels' WebsocketCommunicator)."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest
from django.test import AsyncClient

from containers_app.live import log_session
from containers_app.live import pump as pumps
from containers_app.live.log_lines import stamp_key
from tests.test_engine_unavailable import UnixSocketProxy, real_engine_socket
from tests.viewers import Viewer
from tests.waiting import eventually, logs_contain

pytestmark = pytest.mark.django_db(transaction=True)


def path(container, query: str = "") -> str:
    return f"/ws/containers/{container['Id'][:12]}/logs/{query}"


async def watch(cookie, url, until=None, timeout=20.0, **kwargs):
    """What a viewer of `url` sees until `until(seen)` holds (None: until the socket closes)."""
    viewer = Viewer(url, cookie)
    connected, _ = await viewer.connect()
    assert connected
    try:
        return await viewer.read(until=until, timeout=timeout, **kwargs)
    finally:
        await viewer.close()


async def test_tail_then_live_lines_with_stdout_and_stderr(cookie, make_container):
    container = make_container(
        ["sh", "-c", "seq 1 5; sleep 1; echo later; echo oops >&2; sleep 600"], hint="tail"
    )

    seen = await watch(
        cookie, path(container, "?tail=3"), lambda s: {"later", "oops"} <= set(s.texts)
    )

    assert seen.hello["containers"][0]["name"] == container["Name"][1:]
    assert [line[2] for line in seen.lines if line[0] == 1] == ["3", "4", "5", "later"]
    assert [line[2] for line in seen.lines if line[0] == 2] == ["oops"]
    assert "live" in seen.states()
    assert all(line[1].endswith("Z") for line in seen.lines), "every line carries its timestamp"


async def test_stdout_and_stderr_can_be_left_out(cookie, make_container, docker_api):
    container = make_container(["sh", "-c", "echo out; echo err >&2; sleep 600"], hint="streams")
    await eventually(logs_contain(docker_api, container["Id"], "err"), what="both lines written")

    only_err = await watch(cookie, path(container, "?stdout=0"), lambda s: "live" in s.states())
    only_out = await watch(cookie, path(container, "?stderr=0"), lambda s: "live" in s.states())

    assert only_err.texts == ["err"]
    assert only_out.texts == ["out"]


async def test_tail_all_and_since(cookie, make_container, docker_api):
    container = make_container(
        ["sh", "-c", "seq 1 300; sleep 2; echo after-the-pause; sleep 600"], hint="since"
    )
    await eventually(logs_contain(docker_api, container["Id"], "after-the-pause"))
    everything = await watch(cookie, path(container, "?tail=all"), lambda s: "live" in s.states())
    middle = everything.lines[-1][1]  # the last line's time: since takes Unix seconds too
    seconds, nanoseconds = stamp_key(middle)

    recent = await watch(
        cookie,
        path(container, f"?tail=all&since={seconds}.{nanoseconds:09d}"),
        lambda s: "live" in s.states(),
    )
    relative = await watch(
        cookie, path(container, "?tail=all&since=2s"), lambda s: "live" in s.states()
    )

    assert everything.texts == [str(n) for n in range(1, 301)] + ["after-the-pause"]
    assert recent.texts == ["after-the-pause"]
    assert "300" not in relative.texts and "after-the-pause" in relative.texts


async def test_tty_container_lines_and_colours_arrive_raw(cookie, make_container):
    container = make_container(
        ["sh", "-c", "printf 'plain\\n\\033[31mred\\033[0m <b>x</b>\\n'; sleep 600"],
        hint="tty",
        tty=True,
    )

    seen = await watch(cookie, path(container), lambda s: len(s.lines) >= 2)

    assert seen.texts == ["plain", "\x1b[31mred\x1b[0m <b>x</b>"], "no \\r, nothing escaped or lost"


@pytest.mark.parametrize("tty", [False, True], ids=["multiplexed", "tty"])
async def test_a_100_kb_line_arrives_whole(cookie, make_container, tty):
    container = make_container(
        [
            "sh",
            "-c",
            "echo before; head -c 100000 /dev/zero | tr '\\0' x; echo; echo after; sleep 600",
        ],
        hint="longline",
        tty=tty,
    )

    seen = await watch(cookie, path(container), lambda s: "after" in s.texts)

    assert seen.texts == ["before", "x" * 100_000, "after"]


async def test_without_follow_the_history_arrives_then_the_log_ends(
    cookie, make_container, docker_api
):
    container = make_container(["sh", "-c", "seq 1 250; sleep 600"], hint="nofollow")
    await eventually(logs_contain(docker_api, container["Id"], "\n250\n"))

    everything = await watch(cookie, path(container, "?follow=0&tail=all"))
    last_ten = await watch(cookie, path(container, "?follow=0&tail=10"))

    assert everything.texts == [str(n) for n in range(1, 251)]
    assert last_ten.texts == [str(n) for n in range(241, 251)]
    for seen in (everything, last_ten):
        assert seen.states() == ["ended"], "never live: nothing is followed"
        assert seen.closed == 1000


async def test_stop_and_restart_reattach_without_duplicates(cookie, make_container, docker_api):
    container = make_container(
        ["sh", "-c", "trap 'exit 3' TERM; echo run-a; echo run-b; sleep 600 & wait"], hint="restart"
    )
    viewer = Viewer(path(container), cookie)
    await viewer.connect()
    await viewer.read(until=lambda s: "run-b" in s.texts)

    await asyncio.to_thread(docker_api.stop, container["Id"], timeout=5)
    stopped = await viewer.read(until=lambda s: "stopped" in s.states())
    await asyncio.to_thread(docker_api.start, container["Id"])
    await viewer.read(until=lambda s: s.texts.count("run-b") == 2)
    seen = await viewer.settle(0.5)
    await viewer.close()

    assert next(s for s in stopped.statuses if s["state"] == "stopped")["exit_code"] == 3
    assert "running" in seen.states()
    assert seen.texts == ["run-a", "run-b", "run-a", "run-b"]
    keys = [stamp_key(line[1]) for line in seen.lines]
    assert keys == sorted(keys) and len(set(keys)) == 4


async def test_a_last_line_without_newline_arrives_before_stopped(cookie, make_container):
    container = make_container(["sh", "-c", "echo a; sleep 1; printf tail"], hint="tail")

    seen = await watch(cookie, path(container), lambda s: "stopped" in s.states())

    assert seen.texts == ["a", "tail"]


async def test_removal_ends_the_viewer(cookie, make_container, docker_api):
    container = make_container(["sh", "-c", "echo bye; sleep 600"], hint="removed")
    viewer = Viewer(path(container), cookie)
    await viewer.connect()
    await viewer.read(until=lambda s: "bye" in s.texts)

    await asyncio.to_thread(docker_api.remove_container, container["Id"], force=True)
    seen = await viewer.read(until=lambda s: s.closed is not None)

    assert seen.states()[-1] == "removed"
    assert seen.closed == 1000


async def test_engine_outage_reconnects_and_resumes(cookie, make_container, settings, tmp_path):
    proxy = UnixSocketProxy(tmp_path / "engine.sock", real_engine_socket())
    proxy.start()
    settings.DOCKER_HOST = f"unix://{proxy.path}"
    container = make_container(
        ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done"], hint="outage"
    )
    viewer = Viewer(path(container), cookie)
    await viewer.connect()
    await viewer.read(until=lambda s: len(s.lines) >= 3)

    proxy.stop()
    await viewer.read(until=lambda s: "reconnecting" in s.states())
    await asyncio.sleep(1.0)  # the engine stays away a second: the outage under test
    proxy.start()
    seen = await viewer.read(until=lambda s: len(s.lines) >= 20, timeout=30)
    await viewer.close()
    proxy.stop()

    numbers = [int(text.removeprefix("tick-")) for text in seen.texts]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "no gap, no repeat"
    assert seen.states()[-1] == "live", "the viewer is told the log is live again"


async def test_a_reconnecting_browser_resumes_after_what_it_saw(cookie, make_container, docker_api):
    container = make_container(
        ["sh", "-c", "i=0; while true; do i=$((i+1)); echo n-$i; sleep 0.1; done"], hint="resume"
    )
    first = await watch(cookie, path(container, "?tail=all"), lambda s: len(s.lines) >= 5)
    last = first.lines[-1][1]
    count = sum(1 for line in first.lines if line[1] == last)
    later = f"n-{int(first.texts[-1].removeprefix('n-')) + 5}\n"
    await eventually(logs_contain(docker_api, container["Id"], later), what="more lines meanwhile")

    second = await watch(
        cookie,
        path(container, f"?tail=all&resume=0:{last}:{count}"),
        lambda s: len(s.lines) >= 5 and "live" in s.states(),
    )

    numbers = [int(t.removeprefix("n-")) for t in first.texts + second.texts]
    assert len(second.lines) >= 5, "lines after the resume point arrived"
    assert numbers == list(range(1, len(numbers) + 1)), "they start right after it"
    assert second.states()[:1] == ["live"]


async def test_a_resumed_merged_view_does_not_wait_for_history(cookie, make_container, monkeypatch):
    monkeypatch.setattr(log_session, "HISTORY_WAIT", 30.0)
    left, right = (
        make_container(
            ["sh", "-c", f"while true; do echo {side}; sleep 0.1; done"], hint=f"resume-{side}"
        )
        for side in ("left", "right")
    )
    ids = f"containers={left['Id'][:12]}&containers={right['Id'][:12]}"
    first = await watch(cookie, f"/ws/logs/?{ids}", lambda s: len(s.lines) >= 4)
    resume = "&".join(
        f"resume={source}:{ts}:1"
        for source in (0, 1)
        for ts in [max((line[1] for line in first.lines if line[3] == source), key=stamp_key)]
    )

    again = await watch(cookie, f"/ws/logs/?{ids}&{resume}", lambda s: len(s.lines) >= 2, 8.0)

    assert again.states()[:2] == ["live", "live"]


async def test_a_container_that_dies_at_once_is_not_taken_for_restarted(
    cookie, make_container, docker_api
):
    container = make_container(["sh", "-c", "echo once"], hint="brief")
    viewer = Viewer(path(container), cookie)
    await viewer.connect()

    await viewer.read(until=lambda s: "stopped" in s.states())
    # The engine replays the last seconds' events, this run's start among them; whatever the
    # follower made of them comes before what its removal brings.
    await asyncio.to_thread(docker_api.remove_container, container["Id"])
    seen = await viewer.read()

    assert seen.states() == ["live", "stopped", "removed"]
    assert seen.texts == ["once"]


async def test_anonymous_viewer_is_closed_with_4401(make_container):
    container = make_container(hint="anon")
    viewer = Viewer(path(container), cookie=None)

    _connected, _ = await viewer.connect()
    seen = await viewer.read(until=lambda s: s.closed is not None)

    assert seen.closed == 4401
    assert not seen.lines


async def test_viewer_from_another_origin_is_refused(cookie, make_container):
    container = make_container(hint="origin")
    viewer = Viewer(path(container), cookie, origin=b"https://evil.example")

    connected, _ = await viewer.connect()

    assert connected is False


async def test_unknown_container_and_bad_query_close_with_clear_codes(cookie, make_container):
    container = make_container(hint="badquery")
    missing = await watch(cookie, "/ws/containers/no-such-dockside-container/logs/")
    bad = await watch(cookie, path(container, "?tail=lots"))

    assert missing.closed == 4404
    assert bad.closed == 4400


async def test_a_slow_viewer_gets_a_skipped_marker_and_nothing_is_lost(
    cookie, make_container, monkeypatch, docker_api
):
    monkeypatch.setattr(pumps, "LINES_CAPACITY", 2_000)
    monkeypatch.setattr(pumps, "STALL_SECONDS", 0.2)
    monkeypatch.setattr(pumps, "BATCH_LINES", 500)
    monkeypatch.setattr(log_session, "WINDOW", 2)
    container = make_container(["sh", "-c", "seq 1 30000; sleep 600"], hint="slow")
    await eventually(logs_contain(docker_api, container["Id"], "\n30000\n"))
    viewer = Viewer(path(container, "?tail=all"), cookie)
    await viewer.connect()

    await viewer.read(until=lambda s: len(s.lines) > 0, ack=False)
    await asyncio.sleep(1.5)  # a browser that stalls this long: the readers wait 0.2 s for it
    await viewer.ack_all()
    seen = await viewer.read(until=lambda s: "live" in s.states() and s.texts[-1] == "30000")
    await viewer.close()
    downloaded = await download(cookie, container)

    assert seen.skipped > 0
    assert len(seen.lines) + seen.skipped == 30_000, "every line is either delivered or counted"
    numbers = [int(t) for t in seen.texts]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert downloaded.splitlines() == [str(n) for n in range(1, 30_001)], "the skipped included"


async def download(cookie, container) -> str:
    """The log's download, as the signed-in browser behind `cookie` gets it."""
    client = AsyncClient()
    name, _, value = cookie.partition("=")
    client.cookies[name] = value
    response = await client.get(f"/containers/{container['Id'][:12]}/logs/download")
    assert response.status_code == 200
    return b"".join([chunk async for chunk in response.streaming_content]).decode()


async def test_merged_view_orders_two_containers_by_time(cookie, make_container, docker_api):
    left = make_container(
        ["sh", "-c", "for i in 1 2 3 4; do echo left-$i; sleep 0.3; done; sleep 600"], hint="left"
    )
    right = make_container(
        ["sh", "-c", "sleep 0.15; for i in 1 2 3 4; do echo right-$i; sleep 0.3; done; sleep 600"],
        hint="right",
    )
    for side in (left, right):
        await eventually(logs_contain(docker_api, side["Id"], "-4"), what="all lines written")
    url = f"/ws/logs/?containers={left['Id'][:12]}&containers={right['Id'][:12]}&tail=all"

    seen = await watch(cookie, url, lambda s: len(s.lines) >= 8)

    assert [c["name"] for c in seen.hello["containers"]] == [left["Name"][1:], right["Name"][1:]]
    keys = [stamp_key(line[1]) for line in seen.lines]
    assert keys == sorted(keys), "one stream, ordered by the daemon's timestamps"
    assert sorted(seen.texts) == sorted(
        f"{side}-{i}" for i in range(1, 5) for side in ("left", "right")
    )
    assert all(line[2].startswith(("left", "right")[line[3]]) for line in seen.lines)


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def followers() -> int:
    """Log reader threads alive (the executor's own threads come and go as it likes)."""
    return sum(1 for thread in threading.enumerate() if thread.name.startswith("logs-"))


async def viewers_that_saw_a_line(cookie, container, count: int) -> list[Viewer]:
    viewers = [Viewer(path(container), cookie) for _ in range(count)]
    for viewer in viewers:
        await viewer.connect()
    for viewer in viewers:
        await viewer.read(until=lambda s: len(s.lines) > 0)
    return viewers


CHATTER = ["sh", "-c", "while true; do echo chatter; sleep 0.05; done"]


async def test_closing_200_viewers_leaves_no_thread_or_socket_behind(cookie, make_container):
    container = make_container(CHATTER, hint="many")
    await watch(cookie, path(container), lambda s: len(s.lines) > 0)  # warm up the client
    threads, descriptors = followers(), open_descriptors()

    for _ in range(20):
        viewers = await viewers_that_saw_a_line(cookie, container, 10)
        assert followers() >= threads + 10, "each viewer has its reader while it watches"
        for viewer in viewers:
            await viewer.close()
        await eventually(lambda: followers() <= threads, what="every reader has ended")

    await eventually(lambda: open_descriptors() <= descriptors + 10, what="sockets closed")


# Measured on this 2-core machine, quiet and with both cores busy: within the 20 ms poll.
READER_END_LIMIT = 1.0


@pytest.mark.timing
async def test_every_reader_ends_within_a_second_of_its_viewer_leaving(cookie, make_container):
    container = make_container(CHATTER, hint="quick-end")
    await watch(cookie, path(container), lambda s: len(s.lines) > 0)
    threads = followers()
    waits = []

    for _ in range(5):
        viewers = await viewers_that_saw_a_line(cookie, container, 10)
        for viewer in viewers:
            await viewer.close()
        left = time.monotonic()
        await eventually(lambda: followers() <= threads, timeout=10)
        waits.append(time.monotonic() - left)

    assert max(waits) < READER_END_LIMIT, f"readers took {max(waits):.2f} s to end"
