"""Container log streams cut into whole lines, and the times that name a place in them.

Pure: bytes in, lines out. Dockside always asks the engine for timestamps, so
every line carries the daemon's RFC 3339 time (nanoseconds) and a viewer can
resume exactly where it stopped. The engine splits lines longer than 16 KB
into several entries, each with its own timestamp and no newline but the
last: they are joined back into one line here.

A line is a tuple `(stream, timestamp, text)`, stream 1 for stdout and 2 for
stderr (TTY containers have stdout only).
"""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime, timedelta

from .frames import HEADER_SIZE, STDOUT

LogLine = tuple[int, str, str]
HEADER = struct.Struct(">B3xI")  # stream byte, three zero bytes, big-endian payload size
SPLIT_SIZE = 16 * 1024  # the engine cuts longer lines into entries of this many bytes
TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) ")


class LogParser:
    """Feed it the bytes of a `/containers/{id}/logs?timestamps=1` response, in any pieces."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self._buffer = bytearray()
        self._partial: dict[int, tuple[str, bytearray]] = {}  # stream -> (first ts, text so far)

    def feed(self, data: bytes) -> list[LogLine]:
        lines: list[LogLine] = []
        self._buffer += data
        if self.tty:
            self._cut_tty(lines, final=False)
        else:
            self._cut_frames(lines)
        return lines

    def flush(self) -> list[LogLine]:
        """At the end of the stream: whatever waited for a newline is a line too."""
        lines: list[LogLine] = []
        if self.tty:
            self._cut_tty(lines, final=True)
        for stream, (timestamp, text) in sorted(self._partial.items()):
            lines.append((stream, timestamp, _decode(text)))
        self._partial.clear()
        return lines

    def _cut_frames(self, lines: list[LogLine]) -> None:
        """Multiplexed entries: an 8-byte header (stream, size), then `TIMESTAMP SP text`.

        The loop is written for speed: one decode and one partition per whole line.
        """
        buffer = self._buffer
        append = lines.append
        unpack = HEADER.unpack_from
        position = 0
        end = len(buffer)
        while end - position >= HEADER_SIZE:
            stream, size = unpack(buffer, position)
            start = position + HEADER_SIZE
            stop = start + size
            if stop > end:
                break
            if size and buffer[stop - 1] == 10 and not self._partial:
                text = buffer[start : stop - 1].decode("utf-8", "replace")
                timestamp, _, text = text.partition(" ")
                append((stream, timestamp, text[:-1] if text.endswith("\r") else text))
            else:
                self._entry(stream, bytes(buffer[start:stop]), lines)
            position = stop
        del buffer[:position]

    def _entry(self, stream: int, payload: bytes, lines: list[LogLine]) -> None:
        """One log entry: `TIMESTAMP SP text`, ending in a newline unless it was split."""
        space = payload.find(b" ")
        timestamp = payload[:space].decode("ascii", "replace") if space > 0 else ""
        text = payload[space + 1 :] if space > 0 else payload
        pending = self._partial.pop(stream, None)
        if not text.endswith(b"\n"):
            if pending:
                pending[1].extend(text)
                self._partial[stream] = pending
            else:
                self._partial[stream] = (timestamp, bytearray(text))
            return
        if pending:
            pending[1].extend(text)
            timestamp, text = pending
        lines.append((stream, timestamp, _decode(text[:-1])))

    def _cut_tty(self, lines: list[LogLine], final: bool) -> None:
        """A TTY log is raw: entries are `TIMESTAMP SP text` up to a newline, or 16 KB pieces."""
        raw = self._buffer
        position = 0
        while position < len(raw):
            match = TIMESTAMP.match(raw, position)
            if not match and not final and len(raw) - position < 40:
                break  # a timestamp may be arriving in pieces
            start = match.end() if match else position
            newline = raw.find(b"\n", start, start + SPLIT_SIZE)
            if newline >= 0:
                self._entry(STDOUT, bytes(raw[position : newline + 1]), lines)
                position = newline + 1
            elif len(raw) - start >= SPLIT_SIZE:
                self._entry(STDOUT, bytes(raw[position : start + SPLIT_SIZE]), lines)
                position = start + SPLIT_SIZE
            elif final:
                self._entry(STDOUT, bytes(raw[position:]), lines)
                position = len(raw)
            else:
                break
        del raw[:position]


def _decode(text: bytes | bytearray) -> str:
    return bytes(text).rstrip(b"\r").decode("utf-8", "replace")


STAMP = re.compile(
    r"(?P<base>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(?P<fraction>\d{1,9}))?(?P<zone>Z|[+-]\d\d:\d\d)"
)


def stamp_key(timestamp: str) -> tuple[int, int]:
    """(seconds, nanoseconds) of an RFC 3339 timestamp, for exact ordering and comparison.

    The daemon trims trailing zeros from the fraction, so the strings do not sort.
    """
    match = STAMP.fullmatch(timestamp)
    if not match:
        raise ValueError(f"not a log timestamp: {timestamp!r}")
    zone = "+00:00" if match["zone"] == "Z" else match["zone"]
    seconds = int(datetime.fromisoformat(match["base"] + zone).timestamp())
    return seconds, int((match["fraction"] or "").ljust(9, "0"))


def since_param(timestamp: str) -> str:
    """The engine's `since` value (Unix seconds with nanoseconds) for an RFC 3339 timestamp."""
    seconds, nanoseconds = stamp_key(timestamp)
    return f"{seconds}.{nanoseconds:09d}"


DURATION = re.compile(r"(?:\d+(?:\.\d+)?[smhdw])+", re.IGNORECASE)
DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])", re.IGNORECASE)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str, now: datetime | None = None) -> str:
    """`10m`, `1h30m`, `2d`, an ISO time or Unix seconds -> the engine's `since` value.

    ValueError says what is wrong; an empty text means "from the beginning" ("").
    """
    value = text.strip().replace(" ", "")
    if not value:
        return ""
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return value
    if DURATION.fullmatch(value):
        seconds = sum(float(n) * UNITS[unit.lower()] for n, unit in DURATION_PART.findall(value))
        moment = (now or datetime.now(UTC)) - timedelta(seconds=seconds)
        return f"{moment.timestamp():.9f}"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(
            f"{text!r}: write a duration such as 10m, 1h or 2d, or a time such as 2026-11-23T10:00"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.timestamp():.9f}"
