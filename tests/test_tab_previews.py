"""The log and terminal tabs show the command the server builds from their controls.

The log command, run with the real docker CLI, prints what the viewer shows.
"""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from tests.pages import text
from tests.posting import get_preview, shown_command
from tests.test_terminal_ws import Terminal
from tests.viewers import Viewer

pytestmark = pytest.mark.django_db(transaction=True)

PRINTS = ["sh", "-c", "echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2; echo out-3"]


def test_the_log_page_shows_the_command_of_its_controls(admin_client, make_container):
    container = make_container(PRINTS, hint="logcmd", wait=True)
    name = container["Name"][1:]
    url = f"/containers/{container['Id'][:12]}/logs/"

    page = admin_client.get(url).content.decode()
    stdout_only = get_preview(admin_client, url, tail="10", since="2d", stdout="on")
    stderr_only = get_preview(admin_client, url, tail="all", stderr="on", timestamps="on")
    neither = get_preview(admin_client, url, tail="10")
    bad_since = get_preview(admin_client, url, tail="10", since="yesterday", stdout="on")

    assert shown_command(page) == f"docker logs -f --tail 100 {name}"
    assert shown_command(stdout_only) == f"docker logs -f --tail 10 --since 48h {name} 2>/dev/null"
    assert shown_command(stderr_only) == f"docker logs -f --tail all -t {name} 2>&1 >/dev/null"
    assert "choose stdout, stderr or both" in text(neither)
    assert "write a duration such as 10m" in text(bad_since)


def test_the_merged_page_shows_both_logs_side_by_side(admin_client, make_container):
    left, right = (make_container(PRINTS, hint=f"merged-{side}") for side in ("l", "r"))
    url = f"/logs/?containers={left['Id'][:12]}&containers={right['Id'][:12]}"

    page = admin_client.get(url).content.decode()

    assert shown_command(page) == (
        f"docker logs -f --tail 100 {left['Name'][1:]} &"
        f" docker logs -f --tail 100 {right['Name'][1:]} & wait"
    )


async def viewer_lines(cookie, container, query: str) -> list[str]:
    viewer = Viewer(f"/ws/containers/{container['Id'][:12]}/logs/?{query}", cookie)
    await viewer.connect()
    seen = await viewer.read(until=lambda s: "stopped" in s.states())
    await viewer.close()
    return [f"{line[1]} {line[2]}" if "timestamps=1" in query else line[2] for line in seen.lines]


@pytest.mark.parametrize(
    ("controls", "query"),
    [
        ({"tail": "all", "stdout": "on"}, "tail=all&stderr=0"),
        ({"tail": "all", "stderr": "on"}, "tail=all&stdout=0"),
        ({"tail": "3", "stdout": "on", "stderr": "on"}, "tail=3"),
        (
            {"tail": "all", "stdout": "on", "stderr": "on", "timestamps": "on"},
            "tail=all&timestamps=1",
        ),
        ({"tail": "all", "since": "1h", "stdout": "on", "stderr": "on"}, "tail=all&since=1h"),
    ],
    ids=["stdout", "stderr", "tail", "timestamps", "since"],
)
async def test_the_shown_log_command_prints_what_the_viewer_shows(
    admin_client, cookie, make_container, controls, query
):
    container = make_container(PRINTS, hint="logcli", wait=True)
    url = f"/containers/{container['Id'][:12]}/logs/"
    command = shown_command(await asyncio.to_thread(get_preview, admin_client, url, **controls))

    printed = await asyncio.to_thread(  # both streams into one pipe, as a terminal shows them
        subprocess.run,
        ["sh", "-c", command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=True,
    )
    shown = await viewer_lines(cookie, container, query)

    assert printed.stdout.splitlines() == shown, command
    assert shown, "the comparison saw lines"


def test_the_terminal_page_shows_the_command_of_its_controls(admin_client, make_container):
    container = make_container(hint="termcmd")
    name = container["Name"][1:]
    url = f"/containers/{container['Id'][:12]}/terminal/"

    page = admin_client.get(url).content.decode()
    as_nobody = get_preview(admin_client, url, {"shell": "sh", "user": "nobody"})
    custom = get_preview(admin_client, url, {"shell": "custom", "command": "top -d 1"})
    empty = get_preview(admin_client, url, {"shell": "custom", "command": ""})

    assert shown_command(page) == f"docker exec -it {name} /bin/sh", "busybox has no bash"
    assert shown_command(as_nobody) == f"docker exec -it -u nobody {name} /bin/sh"
    assert shown_command(custom) == f"docker exec -it {name} top -d 1"
    assert "enter the command to run" in text(empty)


async def test_the_terminal_opens_the_session_its_preview_showed(
    cookie, admin_client, make_container
):
    container = make_container(hint="termsame")
    url = f"/containers/{container['Id'][:12]}/terminal/"
    shown = shown_command(
        await asyncio.to_thread(
            get_preview,
            admin_client,
            url,
            {"shell": "custom", "command": "id -u", "user": "nobody"},
        )
    )
    terminal = Terminal(container, cookie, "?shell=custom&command=id+-u&user=nobody")
    await terminal.socket.connect()
    await terminal.until(lambda t: t.closed is not None and b"65534" in t.output)

    assert terminal.statuses[0]["command"] == shown
