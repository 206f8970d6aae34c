"""Interactive `docker exec -it` over a websocket, against real containers."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from audit.models import AuditEntry
from containers_app import actions, docker_service
from containers_app.forms.fields import PATH_MAX
from containers_app.specs import TerminalSpec
from tests import support
from tests.test_image_pages import build_image
from tests.viewers import connect_to
from tests.waiting import eventually

pytestmark = pytest.mark.django_db(transaction=True)


class Terminal:
    def __init__(self, container, cookie, query: str = ""):
        self.socket = connect_to(f"/ws/containers/{container['Id'][:12]}/exec/{query}", cookie)
        self.output = b""
        self.statuses = []
        self.closed = None

    async def open(self):
        connected, _ = await self.socket.connect(timeout=10)
        assert connected
        await self.until(lambda t: t.statuses or t.closed is not None)
        return self

    async def type(self, text: str) -> None:
        await self.socket.send_to(bytes_data=text.encode())

    async def until(self, predicate, timeout: float = 10.0) -> None:
        """Receive until `predicate(self)` holds; a close before it does fails the test."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self):
            remaining = deadline - loop.time()
            assert remaining > 0, f"timed out; output {self.output[-300:]!r} {self.statuses}"
            message = await self.socket.receive_output(timeout=remaining)
            if message["type"] == "websocket.close":
                self.closed = message.get("code")
                self.reason = message.get("reason", "")
                assert predicate(self), (
                    f"closed ({self.closed} {self.reason!r}) early;"
                    f" output {self.output[-300:]!r} {self.statuses}"
                )
                return
            if message.get("bytes") is not None:
                self.output += message["bytes"]
            else:
                self.statuses.append(json.loads(message["text"]))


def processes(docker_api, container) -> list[str]:
    return [row[-1] for row in docker_api.top(container["Id"])["Processes"]]


async def test_a_command_runs_and_its_output_comes_back(cookie, make_container):
    container = make_container(hint="term")
    terminal = await Terminal(container, cookie).open()

    await terminal.type("echo hello $((6*7))\r")
    await terminal.until(lambda t: b"hello 42" in t.output)
    await terminal.socket.disconnect()

    assert terminal.statuses[0]["command"] == f"docker exec -it {container['Name'][1:]} /bin/sh"
    entry = await AuditEntry.objects.aget(action="terminal", target_name=container["Name"][1:])
    assert entry.command == f"docker exec -it {container['Name'][1:]} /bin/sh"
    assert entry.outcome == "succeeded" and entry.duration is not None


async def test_resize_reaches_the_tty(cookie, make_container):
    container = make_container(hint="resize")
    terminal = await Terminal(container, cookie, "?cols=100&rows=30").open()

    await terminal.type("stty size\r")
    await terminal.until(lambda t: b"30 100" in t.output)
    await terminal.socket.send_to(text_data=json.dumps({"resize": [132, 43]}))
    # The consumer takes messages one at a time: the resize is done before these keys arrive.
    await terminal.type("stty size\r")
    await terminal.until(lambda t: b"43 132" in t.output)
    await terminal.socket.disconnect()


async def test_multibyte_characters_split_across_reads_arrive_intact(cookie, make_container):
    container = make_container(hint="utf8")
    terminal = await Terminal(container, cookie).open()
    lines = 30_000  # of 11 bytes (330,000): the session's reads end inside characters

    # Typed as octal escapes and split markers, so the echo of the command matches neither.
    suns = "$(printf '\\342\\230\\200%.0s' 1 2 3)"
    await terminal.type(f"printf 'ST''ART\\n'; yes \"{suns}\" | head -n {lines}; echo EN''D\r")
    await terminal.until(lambda t: b"START\r\n" in t.output and b"END\r\n" in t.output)
    await terminal.socket.disconnect()

    received = terminal.output.split(b"START\r\n", 1)[1].split(b"END\r\n", 1)[0]
    assert b"\xef\xbf\xbd" not in terminal.output, "no character was replaced by U+FFFD"
    assert len(received) == lines * len("☀☀☀\r\n".encode())
    assert received == "☀☀☀\r\n".encode() * lines


async def test_a_session_as_another_user_runs_as_that_user_and_is_audited_without_keystrokes(
    cookie, make_container
):
    container = make_container(hint="asuser")
    terminal = await Terminal(container, cookie, "?user=nobody").open()

    await terminal.type("id -un; echo typed-only-$((6*7))\r")
    await terminal.until(lambda t: b"\r\nnobody\r\n" in t.output and b"typed-only-42" in t.output)
    await terminal.socket.disconnect()

    entry = await AuditEntry.objects.aget(action="terminal", target_name=container["Name"][1:])
    assert entry.username == "operator"
    assert entry.parameters["user"] == "nobody"
    assert entry.command == f"docker exec -it -u nobody {container['Name'][1:]} /bin/sh"
    assert entry.outcome == "succeeded"
    assert entry.finished_at is not None and entry.duration == entry.finished_at - entry.started_at
    recorded = json.dumps(entry.parameters) + entry.command + entry.error
    assert "id -un" not in recorded and "typed-only" not in recorded, "keystrokes are never kept"


