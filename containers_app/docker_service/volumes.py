"""Volumes: what the host-access policy needs to know of them (issue 13 adds the rest)."""

from __future__ import annotations

from .client import NotFound, client, engine_call


def volume_bind_device(name: str) -> str | None:
    """The host directory a named volume really is (`local` driver, `o=bind` or `rbind`),
    else None.

    A volume that does not exist yet is None: the engine makes an ordinary one.
    """
    api = client()
    try:
        with engine_call("volume", name):
            volume = api.inspect_volume(name)
    except NotFound:
        return None
    options = volume.get("Options") or {}
    mount_options = {option.strip() for option in options.get("o", "").split(",")}
    if volume.get("Driver") == "local" and mount_options & {"bind", "rbind"}:
        return options.get("device") or None
    return None
