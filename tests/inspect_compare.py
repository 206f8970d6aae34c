"""Two containers' `docker inspect`, compared field by field: what a `docker run` decides.

Everything in Config and HostConfig counts, and each network's aliases and
addresses, except what differs by nature between two containers made the same
way: ids, names, times, the engine-picked hostname, where the engine put
their files, and the attach flags of how the client waited.
"""

from __future__ import annotations

from tests import support

NOT_CONFIG = {"Hostname", "AttachStdin", "AttachStdout", "AttachStderr", "StdinOnce"}
EMPTY = (None, [], {}, "")
NOT_HOST = {"ContainerIDFile", "ConsoleSize"}
UNORDERED_HOST = {"Binds", "CapAdd", "CapDrop", "Dns", "DnsSearch", "DnsOptions", "ExtraHosts"}


def _volume_name(mount: dict) -> str:
    name = mount.get("Name") or ""
    anonymous = mount["Type"] == "volume" and not name.startswith(support.NAME_PREFIX)
    return "" if anonymous else name or mount.get("Source", "")


def _empty_as_none(values: dict) -> dict:
    """null, [] and {} mean the same to the engine; clients send one or another."""
    return {key: None if value in EMPTY else value for key, value in values.items()}


def comparable(inspect: dict, names: tuple[str, ...] = ()) -> dict:
    """The parts of an inspect that the command decides; `names` (the containers') are
    replaced by a placeholder wherever they appear (links, aliases). Values the engine
    reads alike are written alike (CAP_NET_ADMIN and NET_ADMIN, "" and "no").

    The docker CLI collects `-e` in a map: their order varies, and the same entry given
    twice arrives once. A path in Config.Volumes that a bind or mount also covers is the
    bind's (Compose lists them, the CLI does not).
    """
    config = _empty_as_none({k: v for k, v in inspect["Config"].items() if k not in NOT_CONFIG})
    config["Env"] = sorted(set(config.get("Env") or []))
    host = _empty_as_none({k: v for k, v in inspect["HostConfig"].items() if k not in NOT_HOST})
    for key in UNORDERED_HOST:
        host[key] = sorted(host.get(key) or [])
    for key in ("CapAdd", "CapDrop"):  # NET_ADMIN and CAP_NET_ADMIN are the same to the engine
        host[key] = sorted(
            cap if cap in {"ALL", "all"} or cap.upper().startswith("CAP_") else f"CAP_{cap}".upper()
            for cap in host[key]
        )
    restart = host.get("RestartPolicy") or {}
    host["RestartPolicy"] = {**restart, "Name": restart.get("Name") or "no"}  # "" is "no"
    covered = {bind.split(":")[1] for bind in host["Binds"] if ":" in bind}
    covered |= {mount.get("Target") for mount in host.get("Mounts") or []}
    covered |= set(host.get("Tmpfs") or {})
    volumes = {path: {} for path in config.get("Volumes") or {} if path not in covered}
    config["Volumes"] = volumes or None
    host["Links"] = sorted(_unnamed(link, names) for link in host.get("Links") or [])
    mounts = sorted(
        (m["Type"], _volume_name(m), m["Destination"], m["RW"], m.get("Mode", ""))
        for m in inspect.get("Mounts") or []
    )
    short_id = inspect["Id"][:12]
    networks = {
        name: {
            "Aliases": sorted(
                _unnamed(a, names) for a in settings.get("Aliases") or [] if a != short_id
            ),
            "IPAMConfig": settings.get("IPAMConfig") or None,
            "Links": settings.get("Links"),
            "DriverOpts": settings.get("DriverOpts"),
        }
        for name, settings in (inspect.get("NetworkSettings") or {}).get("Networks", {}).items()
    }
    return {"config": config, "host": host, "mounts": mounts, "networks": networks}


def _unnamed(text: str, names: tuple[str, ...]) -> str:
    for name in names:
        text = text.replace(f"/{name}/", "/NAME/").replace(name, "NAME")
    return text


def differences(first: dict, second: dict) -> dict:
    """{part.key: (first's, second's)} for each field that differs."""
    found = {}
    for part in first:
        for key in set(first[part]) | set(second[part]) if isinstance(first[part], dict) else []:
            if first[part].get(key) != second[part].get(key):
                found[f"{part}.{key}"] = (first[part].get(key), second[part].get(key))
        if not isinstance(first[part], dict) and first[part] != second[part]:
            found[part] = (first[part], second[part])
    return found
