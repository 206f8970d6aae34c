"""What every websocket consumer checks first, and how it reads its query.

Close codes: 4400 bad query, 4401 not signed in, 4404 no such container,
4409 the container is not running, 4503 engine unreachable. Origins other
than Dockside's own are refused before the handshake
(AllowedHostsOriginValidator in dashboard/asgi.py).
"""

from __future__ import annotations

import logging
from contextlib import suppress
from urllib.parse import parse_qs

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import QueryDict

logger = logging.getLogger(__name__)


class ReleasingConsumer(AsyncWebsocketConsumer):
    """A consumer whose `release()` runs once, however the socket ends, even by a failure.

    Channels does not call `disconnect()` when a handler raises; a consumer that
    holds threads, engine streams or exec sessions must not depend on that.
    Messages from the browser skip Channels' per-message database clean-up:
    these consumers use the database only while they connect.
    """

    released = False

    async def release(self) -> None:
        """Stop what the consumer started (threads, streams, subscriptions)."""

    async def disconnect(self, code) -> None:
        if not self.released:
            self.released = True
            await self.release()

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
            await self.disconnect(1011)
            with suppress(Exception):
                await self.close(code=1011)
            raise StopConsumer from None


def query_of(scope) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in parse_qs(scope.get("query_string", b"").decode("latin-1")).items():
        query.setlist(key, values)
    return query


async def signed_in(consumer: AsyncWebsocketConsumer) -> bool:
    """Accept the socket; close it at once with 4401 unless a user is signed in."""
    await consumer.accept()
    user = consumer.scope.get("user")
    if user is None or not user.is_authenticated:
        await consumer.close(code=4401, reason="sign in first")
        return False
    return True
