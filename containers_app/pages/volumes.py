"""The volume pages: the list's rows and columns, the detail page's context."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.http import QueryDict

from .. import docker_service
from .listing import Column, Listing, build_listing

EPOCH = datetime.fromtimestamp(0, UTC)

COLUMNS = [
    Column("name", "Name", lambda v: (v.anonymous, v.name.lower())),
    Column("driver", "Driver", lambda v: v.driver),
    Column("mountpoint", "Mountpoint"),
    Column("created", "Created", lambda v: v.created or EPOCH),
    Column("size", "Size", lambda v: v.size if v.size is not None else -1),
    Column("containers", "Used by", lambda v: len(v.users)),
]


def _search_text(volume: docker_service.VolumeSummary) -> str:
    users = " ".join(user.name for user in volume.users)
    labels = " ".join(f"{k}={v}" for k, v in volume.labels.items())
    return f"{volume.name} {volume.driver} {users} {labels}".lower()


def volume_listing(params: QueryDict) -> tuple[Listing, bool]:
    """The list, and whether it has sizes (`?sizes=1`: one `/system/df`, which walks every
    volume's files, so only when asked)."""
    sizes = params.get("sizes") == "1"
    volumes = docker_service.list_volumes(sizes=sizes)
    if params.get("dangling") == "1":
        volumes = [volume for volume in volumes if volume.dangling]
    return build_listing(volumes, params, COLUMNS, _search_text, "-created"), sizes


def list_command(params: QueryDict) -> str:
    if params.get("sizes") == "1":
        return "docker system df -v"
    return "docker volume ls" + (" -f dangling=true" if params.get("dangling") == "1" else "")


def volume_detail_context(volume: docker_service.VolumeDetail) -> dict:
    return {
        "volume": volume,
        "raw_json": json.dumps(volume.raw, indent=2, sort_keys=True),
        "command": f"docker volume inspect {volume.name}",
    }
