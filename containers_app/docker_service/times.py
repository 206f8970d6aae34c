"""The engine's times: RFC 3339 with nanoseconds, or Unix seconds; the zero time means never."""

from __future__ import annotations

from datetime import UTC, datetime

DOCKER_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)


def parse_docker_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if moment <= DOCKER_ZERO_TIME else moment


def from_epoch(seconds: int | float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds else None
