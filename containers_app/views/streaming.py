"""Downloads that stream under Daphne.

Django's ASGI handler reads a synchronous iterator whole (`sync_to_async(list)`) before it
sends a byte; an asynchronous one is sent block by block, and stopped (and its engine
stream closed) when the browser goes away. Each block is read from the engine in a
worker thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse


async def _blocks(source: Iterable[bytes]) -> AsyncIterator[bytes]:
    iterator = iter(source)
    step = sync_to_async(next, thread_sensitive=False)
    try:
        while (block := await step(iterator, None)) is not None:
            yield block
    finally:
        for closable in (iterator, source):
            if close := getattr(closable, "close", None):
                await sync_to_async(close, thread_sensitive=False)()


class Streamed(StreamingHttpResponse):
    """Closing the response closes its source too, even when no block was ever asked for
    (a client that gave up before the body)."""

    def __init__(self, source: Iterable[bytes], content_type: str):
        super().__init__(_blocks(source), content_type=content_type)
        self._source = source

    def close(self) -> None:
        if close := getattr(self._source, "close", None):
            close()
        super().close()


def streamed(source: Iterable[bytes], content_type: str) -> StreamingHttpResponse:
    return Streamed(source, content_type)
