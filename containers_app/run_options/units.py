"""Numbers as `docker run` reads them: sizes, durations, CPUs, whole numbers.

Each `parse_*` raises ValueError with a sentence that says what to write; each
`format_*` gives text its `parse_*` reads back to the same value.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# go-units' RAMInBytes: binary units, an optional space, an optional i and b.
SIZE = re.compile(r"(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?", re.ASCII)
SIZE_UNITS = {None: 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
MIN_MEMORY = 6 * 1024 * 1024  # the engine refuses a smaller --memory
INT64_MAX = 2**63 - 1


def parse_size(text: str, what: str = "size") -> int:
    """`64m`, `1.5g`, `512`: bytes, as the docker CLI reads a size (1k = 1024 bytes)."""
    match = SIZE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r}: write the {what} as a number with a unit, such as 64m or 1g")
    unit = match[2].lower() if match[2] else None
    size = int(float(match[1]) * SIZE_UNITS[unit])  # the CLI computes it as a float64
    if size > INT64_MAX:
        raise ValueError(f"{text!r}: the {what} is too large")
    return size


def format_size(size: int) -> str:
    for suffix, unit in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if size and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def parse_memory(text: str) -> int:
    """`--memory 64m` to bytes; the engine allows no less than 6m."""
    size = parse_size(text, "memory limit")
    if size < MIN_MEMORY:
        raise ValueError(f"{text!r}: the smallest memory limit Docker allows is 6m")
    return size


format_memory = format_size


def parse_swap(text: str) -> int:
    """`--memory-swap`: memory plus swap, or -1 for unlimited swap."""
    if text.strip() == "-1":
        return -1
    return parse_size(text, "memory plus swap limit")


def format_swap(size: int) -> str:
    return "-1" if size == -1 else format_size(size)


def parse_cpus(text: str) -> int:
    """`--cpus 0.5` to nano CPUs, as the CLI computes NanoCPUs."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(f"{text!r}: expected a number of CPUs such as 0.5 or 2") from exc
    nano = value * 10**9
    if not value.is_finite() or nano != nano.to_integral_value():
        raise ValueError(f"{text!r}: at most 9 decimal places")
    if nano <= 0:
        raise ValueError(f"{text!r}: the number of CPUs must be more than 0")
    return int(nano)


def format_cpus(nano_cpus: int) -> str:
    text = f"{Decimal(nano_cpus) / 10**9:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def integer(low: int, high: int, what: str):
    """A parser of whole numbers from `low` to `high`."""

    def parse(text: str) -> int:
        value = text.strip()
        if not re.fullmatch(r"[-+]?\d{1,19}", value):
            raise ValueError(f"{text!r}: the {what} is a whole number ({low} to {high})")
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"{text!r}: the {what} must be from {low} to {high}")
        return number

    return parse


# Go's time.ParseDuration: a sequence of decimal numbers, each with a unit.
DURATION_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
MILLISECOND = 1_000_000


def parse_duration(text: str, what: str = "duration") -> int:
    """`30s`, `1m30s`, `500ms`: nanoseconds, as the CLI reads a duration."""
    value = text.strip()
    if value == "0":
        return 0
    position, total = 0, Decimal(0)
    while position < len(value):
        match = DURATION_PART.match(value, position)
        if not match:
            raise ValueError(f"{text!r}: write the {what} with a unit, such as 30s, 1m30s or 500ms")
        total += Decimal(match[1]) * DURATION_UNITS[match[2]]
        position = match.end()
    if not value or total > INT64_MAX:
        raise ValueError(f"{text!r}: write the {what} with a unit, such as 30s, 1m30s or 500ms")
    return int(total)


def format_duration(nanoseconds: int) -> str:
    """The shortest text `parse_duration` reads back exactly: `1m30s`, `500ms`, `1.5s`."""
    if nanoseconds == 0:
        return "0s"
    for unit, size in (("h", 3600 * 10**9), ("m", 60 * 10**9)):
        if nanoseconds % size == 0:
            return f"{nanoseconds // size}{unit}"
    hours, rest = divmod(nanoseconds, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    if rest % 10**9 == 0 or rest >= 10**9:
        seconds = f"{Decimal(rest) / 10**9:f}"
        seconds = seconds.rstrip("0").rstrip(".") if "." in seconds else seconds
        tail = f"{seconds}s" if rest else ""
    elif rest % MILLISECOND == 0:
        tail = f"{rest // MILLISECOND}ms"
    elif rest % 1_000 == 0:
        tail = f"{rest // 1_000}us"
    else:
        tail = f"{rest}ns"
    head = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return head + tail


def positive_duration(what: str, minimum: int = MILLISECOND):
    """A duration parser that refuses what the engine refuses (under 1 ms, except 0)."""

    def parse(text: str) -> int:
        value = parse_duration(text, what)
        if 0 < value < minimum:
            raise ValueError(f"{text!r}: the {what} must be 0 or at least 1ms")
        return value

    return parse
