"""The id of the request (or websocket session) being served: in every log line it
causes and in the audit entry of every action it runs, so one can be found from the
other. A context variable: threads a request starts (jobs) are given a copy of it."""

from __future__ import annotations

import contextvars
import logging
import uuid

_current: contextvars.ContextVar[str] = contextvars.ContextVar("dockside_request", default="")


def begin() -> contextvars.Token:
    """A new id for what starts now (a request, a websocket session)."""
    return _current.set(uuid.uuid4().hex[:16])


def end(token: contextvars.Token) -> None:
    _current.reset(token)


def current() -> str:
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every log record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True
