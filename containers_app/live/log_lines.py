"""Container log streams cut into whole lines, and the times that name a place in them.

Pure: bytes in, lines out. Dockside always asks the engine for timestamps, so
every line carries the daemon's RFC 3339 time (nanoseconds) and a viewer can
resume exactly where it stopped. The engine splits lines longer than 16 KB
into several entries, each with its own timestamp and no newline but the
last: they are joined back into one line here, up to `max_line` bytes (a
longer line goes on as a new line with the same timestamp: memory stays
bounded whatever a container prints).

Lines travel as *records*, the bytes the browser receives:

    {stream}{source} {timestamp} {text}\n

stream is 1 (stdout) or 2 (stderr; TTY containers have stdout only), source
the container's index in a merged view (0 otherwise). A multiplexed entry is
already `{timestamp} {text}\n`, so the common case costs one copy per line:
no decoding, no objects, no JSON; that is what lets a viewer keep up with
`docker logs`. The browser decodes the UTF-8 (bad bytes become U+FFFD).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..docker_service.frames import HEADER, HEADER_SIZE, STDOUT

LogLine = tuple[int, int, str, str]  # stream, source, timestamp, text: records decoded
SPLIT_SIZE = 16 * 1024  # the engine cuts longer lines into entries of this many bytes
MAX_LINE = 1024 * 1024  # a longer line (a progress bar that never prints \n) is cut here
TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) ")


@dataclass(frozen=True)
class Records:
    """Some lines as records, and how many."""

    data: bytes
    count: int

    def __bool__(self) -> bool:
        return self.count > 0


class LogParser:
    """Feed it the bytes of a `/containers/{id}/logs?timestamps=1` response, in any pieces."""

    def __init__(self, tty: bool, source: int = 0, max_line: int = MAX_LINE) -> None:
        self.tty = tty
        self.max_line = max_line
        self._buffer = bytearray()
        self._prefix = {stream: b"%d%d " % (stream, source) for stream in (1, 2)}
        self._partial: dict[int, bytearray] = {}  # stream -> `timestamp text` so far

    def feed(self, data: bytes) -> Records:
        out = bytearray()
        self._buffer += data
        count = self._cut_tty(out, final=False) if self.tty else self._cut_frames(out)
        return Records(bytes(out), count)

    def flush(self) -> Records:
        """At the end of the stream: whatever waited for a newline is a line too."""
        out = bytearray()
        count = self._cut_tty(out, final=True) if self.tty else 0
        for stream, text in sorted(self._partial.items()):
            if text.find(b" ") == len(text) - 1:
                continue  # only the timestamp of a cut line, whose text all went out
            out += self._prefix[stream] + text + b"\n"
            count += 1
        self._partial.clear()
        return Records(bytes(out), count)

    def _cut_frames(self, out: bytearray) -> int:
        """Multiplexed entries: an 8-byte header (stream, size), then `TIMESTAMP SP text`.

        The loop runs once per line of every log: what it looks up is looked up before.
        """
        buffer = self._buffer
        unpack = HEADER.unpack_from
        prefix = self._prefix
        other = prefix[STDOUT]  # an unknown stream number is shown as stdout
        partial = self._partial  # the same dict, filled and emptied by _entry
        position = count = 0
        end = len(buffer)
        last_header = end - HEADER_SIZE
        with memoryview(buffer) as view:
            while position <= last_header:
                stream, size = unpack(buffer, position)
                start = position + HEADER_SIZE
                stop = start + size
                if stop > end:
                    break
                if size and buffer[stop - 1] == 10 and not partial:
                    out += prefix.get(stream, other)
                    out += view[start:stop]
                    count += 1
                else:
                    count += self._entry(
                        stream if stream in prefix else STDOUT, bytes(view[start:stop]), out
                    )
                position = stop
        del buffer[:position]
        return count

    def _entry(self, stream: int, payload: bytes, out: bytearray) -> int:
        """One log entry, `TIMESTAMP SP text`, ending in a newline unless it was split.

        Pieces are joined up to `max_line` bytes; a longer line is delivered in
        parts of that size.
        """
        pending = self._partial.pop(stream, None)
        if pending is not None:  # a continuation: its own timestamp goes, its text stays
            space = payload.find(b" ")
            pending += payload[space + 1 :] if space > 0 else payload
            payload = pending
        if not payload.endswith(b"\n"):
            if len(payload) < self.max_line:
                self._partial[stream] = bytearray(payload)
                return 0
            space = payload.find(b" ")
            self._partial[stream] = bytearray(payload[: space + 1])  # the line goes on
            payload = bytes(payload) + b"\n"
        out += self._prefix[stream] + payload.rstrip(b"\r\n") + b"\n"
        return 1

    def _cut_tty(self, out: bytearray, final: bool) -> int:
        """A TTY log is raw: entries are `TIMESTAMP SP text` up to a newline, or 16 KB pieces."""
        raw = self._buffer
        position = count = 0
        while position < len(raw):
            match = TIMESTAMP.match(raw, position)
            if not match and not final and len(raw) - position < 40:
                break  # a timestamp may be arriving in pieces
            start = match.end() if match else position
            newline = raw.find(b"\n", start, start + SPLIT_SIZE)
            if newline >= 0:
                stop = newline + 1
            elif len(raw) - start >= SPLIT_SIZE:
                stop = start + SPLIT_SIZE
            elif final:
                stop = len(raw)
            else:
                break
            count += self._entry(STDOUT, bytes(raw[position:stop]), out)
            position = stop
        del raw[:position]
        return count


def lines_of(data: bytes) -> list[LogLine]:
    """Records decoded: (stream, source, timestamp, text) per line."""
    lines = []
    for record in data.split(b"\n")[:-1]:
        head, _, rest = record.partition(b" ")
        timestamp, _, text = rest.partition(b" ")
        lines.append((head[0] - 48, int(head[1:]), timestamp.decode("ascii"), _decode(text)))
    return lines


@dataclass(frozen=True)
class Position:
    """Where a viewer is in a log: the last timestamp delivered and how many lines carried it."""

    timestamp: str
    count: int = 1


NEWEST_WITHIN = 4096  # bytes searched from the end of a batch for the other stream's newest


def newest_position(data: bytes, previous: Position | None = None) -> Position | None:
    """The newest timestamp delivered so far and how many records carried it.

    The engine stamps stdout and stderr in two threads, so a log can step back in time
    by a hair where they meet (out-2 before err-1 though err-1 is older): a resume from
    the last record's timestamp would replay out-2. Each stream alone is in order, so
    the newest is the last record of one of them. Only the end of `data` is searched,
    and only those (at most two) timestamps are parsed: this runs for every batch.
    """
    if not data:
        return previous
    last = data.rfind(b"\n", 0, len(data) - 1) + 1
    low = min(last, max(0, len(data) - NEWEST_WITHIN))
    starts = {last}
    for stream in {b"0", b"1", b"2"} - {data[last : last + 1]}:
        start = data.rfind(b"\n" + stream, low) + 1
        if start or data.startswith(stream):
            starts.add(start)
    newest_key, newest, count = None, None, 0
    if previous is not None:
        newest, count = previous.timestamp.encode("ascii"), previous.count
        newest_key = stamp_key(previous.timestamp)
    for stamp in {_stamp_of(data, start) for start in starts}:
        try:
            key = stamp_key(stamp.decode("ascii"))
        except ValueError:
            continue
        if newest_key is None or key > newest_key:
            newest_key, newest, count = key, stamp, 0
        if key == newest_key:
            count += _records_stamped(data, low, stamp)
    return Position(newest.decode("ascii"), count) if newest else previous


def _stamp_of(data: bytes, start: int) -> bytes:
    """The timestamp of the record that starts at `start`."""
    stamp_start = data.find(b" ", start) + 1
    return data[stamp_start : data.find(b" ", stamp_start)]


def _records_stamped(data: bytes, low: int, stamp: bytes) -> int:
    """How many records from `low` on carry `stamp` (a text may hold it too: not counted)."""
    count, at = 0, data.find(stamp, low)
    while at >= 0:
        head = data[data.rfind(b"\n", 0, at) + 1 : at]
        count += head[-1:] == b" " and head[:-1].isdigit()
        at = data.find(stamp, at + len(stamp))
    return count


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


def record_stamp(record: bytes) -> tuple[int, int] | None:
    """The stamp key of one record (without its newline); None when it has no timestamp."""
    parts = record.split(b" ", 2)
    try:
        return stamp_key(parts[1].decode("ascii")) if len(parts) > 1 else None
    except ValueError:  # UnicodeDecodeError included
        return None


def since_param(timestamp: str) -> str:
    """The engine's `since` value (Unix seconds with nanoseconds) for an RFC 3339 timestamp."""
    seconds, nanoseconds = stamp_key(timestamp)
    return f"{seconds}.{nanoseconds:09d}"


