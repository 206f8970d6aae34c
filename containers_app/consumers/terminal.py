"""`/ws/containers/<ref>/exec/`: an interactive `docker exec -it` session in the browser.

Query: what the terminal form holds (`shell` auto, bash, sh or custom;
`command` with custom; `user`), and `cols`, `rows`. Binary frames carry bytes
both ways (keystrokes in, terminal output out: bytes, so a character split
across reads survives); text frames carry JSON: `{"resize": [cols, rows]}`
from the browser, `{"type": "status", ...}` from Dockside.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone

from access import roles
from audit.actors import Actor

from .. import actions, cli, docker_service
from ..docker_service import Conflict
from ..forms import TerminalForm
from ..live.terminal import MAX_COLUMNS, MAX_ROWS, TerminalBridge, terminal_size
from .access import STARTUP_ERRORS, ReleasingConsumer, close_reason, query_of, signed_in

RECHECK_SECONDS = 30  # how often an open terminal looks again at whether its user may have it


class TerminalConsumer(ReleasingConsumer):
    async def connect(self) -> None:
        self.session = self.entry = self.bridge = self.sender = self.watcher = None
        if not await signed_in(self):
            return
        query = query_of(self.scope)
        try:
            spec = await asyncio.to_thread(self.terminal_spec, query)
            self.entry, self.session = await asyncio.to_thread(
                actions.open_terminal,
                Actor.from_scope(self.scope),
                spec,
                uuid.uuid4().hex,
                terminal_size(query.get("cols"), 80, MAX_COLUMNS),
                terminal_size(query.get("rows"), 24, MAX_ROWS),
            )
        except STARTUP_ERRORS as exc:
            await self.refuse(exc)
            return
        status = {"type": "status", "state": "open", "command": cli.command(spec)}
        await self.send(text_data=json.dumps(status))
        self.bridge = TerminalBridge(self.session)
        self.sender = self.start(self.send_output())
        self.watcher = self.start(self.recheck())

    async def recheck(self) -> None:
        """Every RECHECK_SECONDS: the user still active, still an operator, still signed in.

        A sign-out or a change of the account closes the socket at once (access.sessions);
        this also catches what sends no signal, such as a session that expired.
        """
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            reason = await asyncio.to_thread(still_allowed, self.scope)
            if reason:  # closing ends the socket, which releases the session
                await self.close(code=4401, reason=close_reason(reason))
                return

    def terminal_spec(self, query):
        """The session asked for, checked as the terminal page's form checks it (in a thread)."""
        container = docker_service.inspect_container(self.scope["url_route"]["kwargs"]["ref"])
        if not container.state.running:
            raise Conflict(f"{container.name} is not running")
        form = TerminalForm(
            query,
            container=container.name,
            find_shell=partial(docker_service.default_shell, container.id),
        )
        if not form.is_valid():
            raise ValueError(form.error_summary())
        return form.spec

    async def send_output(self) -> None:
        async for data in self.bridge.output():
            await self.send(bytes_data=data)
        await self.send(text_data=json.dumps({"type": "status", "state": "exited"}))
        await self.close(code=1000)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if self.bridge is None:
            return
        if bytes_data is not None:
            await self.bridge.write(bytes_data)
            return
        try:
            cols, rows = (int(n) for n in json.loads(text_data or "{}")["resize"])
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
            return
        await self.bridge.resize(cols, rows)

    async def release(self) -> None:
        for task in (self.sender, self.watcher):
            if task is not None:
                task.cancel()
        if self.bridge is not None:
            self.bridge.closing.set()
        if self.session is not None:
            await asyncio.to_thread(actions.close_terminal, self.entry, self.session)
        if self.bridge is not None:
            await self.bridge.stop()


def still_allowed(scope) -> str:
    """Why the scope's user may no longer keep a terminal open ("" if they may)."""
    user = get_user_model().objects.filter(pk=scope["user"].pk).first()
    if user is None or not user.is_active:
        return "the account is gone or deactivated"
    if not roles.allows(user, roles.Role.OPERATOR):
        return "the account's role no longer allows terminals"
    session = scope.get("session")
    if (
        session is None
        or not Session.objects.filter(
            session_key=session.session_key, expire_date__gt=timezone.now()
        ).exists()
    ):
        return "the session has ended: sign in again"
    return ""
