"""`asyncio.to_thread` for work that renders links.

Django's script prefix (what `reverse()` puts before every path: `/e/NAME/` on another
engine) is kept per thread as well as per context, so a worker thread would not see
the websocket session's; this carries it over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from django.urls import clear_script_prefix, get_script_prefix, set_script_prefix

T = TypeVar("T")


async def to_thread(work: Callable[..., T], *args) -> T:
    prefix = get_script_prefix()

    def run() -> T:
        set_script_prefix(prefix)
        try:
            return work(*args)
        finally:
            clear_script_prefix()

    return await asyncio.to_thread(run)
