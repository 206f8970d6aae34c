"""`/ws/containers/<ref>/exec/`: an interactive `docker exec -it` session in the browser.

Query: `shell` (auto, bash, sh or custom), `command` (with custom), `user`,
`cols`, `rows`. Binary frames carry bytes both ways (keystrokes in, terminal
output out: bytes, so a character split across reads survives); text frames
carry JSON: `{"resize": [cols, rows]}` from the browser, `{"type": "status",
...}` from Dockside. One thread reads the session; a full queue makes it
wait, so a process writing faster than the browser draws is slowed down, as
in a real terminal.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import shlex
import threading
import uuid
from contextlib import suppress

from .. import actions, cli, docker_service
from ..docker_service import Conflict, DockerServiceError
from ..forms.fields import PATH_MAX
from ..specs import TerminalSpec
from .access import STARTUP_ERRORS, ReleasingConsumer, query_of, signed_in

OUTPUT_QUEUE = 64
SHELLS = {"bash": ["/bin/bash"], "sh": ["/bin/sh"]}


def shell_command(container_id: str, shell: str, command: str) -> list[str]:
    """What to run: bash if the image has it (auto), sh, or the user's own command."""
    if shell == "custom":
        argv = shlex.split(command)
        if not argv:
            raise ValueError("enter the command to run")
        return [within_linux_limit(argv[0], "program name"), *argv[1:]]
    if shell in SHELLS:
        return SHELLS[shell]
    return SHELLS["bash"] if docker_service.path_exists(container_id, "/bin/bash") else SHELLS["sh"]


def within_linux_limit(value: str, what: str) -> str:
    """Longer names match no file, and runc 1.1 hangs on the error it would quote them in."""
    if len(value) > PATH_MAX:
        raise ValueError(f"the {what} is longer than Linux allows ({PATH_MAX:,} characters)")
    return value


def _size(value: str | None, default: int, limit: int) -> int:
    if not value or len(value) > 5 or not value.isascii() or not value.isdigit():
        return default
    return max(1, min(limit, int(value)))


class TerminalConsumer(ReleasingConsumer):
    async def connect(self) -> None:
        self.closing = threading.Event()
        self.session = None
        self.entry = None
        self.reader = None
        self.sender = None
        if not await signed_in(self):
            return
        query = query_of(self.scope)
        ref = self.scope["url_route"]["kwargs"]["ref"]
        cols = _size(query.get("cols"), 80, 1000)
        rows = _size(query.get("rows"), 24, 500)
        try:
            container = await asyncio.to_thread(docker_service.inspect_container, ref)
            if not container.state.running:
                raise Conflict(f"{container.name} is not running")
            argv = await asyncio.to_thread(
                shell_command, container.id, query.get("shell", "auto"), query.get("command", "")
            )
            user = within_linux_limit(query.get("user", "").strip(), "user")
            spec = TerminalSpec(container.name, tuple(argv), user)
            self.entry, self.session = await asyncio.to_thread(
                actions.open_terminal,
                actions.Actor(self.scope["user"], (self.scope.get("client") or [None])[0]),
                spec,
                uuid.uuid4().hex,
                cols,
                rows,
            )
        except STARTUP_ERRORS as exc:
            await self.refuse(exc)
            return
        await self.send(
            text_data=json.dumps({"type": "status", "state": "open", "command": cli.command(spec)})
        )
        self.output: asyncio.Queue = asyncio.Queue(OUTPUT_QUEUE)
        loop = asyncio.get_running_loop()
        self.reader = threading.Thread(
            target=self.read_session, args=(loop,), name="terminal", daemon=True
        )
        self.reader.start()
        self.sender = self.start(self.send_output())

    def read_session(self, loop: asyncio.AbstractEventLoop) -> None:
        """The thread: session output into the queue (waiting while it is full), then None."""
        session = self.session
        while data := session.read():
            try:
                queued = asyncio.run_coroutine_threadsafe(self.output.put(data), loop)
            except RuntimeError:  # the loop is closing: the viewer has gone
                return
            while not self.closing.is_set():
                try:
                    queued.result(timeout=0.5)
                    break
                except concurrent.futures.TimeoutError:
                    continue
            if self.closing.is_set():
                queued.cancel()
                return
        with suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(self.output.put(None), loop)

    async def send_output(self) -> None:
        while (data := await self.output.get()) is not None:
            await self.send(bytes_data=data)
        await self.send(text_data=json.dumps({"type": "status", "state": "exited"}))
        await self.close(code=1000)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.session is None:
            return
        if bytes_data is not None:
            with suppress(OSError):  # the process has just ended; the status says so
                await asyncio.to_thread(self.session.write, bytes_data)
            return
        try:
            message = json.loads(text_data or "{}")
            cols, rows = (int(n) for n in message["resize"])
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
            return
        with_limits = max(1, min(cols, 1000)), max(1, min(rows, 500))
        with suppress(DockerServiceError):  # the session has just ended; the status says so
            await asyncio.to_thread(
                docker_service.resize_terminal, self.session.exec_id, *with_limits
            )

    async def release(self) -> None:
        self.closing.set()
        if self.sender is not None:
            self.sender.cancel()
        if self.session is not None:
            await asyncio.to_thread(actions.close_terminal, self.entry, self.session)
        if self.reader is not None:
            await asyncio.to_thread(self.reader.join, 1.0)
