"""Identical engine calls made at the same moment, made once: a call that starts while the
same one (same endpoint, same arguments) is on its way waits for that one's answer
instead of asking the engine again. Fifty pages rendered together cost one
`/containers/json`, not fifty. Nothing is kept after the answer: the next call asks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class _Call:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result = None
        self.error: BaseException | None = None


_calls: dict[Hashable, _Call] = {}
_lock = threading.Lock()


def shared(key: Hashable, fetch: Callable[[], T]) -> T:
    """`fetch()`, or the answer of the identical call already on its way."""
    with _lock:
        call = _calls.get(key)
        leading = call is None
        if leading:
            call = _calls[key] = _Call()
    if not leading:
        call.done.wait()
        if call.error is not None:
            raise call.error
        return call.result
    try:
        call.result = fetch()
    except BaseException as exc:
        call.error = exc
        raise
    finally:
        with _lock:
            del _calls[key]
        call.done.set()
    return call.result
