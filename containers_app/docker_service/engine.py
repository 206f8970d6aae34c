"""The engine's identity: `docker info` and `docker version`.

Every page's header shows `docker info`'s identity and counts, and `/info` costs the
engine 10-12 ms (`/containers/json` costs under one): so it is kept per process and
asked again only when something may have changed it (an event the events feed read, an
action Dockside ran) or after INFO_MAX_AGE seconds, and pages asking together share one
call.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from .client import client, endpoint, engine_call
from .sharing import shared

INFO_MAX_AGE = 5.0  # seconds: what no event announces (another client's change) shows by then


@dataclass(frozen=True)
class EngineInfo:
    endpoint: str
    server_version: str
    api_version: str
    os: str
    os_type: str
    architecture: str
    kernel_version: str
    hostname: str
    cpus: int
    memory: int
    containers_running: int
    containers_paused: int
    containers_stopped: int
    images: int
    logging_driver: str = "json-file"
    default_runtime: str = "runc"
    cgroup_version: str = "1"


_kept: dict[str, tuple[EngineInfo, int, float]] = {}  # endpoint: info, generation, when
_generation = 0
_lock = threading.Lock()


def engine_changed() -> None:
    """Something changed the engine's counts: the next engine_info() asks it again."""
    global _generation
    with _lock:
        _generation += 1


def engine_info() -> EngineInfo:
    """`docker info` as kept (see the module), or asked again."""
    where = endpoint()
    with _lock:
        kept, generation = _kept.get(where), _generation
    if kept and kept[1] == generation and time.monotonic() - kept[2] < INFO_MAX_AGE:
        return kept[0]
    info = shared(("info", where, generation), _ask_info)
    with _lock:
        _kept[where] = (info, generation, time.monotonic())
    return info


def _ask_info() -> EngineInfo:
    api = client()
    with engine_call():
        info = api.info()
    return EngineInfo(
        endpoint=endpoint(),
        server_version=info.get("ServerVersion", ""),
        api_version=api.api_version,
        os=info.get("OperatingSystem", ""),
        os_type=info.get("OSType", ""),
        architecture=info.get("Architecture", ""),
        kernel_version=info.get("KernelVersion", ""),
        hostname=info.get("Name", ""),
        cpus=info.get("NCPU", 0),
        memory=info.get("MemTotal", 0),
        containers_running=info.get("ContainersRunning", 0),
        containers_paused=info.get("ContainersPaused", 0),
        containers_stopped=info.get("ContainersStopped", 0),
        images=info.get("Images", 0),
        logging_driver=info.get("LoggingDriver") or "json-file",
        default_runtime=info.get("DefaultRuntime") or "runc",
        cgroup_version=str(info.get("CgroupVersion") or "1"),
    )


def engine_version() -> tuple[str, str]:
    """The engine's version and the API version agreed with it (`docker version`)."""
    api = client()
    with engine_call():
        version = api.version(api_version=False)
    return version.get("Version", ""), api.api_version
