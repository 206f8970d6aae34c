"""The options of a log view, read from a query string (websocket or download).

`tail` (a number or `all`, default 100), `since` and `until` (`10m`, `1h`, a
time), `stdout` and `stderr` (1/0), `follow` (1/0), `timestamps` (1/0, how the
download prints lines), and `resume=SOURCE:TIMESTAMP:COUNT` for a viewer
that reconnects and wants only what it has not seen yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict

from ..docker_service import LogOptions
from .log_lines import STAMP, Position, parse_since

DEFAULT_TAIL = "100"
MAX_TAIL = 1_000_000


@dataclass(frozen=True)
class LogQuery:
    options: LogOptions
    timestamps: bool = False
    resume: dict[int, Position] = field(default_factory=dict)


def _flag(params: QueryDict, name: str, default: bool) -> bool:
    value = params.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "on", "yes"}:
        return True
    if value in {"0", "false", "off", "no"}:
        return False
    raise ValueError(f"{name} takes 1 or 0, not {value!r}")


def tail_value(value: str) -> str:
    value = value.strip().lower() or DEFAULT_TAIL
    if value == "all":
        return value
    if not value.isdigit() or int(value) > MAX_TAIL:
        raise ValueError(f"tail takes a number of lines (0 to {MAX_TAIL}) or all, not {value!r}")
    return str(int(value))


def _resume(values: list[str]) -> dict[int, Position]:
    positions = {}
    for value in values:
        source, _, rest = value.partition(":")
        timestamp, _, count = rest.rpartition(":")
        if not (source.isdigit() and count.isdigit() and STAMP.fullmatch(timestamp)):
            raise ValueError(f"resume takes SOURCE:TIMESTAMP:COUNT, not {value!r}")
        positions[int(source)] = Position(timestamp, int(count))
    return positions


def parse_log_query(params: QueryDict, follow_default: bool = True) -> LogQuery:
    """ValueError says which parameter is wrong."""
    stdout = _flag(params, "stdout", True)
    stderr = _flag(params, "stderr", True)
    if not (stdout or stderr):
        raise ValueError("choose stdout, stderr or both")
    return LogQuery(
        options=LogOptions(
            stdout=stdout,
            stderr=stderr,
            since=parse_since(params.get("since", "")),
            until=parse_since(params.get("until", "")),
            tail=tail_value(params.get("tail", "")),
            follow=_flag(params, "follow", follow_default),
        ),
        timestamps=_flag(params, "timestamps", False),
        resume=_resume(params.getlist("resume")),
    )
