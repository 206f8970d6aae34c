"""`docker system df` and the essentials of `docker info`: what the engine holds on disk,
and how it runs containers."""

from __future__ import annotations

from dataclasses import dataclass

from .client import client, engine_call

ACTIVE_STATES = ("running", "paused", "restarting")


@dataclass(frozen=True)
class DiskUsage:
    """One row of `docker system df`, in bytes."""

    type: str
    total: int
    active: int
    size: int
    reclaimable: int

    @property
    def reclaimable_percent(self) -> int | None:
        """As the CLI prints it (rounded down); None when there is no size to be a part of."""
        return self.reclaimable * 100 // self.size if self.size > 0 else None


@dataclass(frozen=True)
class EngineEssentials:
    """What `docker info` says of how containers are run."""

    server_version: str
    operating_system: str
    kernel_version: str
    storage_driver: str
    driver_status: tuple[tuple[str, str], ...]
    cgroup_driver: str
    cgroup_version: str
    runtimes: tuple[str, ...]
    default_runtime: str
    security_options: tuple[str, ...]
    docker_root_dir: str
    logging_driver: str
    cpus: int
    memory: int
    live_restore: bool


def disk_usage() -> list[DiskUsage]:
    """`docker system df`: one `/system/df` call, summed as the CLI sums it."""
    api = client()
    with engine_call():
        df = api.df()
    images = df.get("Images") or []
    used = sum(
        i["Size"] - i["SharedSize"]
        for i in images
        if i.get("Containers") and i.get("Size", -1) != -1 and i.get("SharedSize", -1) != -1
    )
    layers = df.get("LayersSize") or 0
    containers = df.get("Containers") or []

    def running(container: dict) -> bool:
        return any(state in (container.get("State") or "") for state in ACTIVE_STATES)

    volumes = [(v.get("UsageData") or {}) for v in df.get("Volumes") or []]
    cache = df.get("BuildCache") or []
    return [
        DiskUsage(
            "Images",
            len(images),
            sum(1 for i in images if i.get("Containers")),
            layers,
            layers - used,
        ),
        DiskUsage(
            "Containers",
            len(containers),
            sum(1 for c in containers if running(c)),
            sum(c.get("SizeRw") or 0 for c in containers),
            sum(c.get("SizeRw") or 0 for c in containers if not running(c)),
        ),
        DiskUsage(
            "Local Volumes",
            len(volumes),
            sum(1 for v in volumes if v.get("RefCount", 0) > 0),
            sum(v["Size"] for v in volumes if v.get("Size", -1) != -1),
            sum(v["Size"] for v in volumes if v.get("Size", -1) != -1 and not v.get("RefCount")),
        ),
        DiskUsage(
            "Build Cache",
            len(cache),
            sum(1 for b in cache if b.get("InUse")),
            sum(b.get("Size", 0) for b in cache if not b.get("Shared")),
            sum(b.get("Size", 0) for b in cache if not b.get("Shared") and not b.get("InUse")),
        ),
    ]


def engine_essentials() -> EngineEssentials:
    api = client()
    with engine_call():
        info = api.info()
    return EngineEssentials(
        server_version=info.get("ServerVersion", ""),
        operating_system=info.get("OperatingSystem", ""),
        kernel_version=info.get("KernelVersion", ""),
        storage_driver=info.get("Driver", ""),
        driver_status=tuple(tuple(pair) for pair in info.get("DriverStatus") or []),
        cgroup_driver=info.get("CgroupDriver", ""),
        cgroup_version=str(info.get("CgroupVersion") or "1"),
        runtimes=tuple(sorted(info.get("Runtimes") or {})),
        default_runtime=info.get("DefaultRuntime", ""),
        security_options=tuple(info.get("SecurityOptions") or ()),
        docker_root_dir=info.get("DockerRootDir", ""),
        logging_driver=info.get("LoggingDriver", ""),
        cpus=info.get("NCPU", 0),
        memory=info.get("MemTotal", 0),
        live_restore=bool(info.get("LiveRestoreEnabled")),
    )
