"""What a Compose project made besides its containers: its networks and volumes, found by
the project's label (one call for each kind)."""

from __future__ import annotations

from dataclasses import dataclass

from .client import client, engine_call


@dataclass(frozen=True)
class Made:
    kind: str  # network or volume
    name: str
    driver: str


def labelled_networks_and_volumes(label: str) -> list[Made]:
    """Networks and volumes carrying `label` (`key=value`)."""
    api = client()
    with engine_call("network"):
        networks = api.networks(filters={"label": label})
        volumes = api.volumes(filters={"label": label}).get("Volumes") or []
    found = [Made("network", n.get("Name", ""), n.get("Driver", "")) for n in networks]
    found += [Made("volume", v.get("Name", ""), v.get("Driver", "")) for v in volumes]
    return sorted(found, key=lambda made: (made.kind, made.name))
