"""The network pages: the list's rows and columns, the detail page's context."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.http import QueryDict

from .. import docker_service
from .listing import Column, Listing, build_listing

EPOCH = datetime.fromtimestamp(0, UTC)

COLUMNS = [
    Column("name", "Name", lambda n: (not n.built_in, n.name.lower())),
    Column("id", "Network ID", lambda n: n.id),
    Column("driver", "Driver", lambda n: n.driver),
    Column("scope", "Scope", lambda n: n.scope),
    Column("subnet", "Subnet · gateway"),
    Column("containers", "Containers", lambda n: len(n.endpoints)),
    Column("created", "Created", lambda n: n.created or EPOCH),
]


def _search_text(network: docker_service.NetworkSummary) -> str:
    containers = " ".join(f"{e.container_name} {e.ip_address}" for e in network.endpoints)
    subnets = " ".join(s.subnet for s in network.subnets)
    return f"{network.name} {network.id} {network.driver} {subnets} {containers}".lower()


def network_listing(params: QueryDict) -> Listing:
    networks = docker_service.list_networks()
    return build_listing(networks, params, COLUMNS, _search_text, "name")


def network_detail_context(network: docker_service.NetworkDetail) -> dict:
    return {
        "network": network,
        "raw_json": json.dumps(network.raw, indent=2, sort_keys=True),
        "command": f"docker network inspect {network.name}",
    }
