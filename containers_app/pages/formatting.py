"""Pure formatting helpers that print values the way the docker CLI prints them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from ..docker_service.times import DOCKER_ZERO_TIME

_DECIMAL_UNITS = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
_BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def _scaled(size: float, base: float, units: tuple[str, ...]) -> tuple[float, str]:
    unit = 0
    while size >= base and unit < len(units) - 1:
        size /= base
        unit += 1
    return size, units[unit]


def human_size(size: int | float) -> str:
    """Decimal size as `docker images` prints it: 1.23MB, 5.6kB, 120B."""
    value, unit = _scaled(float(size), 1000.0, _DECIMAL_UNITS)
    return f"{value:.3g}{unit}"


def disk_size(size: int | float) -> str:
    """Decimal size as `docker system df` prints it (four digits): 3.967MB, 0B."""
    value, unit = _scaled(float(size), 1000.0, _DECIMAL_UNITS)
    return f"{value:.4g}{unit}"


def human_bytes(size: int | float) -> str:
    """Binary size as `docker stats` prints it: 512MiB, 1.5GiB."""
    value, unit = _scaled(float(size), 1024.0, _BINARY_UNITS)
    return f"{value:.4g}{unit}"


def human_duration(seconds: float) -> str:
    """A duration in words, as Docker's go-units HumanDuration writes it."""
    if seconds < 1:
        return "Less than a second"
    if seconds < 2:
        return "1 second"
    if seconds < 60:
        return f"{int(seconds)} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """`2 hours ago`, as the CREATED column of `docker ps` shows it."""
    if moment is None or moment <= DOCKER_ZERO_TIME:
        return ""
    now = now or datetime.now(UTC)
    return f"{human_duration(max(0.0, (now - moment).total_seconds()))} ago"


def format_port(host_ip: str, host_port: int | str | None, port: int | str, proto: str) -> str:
    """One port as `docker ps` shows it: `127.0.0.1:8080->80/tcp`, `[::]:8080->80/tcp`, `80/tcp`."""
    if not host_port:
        return f"{port}/{proto}"
    if ":" in host_ip:
        host_ip = f"[{host_ip}]"
    return f"{host_ip}:{host_port}->{port}/{proto}"


def format_ports(entries: Iterable) -> str:
    """The PORTS column, from a container summary's port entries, sorted and without repeats."""
    ordered = sorted(entries, key=lambda p: (p.private_port, p.protocol, p.public_port or 0, p.ip))
    shown = (format_port(p.ip, p.public_port, p.private_port, p.protocol) for p in ordered)
    return ", ".join(dict.fromkeys(shown))


def nano_cpus(value: int) -> str:
    """`--cpus` as the user typed it, from HostConfig.NanoCpus."""
    return f"{value / 1e9:g}"
