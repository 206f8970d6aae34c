"""`-p` and `--expose`: published ports (ranges included) and exposed ports."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

PROTOCOLS = ("tcp", "udp", "sctp")


def _port(text: str, original: str, what: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{original!r}: the {what} must be a number")
    number = int(text)
    if not 0 < number < 65536:
        raise ValueError(f"{original!r}: the {what} {number} is out of range (1-65535)")
    return number


def _range(text: str, original: str, what: str) -> tuple[int, int]:
    """`8080` or `8000-8010`: (first, last)."""
    first, dash, last = text.partition("-")
    start = _port(first, original, what)
    end = _port(last, original, what) if dash else start
    if end < start:
        raise ValueError(f"{original!r}: the {what} range {text} runs backwards")
    return start, end


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _protocol(text: str, original: str) -> str:
    protocol = text.lower()
    if protocol not in PROTOCOLS:
        raise ValueError(f"{original!r}: the protocol must be one of {', '.join(PROTOCOLS)}")
    return protocol


def long_syntax(text: str) -> str:
    """`published=8080,target=80,protocol=udp` as the CLI rewrites it: `8080:80/udp`."""
    params = {"protocol": "tcp"}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        if not eq or not key:
            raise ValueError(
                f"{text!r}: expected name=value pairs, such as published=8080,target=80"
            )
        params[key] = value
    return f"{params.get('published', '')}:{params.get('target', '')}/{params['protocol']}"


@dataclass(frozen=True)
class PortMapping:
    """`-p [host_ip:][host_port[-end]:]container_port[-end][/protocol]`.

    No host port: the engine picks a free one. A container range maps onto a host
    range of the same length; one container port onto a host range takes any
    free port of that range.
    """

    container_port: int
    protocol: str = "tcp"
    host_ip: str = ""
    host_port: int | None = None
    container_end: int | None = None  # the last port of a range
    host_end: int | None = None

    def __str__(self) -> str:
        target = _span(self.container_port, self.container_end or self.container_port)
        if self.protocol != "tcp":
            target += f"/{self.protocol}"
        host_ip = f"[{self.host_ip}]" if ":" in self.host_ip else self.host_ip
        host_port = (
            "" if self.host_port is None else _span(self.host_port, self.host_end or self.host_port)
        )
        if host_ip:
            return f"{host_ip}:{host_port}:{target}"
        if host_port:
            return f"{host_port}:{target}"
        return target

    @property
    def key(self) -> str:
        return f"{self.container_port}/{self.protocol}"

    def bindings(self) -> list[tuple[str, str]]:
        """(`port/proto`, host port) per container port, as the CLI sends them to the engine."""
        last = self.container_end or self.container_port
        count = last - self.container_port
        pairs = []
        for offset in range(count + 1):
            if self.host_port is None:
                host = ""
            elif count:  # a range onto a range of the same length
                host = str(self.host_port + offset)
            else:
                host = _span(self.host_port, self.host_end or self.host_port)
            pairs.append((f"{self.container_port + offset}/{self.protocol}", host))
        return pairs

    @classmethod
    def parse(cls, text: str) -> PortMapping:
        """`8080:80`, `127.0.0.1:8080:80/udp`, `[::1]::80`, `8000-8010:8000-8010`, `80`,
        or `published=8080,target=80`; ValueError says what is wrong."""
        value = text.strip()
        if "=" in value:
            value = long_syntax(value)
        rest, slash, protocol = value.rpartition("/")
        if not slash:
            rest, protocol = value, "tcp"
        protocol = _protocol(protocol, text)
        host_ip = ""
        if rest.startswith("["):
            address, bracket, rest = rest[1:].partition("]")
            if not bracket or not rest.startswith(":"):
                raise ValueError(f"{text!r}: write an IPv6 address as [::1]:8080:80")
            host_ip, rest = address, rest[1:]
            parts = ["", *rest.split(":")] if rest.count(":") == 1 else None
            if parts is None:
                raise ValueError(f"{text!r}: expected [ip]:host_port:container_port")
        else:
            parts = rest.split(":")
        if len(parts) == 3:
            host_ip = host_ip or parts[0]
            host, container = parts[1], parts[2]
        elif len(parts) == 2:
            host, container = parts
        elif len(parts) == 1:
            host, container = "", parts[0]
        else:
            raise ValueError(f"{text!r}: expected [ip:][host_port:]container_port[/protocol]")
        if host_ip:
            try:
                ipaddress.ip_address(host_ip)
            except ValueError as exc:
                raise ValueError(f"{text!r}: {host_ip!r} is not an IP address") from exc
        if not container:
            raise ValueError(f"{text!r}: the container port is missing")
        first, last = _range(container, text, "container port")
        host_first = host_last = None
        if host:
            host_first, host_last = _range(host, text, "host port")
            if last != first and host_last - host_first != last - first:
                raise ValueError(
                    f"{text!r}: a range of container ports needs a host range of the same"
                    f" length ({last - first + 1} ports)"
                )
        return cls(
            container_port=first,
            protocol=protocol,
            host_ip=host_ip,
            host_port=host_first,
            container_end=last if last != first else None,
            host_end=host_last if host_last != host_first else None,
        )


@dataclass(frozen=True)
class ExposedPorts:
    """`--expose 80`, `--expose 8000-8010/udp`: ports the container listens on, not published."""

    first: int
    last: int
    protocol: str = "tcp"

    def __str__(self) -> str:
        text = _span(self.first, self.last)
        return text if self.protocol == "tcp" else f"{text}/{self.protocol}"

    def port_keys(self) -> list[str]:
        return [f"{port}/{self.protocol}" for port in range(self.first, self.last + 1)]

    @classmethod
    def parse(cls, text: str) -> ExposedPorts:
        value = text.strip()
        ports, slash, protocol = value.partition("/")
        first, last = _range(ports, text, "port")
        return cls(first, last, _protocol(protocol, text) if slash else "tcp")
