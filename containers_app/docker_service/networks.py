"""Networks: `docker network ls`, `inspect`, `create`, `connect`, `disconnect` and `rm`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import docker.types

from .client import client, engine_call
from .times import parse_docker_time
from .volumes import masked_options

BUILT_IN = {"bridge", "host", "none"}  # made by the engine; they cannot be removed


@dataclass(frozen=True)
class Endpoint:
    """A container on a network and its address there (its aliases are in its own inspect:
    the container list leaves them out)."""

    container_id: str
    container_name: str
    state: str
    ip_address: str
    ipv6_address: str
    mac_address: str

    @property
    def short_id(self) -> str:
        return self.container_id[:12]


@dataclass(frozen=True)
class Subnet:
    subnet: str
    gateway: str
    ip_range: str


@dataclass(frozen=True)
class NetworkSummary:
    id: str
    name: str
    driver: str
    scope: str
    created: datetime | None
    internal: bool
    attachable: bool
    ipv6: bool
    subnets: tuple[Subnet, ...]
    labels: dict[str, str] = field(hash=False)
    options: dict[str, str] = field(hash=False)
    endpoints: tuple[Endpoint, ...] = ()

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def built_in(self) -> bool:
        return self.name in BUILT_IN

    @property
    def unused(self) -> bool:
        """No container is attached: what `docker network prune` removes (built-ins aside)."""
        return not self.endpoints and not self.built_in


@dataclass(frozen=True)
class NetworkDetail(NetworkSummary):
    raw: dict = field(default_factory=dict, hash=False, compare=False)


def _subnets(item: dict) -> tuple[Subnet, ...]:
    return tuple(
        Subnet(c.get("Subnet", ""), c.get("Gateway", ""), c.get("IPRange", ""))
        for c in (item.get("IPAM") or {}).get("Config") or []
    )


def _endpoints_by_network(containers: list[dict]) -> dict[str, list[Endpoint]]:
    """Each network's containers, by network id, from one container list (the network list
    leaves them out). A container that never ran names its networks only by name: those are
    found under the name."""
    found: dict[str, list[Endpoint]] = {}
    for container in containers:
        name = (container.get("Names") or ["/"])[0].lstrip("/")
        networks = (container.get("NetworkSettings") or {}).get("Networks") or {}
        for network_name, settings in networks.items():
            found.setdefault(settings.get("NetworkID") or network_name, []).append(
                Endpoint(
                    container["Id"],
                    name,
                    container.get("State", ""),
                    settings.get("IPAddress", ""),
                    settings.get("GlobalIPv6Address", ""),
                    settings.get("MacAddress", ""),
                )
            )
    return found


def _summary(item: dict, endpoints: list[Endpoint], cls=NetworkSummary, **more):
    return cls(
        id=item["Id"],
        name=item.get("Name", ""),
        driver=item.get("Driver", ""),
        scope=item.get("Scope", ""),
        created=parse_docker_time(item.get("Created")),
        internal=bool(item.get("Internal")),
        attachable=bool(item.get("Attachable")),
        ipv6=bool(item.get("EnableIPv6")),
        subnets=_subnets(item),
        labels=item.get("Labels") or {},
        options=masked_options(item.get("Options")),
        endpoints=tuple(sorted(endpoints, key=lambda e: e.container_name)),
        **more,
    )


def list_networks() -> list[NetworkSummary]:
    """`docker network ls`, with each network's containers and addresses (one container
    list for all of them)."""
    api = client()
    with engine_call("network"):
        networks = api.networks()
        endpoints = _endpoints_by_network(api.containers(all=True))
    return [_summary(item, _endpoints_of(item, endpoints)) for item in networks]


def _endpoints_of(item: dict, endpoints: dict[str, list[Endpoint]]) -> list[Endpoint]:
    return endpoints.get(item["Id"], []) + endpoints.get(item.get("Name", ""), [])


def inspect_network(ref: str) -> NetworkDetail:
    """One network by id, short id or name, with its containers, running or not."""
    api = client()
    with engine_call("network", ref):
        item = api.inspect_network(ref)
        containers = api.containers(all=True, filters={"network": item["Id"]})
    endpoints = _endpoints_of(item, _endpoints_by_network(containers))
    raw = {
        **item,
        "Options": masked_options(item.get("Options")),
        "Labels": masked_options(item.get("Labels")),
    }
    return _summary(item, endpoints, NetworkDetail, raw=raw)


def create_network(
    name: str,
    driver: str,
    subnet: str,
    gateway: str,
    ip_range: str,
    internal: bool,
    attachable: bool,
    labels: dict[str, str],
    options: dict[str, str],
) -> NetworkDetail:
    api = client()
    ipam = None
    if subnet:
        pool = docker.types.IPAMPool(
            subnet=subnet, gateway=gateway or None, iprange=ip_range or None
        )
        ipam = docker.types.IPAMConfig(pool_configs=[pool])
    with engine_call("network", name):
        created = api.create_network(
            name,
            driver=driver,
            options=options or None,
            ipam=ipam,
            internal=internal,
            labels=labels or None,
            attachable=attachable or None,
            check_duplicate=True,
        )
    return inspect_network(created["Id"])


def connect_network(network: str, container: str, aliases: tuple[str, ...], ipv4: str) -> None:
    api = client()
    with engine_call():  # what is missing may be the network or the container: the engine says
        api.connect_container_to_network(
            container, network, aliases=list(aliases) or None, ipv4_address=ipv4 or None
        )


def disconnect_network(network: str, container: str, force: bool) -> None:
    api = client()
    with engine_call():
        api.disconnect_container_from_network(container, network, force=force)


def remove_network(network: str) -> None:
    api = client()
    with engine_call("network", network):
        api.remove_network(network)