DURATION = re.compile(r"(?:\d+(?:\.\d+)?[smhdw])+", re.IGNORECASE | re.ASCII)
DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])", re.IGNORECASE | re.ASCII)
UNIX_SECONDS = re.compile(r"\d{1,12}(\.\d{1,9})?", re.ASCII)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
EPOCH = "0.000000001"  # the earliest time the engine takes as a time


def parse_since(text: str, now: datetime | None = None) -> str:
    """`10m`, `1h30m`, `2d`, an ISO time or Unix seconds -> the engine's `since` value.

    ValueError says what is wrong; an empty text means "from the beginning" ("").
    """
    value = text.strip().replace(" ", "")
    if not value:
        return ""
    if UNIX_SECONDS.fullmatch(value):
        return value
    try:
        if DURATION.fullmatch(value):
            parts = DURATION_PART.findall(value)
            seconds = sum(float(n) * UNITS[unit.lower()] for n, unit in parts)
            moment = (now or datetime.now(UTC)) - timedelta(seconds=seconds)
            return f"{moment.timestamp():.9f}"
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except OverflowError:  # further back than year 1: as good as the Unix epoch for logs
        return EPOCH  # not "0": to the engine, until=0 means no limit
    except ValueError as exc:
        raise ValueError(
            f"{text!r}: write a duration such as 10m, 1h or 2d, or a time such as 2026-11-23T10:00"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.timestamp():.9f}"


def cli_since(text: str) -> str:
    """`since` as the docker CLI takes it, meaning what `parse_since` means.

    The CLI reads Go durations (s, m, h only, in lower case: `2d` becomes `48h`),
    times and Unix seconds; a time is given as the Unix seconds Dockside asks
    the engine for, so no time zone can read it differently.
    """
    value = text.strip().replace(" ", "")
    if not value or UNIX_SECONDS.fullmatch(value):
        return value
    if not DURATION.fullmatch(value):
        return parse_since(value)
    parts = DURATION_PART.findall(value)
    if all(unit.lower() in "smh" for _, unit in parts):
        return "".join(number + unit.lower() for number, unit in parts)
    hours, rest = divmod(sum(float(n) * UNITS[unit.lower()] for n, unit in parts), 3600)
    minutes, seconds = divmod(rest, 60)
    seconds_text = f"{seconds:.9f}".rstrip("0").rstrip(".")
    return (
        "".join(
            f"{amount}{unit}"
            for amount, unit in (
                (f"{int(hours)}", "h"),
                (f"{int(minutes)}", "m"),
                (seconds_text, "s"),
            )
            if amount not in {"0", ""}
        )
        or "0s"
    )
