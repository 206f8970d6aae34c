"""The engine's identity: `docker info` and `docker version`."""

from __future__ import annotations

from dataclasses import dataclass

from .client import client, endpoint, engine_call


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


def engine_info() -> EngineInfo:
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
