"""What every websocket consumer checks first, and how it reads its query.

Close codes: 4400 bad query, 4401 not signed in (or signed out, deactivated, given another
role or password since), 4403 the role does not allow it, 4404 no such container,
4409 the container is not running (or another conflict), 4502 the engine
failed, 4503 engine unreachable, 1011 Dockside failed (logged on the server). Origins other
than Dockside's exact own are refused at the handshake (dashboard/origin.py), and so is
any path no route names.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from urllib.parse import parse_qs

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import QueryDict

from access import sessions

from .. import metrics, request_context
from ..docker_service import DockerServiceError, EngineUnavailable, http_status
from ..pages.engine_errors import explain

logger = logging.getLogger(__name__)

# What may stop a socket from starting: a bad query, or the engine's refusal.
STARTUP_ERRORS = (ValueError, DockerServiceError)
REASON_BYTES = 123  # the most a close frame's reason may hold


class ReleasingConsumer(AsyncWebsocketConsumer):
    """A consumer whose `release()` runs once, however the socket ends, even by a failure.

    Channels does not call `disconnect()` when a handler raises; a consumer that
    holds threads, engine streams or exec sessions must not depend on that.
    Messages from the browser skip Channels' per-message database clean-up:
    these consumers use the database only while they connect.
    """

    released = False
    counted = False  # in /metrics' websocket sessions, once signed in
    revocation_groups: list[str] = []

    async def release(self) -> None:
        """Stop what the consumer started (threads, streams, subscriptions)."""

    async def disconnect(self, code) -> None:
        if not self.released:
            self.released = True
            if self.counted:
                metrics.WEBSOCKETS.labels(type(self).__name__).dec()
            for group in self.revocation_groups:
                await self.channel_layer.group_discard(group, self.channel_name)
            await self.release()

    async def session_revoked(self, event: dict) -> None:
        """The user signed out, was deactivated, or changed role or password: this ends."""
        await self.disconnect(4401)
        await self.close(code=4401, reason=close_reason(event.get("reason", "signed out")))

    async def dispatch(self, message) -> None:
        try:
            if message["type"] == "websocket.receive":
                await self.websocket_receive(message)
            else:
                await super().dispatch(message)
        except StopConsumer:
            raise
        except Exception:
            logger.exception("websocket consumer failed; closing it")
            await self.fail()
            raise StopConsumer from None

    async def fail(self) -> None:
        await self.disconnect(1011)
        with suppress(Exception):
            await self.close(code=1011)

    def start(self, coroutine) -> asyncio.Task:
        """Run `coroutine` beside the socket; should it fail, it is logged and the socket closed."""
        task = asyncio.create_task(coroutine)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        if task.cancelled() or task.exception() is None:
            return
        logger.error("websocket task failed; closing the socket", exc_info=task.exception())
        self._failing = asyncio.ensure_future(self.fail())

    async def refuse(self, exc: Exception) -> None:
        """Close a socket that cannot start, with the code and reason for `exc`."""
        code, reason = close_code(exc)
        await self.close(code=code, reason=close_reason(reason))


def close_code(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, EngineUnavailable):
        return 4503, exc.cause
    if isinstance(exc, DockerServiceError):
        return 4000 + http_status(exc), explain(exc).sentence
    return 4400, str(exc)


def close_reason(text: str) -> str:
    """`text` cut to what a close frame carries (bytes, not characters)."""
    return text.encode()[:REASON_BYTES].decode("utf-8", "ignore")


def query_of(scope) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in parse_qs(scope.get("query_string", b"").decode("latin-1")).items():
        query.setlist(key, values)
    return query


class NoSuchRoute(AsyncWebsocketConsumer):
    """Any other websocket path: refused at the handshake (HTTP 403), nothing logged as failed."""

    async def connect(self) -> None:
        await self.close()


async def signed_in(consumer: AsyncWebsocketConsumer) -> bool:
    """Accept the socket; close it at once with 4401 unless a user is signed in.

    From then on it listens for its user's sign-out, deactivation, new role or new
    password (access.sessions), and closes with 4401 when one comes.
    """
    await consumer.accept()
    user = consumer.scope.get("user")
    if user is None or not user.is_authenticated or not user.is_active:
        await consumer.close(code=4401, reason="sign in first")
        return False
    request_context.begin()  # this session's id, in its log lines and audit entries
    metrics.WEBSOCKETS.labels(type(consumer).__name__).inc()
    consumer.counted = True
    consumer.revocation_groups = sessions.groups_of(consumer.scope)
    for group in consumer.revocation_groups:
        await consumer.channel_layer.group_add(group, consumer.channel_name)
    return True
