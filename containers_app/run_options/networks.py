"""`--network` (also its long form), `--add-host`, `--link`, DNS and addresses."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from .storage import csv_fields, csv_line

NETWORK_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", re.ASCII)
BUILT_IN = ("default", "bridge", "host", "none")
LONG_SYNTAX = re.compile(r"\w+=\w+(,\w+=\w+)*")  # the CLI's test (a search, as Go's MatchString)
MAC = re.compile(
    r"(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}|(?:[0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}", re.ASCII
)
DOMAIN = re.compile(r"\.|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.?)+", re.ASCII)
NETWORK_KEYS = ("name", "alias", "ip", "ip6", "mac-address", "link-local-ip", "driver-opt")


def user_defined(name: str) -> bool:
    """Not one of the built-in modes (bridge, host, none, default, container:...)."""
    return name not in BUILT_IN and not name.startswith("container:")


def check_network_name(name: str, text: str = "") -> str:
    target = name.removeprefix("container:")
    if not NETWORK_NAME.fullmatch(target):
        raise ValueError(f"{text or name!r}: invalid network name {name!r}")
    return name


def ip_address(version: int, what: str):
    """A parser of IPv4 (4) or IPv6 (6) addresses, in the form the CLI sends."""

    def parse(text: str) -> str:
        try:
            address = ipaddress.ip_address(text.strip())
        except ValueError as exc:
            raise ValueError(f"{text!r}: the {what} is not an IP address") from exc
        if version == 4 and address.version != 4:
            raise ValueError(f"{text!r}: the {what} is an IPv4 address, such as 172.30.100.104")
        if version == 6 and address.version != 6:
            raise ValueError(f"{text!r}: the {what} is an IPv6 address, such as 2001:db8::33")
        return str(address)

    return parse


def any_ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError as exc:
        raise ValueError(f"{text!r}: not an IP address, such as 8.8.8.8") from exc


def mac_address(text: str) -> str:
    value = text.strip()
    if not MAC.fullmatch(value):
        raise ValueError(f"{text!r}: a MAC address is six hex pairs, such as 92:d0:c6:0a:29:33")
    return value


def domain_name(text: str) -> str:
    value = text.strip()
    if not DOMAIN.fullmatch(value) or value == "." or len(value) > 255:
        raise ValueError(f"{text!r}: write a domain name, such as example.com")
    return value


def dns_search(text: str) -> str:
    value = text.strip()
    if not DOMAIN.fullmatch(value) or len(value) > 255:
        raise ValueError(f"{text!r}: a search domain is a DNS name, such as example.com")
    return value


@dataclass(frozen=True)
class NetworkAttachment:
    """`--network NAME`, or `--network name=NAME,alias=a,ip=...,mac-address=...,driver-opt=k=v`."""

    name: str
    aliases: tuple[str, ...] = ()
    ip: str = ""
    ip6: str = ""
    mac_address: str = ""
    link_local_ips: tuple[str, ...] = ()
    driver_opts: tuple[tuple[str, str], ...] = ()
    long: bool = False  # written in the long form

    def __str__(self) -> str:
        if not self.long:
            return self.name
        fields = [f"name={self.name}"]
        fields += [f"alias={alias}" for alias in self.aliases]
        if self.ip:
            fields.append(f"ip={self.ip}")
        if self.ip6:
            fields.append(f"ip6={self.ip6}")
        if self.mac_address:
            fields.append(f"mac-address={self.mac_address}")
        fields += [f"link-local-ip={ip}" for ip in self.link_local_ips]
        fields += [f"driver-opt={key}={value}" for key, value in self.driver_opts]
        return csv_line(fields)

    @classmethod
    def parse(cls, text: str) -> NetworkAttachment:
        value = text.strip()
        if not LONG_SYNTAX.search(value):
            return cls(check_network_name(value, text))
        values: dict[str, list[str]] = {key: [] for key in NETWORK_KEYS}
        for field in csv_fields(value):
            # The CLI reads the long form in lower case, values included.
            key, eq, item = field.lower().partition("=")
            key, item = key.strip(), item.strip()
            if not eq or not key:
                raise ValueError(f"{text!r}: {field!r} is not a key=value pair")
            if key == "gw-priority":
                raise ValueError(f"{text!r}: gw-priority needs Docker Engine API 1.48 (Docker 28)")
            if key not in values:
                raise ValueError(f"{text!r}: unknown key {key!r}; use {', '.join(NETWORK_KEYS)}")
            values[key].append(item)
        name = (values["name"] or [""])[-1]
        if not name:
            raise ValueError(f"{text!r}: name the network (name=...)")
        check_network_name(name, text)
        aliases = tuple(values["alias"])
        if aliases and not user_defined(name):
            raise ValueError(f"{text!r}: aliases work on networks you create, not on {name}")
        driver_opts = []
        for option in values["driver-opt"]:
            key, eq, item = option.partition("=")
            if not eq or not key.strip():
                raise ValueError(f"{text!r}: driver-opt is key=value, not {option!r}")
            driver_opts.append((key.strip(), item.strip()))
        last = {key: (items or [""])[-1] for key, items in values.items()}
        return cls(
            name=name,
            aliases=aliases,
            ip=ip_address(4, "IPv4 address")(last["ip"]) if last["ip"] else "",
            ip6=ip_address(6, "IPv6 address")(last["ip6"]) if last["ip6"] else "",
            mac_address=mac_address(last["mac-address"]) if last["mac-address"] else "",
            link_local_ips=tuple(any_ip(ip) for ip in values["link-local-ip"]),
            driver_opts=tuple(dict(driver_opts).items()),
            long=True,
        )


@dataclass(frozen=True)
class ExtraHost:
    """`--add-host db:10.0.0.5` (or `db=10.0.0.5`, `db=[::1]`, `gw:host-gateway`)."""

    host: str
    address: str

    def __str__(self) -> str:
        return f"{self.host}:{self.address}"

    @classmethod
    def parse(cls, text: str) -> ExtraHost:
        value = text.strip()
        host, eq, address = value.partition("=")
        if not eq:
            host, _, address = value.partition(":")
        if not host or ":" in host or not address:
            raise ValueError(f"{text!r}: write host:address, such as db:10.0.0.5")
        if address != "host-gateway":
            if len(address) > 2 and address[0] == "[" and address[-1] == "]":
                address = address[1:-1]
            try:
                ipaddress.ip_address(address)
            except ValueError as exc:
                raise ValueError(f"{text!r}: {address!r} is not an IP address") from exc
        return cls(host, address)


@dataclass(frozen=True)
class Link:
    """`--link other[:alias]`: the legacy way to reach another container by name."""

    container: str
    alias: str = ""

    def __str__(self) -> str:
        return f"{self.container}:{self.alias}" if self.alias else self.container

    @classmethod
    def parse(cls, text: str) -> Link:
        parts = text.strip().split(":")
        if len(parts) > 2 or not parts[0] or (len(parts) == 2 and not parts[1]):
            raise ValueError(f"{text!r}: write container[:alias], such as db:database")
        container = parts[0].lstrip("/")
        alias = parts[1] if len(parts) == 2 and parts[1] != container else ""
        return cls(container, alias)
