"""What every websocket consumer checks first, and how it reads its query.

Close codes: 4400 bad query, 4401 not signed in, 4404 no such container,
4409 the container is not running, 4503 engine unreachable. Origins other
than Dockside's own are refused before the handshake
(AllowedHostsOriginValidator in dashboard/asgi.py).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import QueryDict


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