async def test_closing_the_socket_ends_the_session_processes(cookie, make_container, docker_api):
    container = make_container(hint="orphans")
    terminal = await Terminal(container, cookie).open()
    await terminal.type("sleep 777 & sleep 778\r")
    await eventually(lambda: {"sleep 777", "sleep 778"} <= set(processes(docker_api, container)))

    await terminal.socket.disconnect()

    def session_processes() -> list[str]:
        session = {"sleep 777", "sleep 778", "/bin/sh"}
        return [p for p in processes(docker_api, container) if p in session]

    await eventually(lambda: not session_processes(), what="the session's processes end")
    assert any("sh -c trap" in p for p in processes(docker_api, container)), (
        "the main process stays"
    )


async def test_exiting_the_shell_closes_the_socket(cookie, make_container):
    container = make_container(hint="exit")
    terminal = await Terminal(container, cookie).open()

    await terminal.type("exit\r")
    await terminal.until(lambda t: t.closed is not None)

    assert terminal.closed == 1000
    assert terminal.statuses[-1]["state"] == "exited"


async def test_auto_picks_bash_when_the_image_has_it(cookie, make_container, docker_api):
    tag = f"dockside-test/with-bash:{uuid.uuid4().hex[:6]}"
    script = "printf '#!/bin/sh\\nexec /bin/sh \"$@\"\\n' > /bin/bash && chmod +x /bin/bash"
    build_image(docker_api, f"FROM {support.BASE_IMAGE}\nRUN {script}\n", tag)
    container = make_container(image=tag, hint="bash")

    terminal = await Terminal(container, cookie, "?user=nobody").open()
    await terminal.socket.disconnect()

    assert (
        terminal.statuses[0]["command"]
        == f"docker exec -it -u nobody {container['Name'][1:]} /bin/bash"
    )


async def test_a_custom_command_runs_instead_of_a_shell(cookie, make_container):
    container = make_container(hint="custom")
    terminal = await Terminal(container, cookie, "?shell=custom&command=cat+/etc/group").open()

    await terminal.until(lambda t: b"nogroup" in t.output and t.closed is not None)

    assert terminal.statuses[0]["command"].endswith("cat /etc/group")


async def test_stopped_container_and_anonymous_viewer_are_refused(make_container, cookie):
    stopped = make_container(["true"], hint="stoppedterm", wait=True)
    running = make_container(hint="anonterm")

    refused = Terminal(stopped, cookie)
    await refused.socket.connect()
    await refused.until(lambda t: t.closed is not None)
    anonymous = Terminal(running, None)
    await anonymous.socket.connect()
    await anonymous.until(lambda t: t.closed is not None)

    assert refused.closed == 4409
    assert anonymous.closed == 4401


@pytest.mark.parametrize("query", ["?shell=custom&command={long}", "?user={long}"])
async def test_names_longer_than_linux_allows_are_refused_before_any_exec(
    cookie, make_container, docker_api, query
):
    container = make_container(hint="longname")
    before = await asyncio.to_thread(AuditEntry.objects.count)

    terminal = Terminal(container, cookie, query.format(long="x" * (PATH_MAX + 1)))
    await terminal.socket.connect()
    await terminal.until(lambda t: t.closed is not None)

    assert terminal.closed == 4400
    assert "Linux allows at most" in terminal.reason
    assert docker_api.inspect_container(container["Id"])["ExecIDs"] is None
    assert await asyncio.to_thread(AuditEntry.objects.count) == before


def test_an_unexpected_failure_while_opening_finishes_the_entry_as_failed(
    make_container, admin_user, monkeypatch
):
    container = make_container(hint="termfail")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug while opening")

    monkeypatch.setattr(docker_service, "open_terminal", broken)
    spec = TerminalSpec(container["Name"][1:], ("/bin/sh",), "")
    with pytest.raises(RuntimeError):
        actions.open_terminal(actions.Actor(admin_user, "127.0.0.1"), spec, "tag", 80, 24)

    entry = AuditEntry.objects.get(action="terminal", target_name=container["Name"][1:])
    assert (entry.outcome, entry.error) == ("failed", "interrupted: RuntimeError")
    assert entry.finished_at is not None
