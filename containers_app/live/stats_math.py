"""Container resource numbers computed the way `docker stats` computes them (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from ..docker_service.times import parse_docker_time
from ..pages.formatting import human_bytes, human_size


@dataclass(frozen=True)
class StatsSample:
    read: str
    cpu_percent: float
    memory_used: int
    memory_limit: int
    network_rx: int
    network_tx: int
    block_read: int
    block_write: int
    pids: int

    @property
    def seconds(self) -> float | None:
        """When it was read, in Unix seconds (None if the engine sent no time)."""
        moment = parse_docker_time(self.read)
        return moment.timestamp() if moment else None

    @property
    def memory_percent(self) -> float:
        return 100.0 * self.memory_used / self.memory_limit if self.memory_limit else 0.0

    # The columns of `docker stats`, as it prints them.
    @property
    def cpu_text(self) -> str:
        return f"{self.cpu_percent:.2f}%"

    @property
    def memory_text(self) -> str:
        return f"{human_bytes(self.memory_used)} / {human_bytes(self.memory_limit)}"

    @property
    def memory_percent_text(self) -> str:
        return f"{self.memory_percent:.2f}%"

    @property
    def network_text(self) -> str:
        return f"{human_size(self.network_rx)} / {human_size(self.network_tx)}"

    @property
    def block_text(self) -> str:
        return f"{human_size(self.block_read)} / {human_size(self.block_write)}"


def _memory_used(memory: dict) -> int:
    """Usage without the page cache the kernel can drop (cgroup v1 and v2), as the CLI does."""
    usage = memory.get("usage", 0) or 0
    stats = memory.get("stats") or {}
    if "total_inactive_file" in stats and stats["total_inactive_file"] < usage:
        return usage - stats["total_inactive_file"]
    if stats.get("inactive_file", 0) < usage:
        return usage - stats.get("inactive_file", 0)
    return usage


def sample_from(raw: dict) -> StatsSample:
    """One `/containers/{id}/stats` item; CPU is the delta since the previous reading."""
    cpu = raw.get("cpu_stats") or {}
    previous = raw.get("precpu_stats") or {}
    cpu_delta = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (
        previous.get("cpu_usage") or {}
    ).get("total_usage", 0)
    system_delta = (cpu.get("system_cpu_usage") or 0) - (previous.get("system_cpu_usage") or 0)
    online = cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or [])
    cpu_percent = 0.0
    if system_delta > 0 and cpu_delta > 0:
        cpu_percent = cpu_delta / system_delta * (online or 1) * 100.0
    networks = (raw.get("networks") or {}).values()
    block = (raw.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []
    memory = raw.get("memory_stats") or {}
    return StatsSample(
        read=raw.get("read", ""),
        cpu_percent=cpu_percent,
        memory_used=_memory_used(memory),
        memory_limit=memory.get("limit", 0) or 0,
        network_rx=sum(n.get("rx_bytes", 0) for n in networks),
        network_tx=sum(n.get("tx_bytes", 0) for n in networks),
        block_read=sum(e.get("value", 0) for e in block if e.get("op", "").lower() == "read"),
        block_write=sum(e.get("value", 0) for e in block if e.get("op", "").lower() == "write"),
        pids=(raw.get("pids_stats") or {}).get("current", 0) or 0,
    )


@dataclass(frozen=True)
class StatsLimits:
    """What a container may use, which the charts' scales reach up to.

    `cpus` in cores (1 = 100%) and `memory` in bytes are the container's limits,
    or what the host has when it sets none; `*_by` says which one it is.
    """

    cpus: float
    cpus_by: str  # "cpus" (--cpus), "quota" (--cpu-quota), "cpuset", "host"; "" when unknown
    memory: int
    memory_by: str  # "memory" (--memory), "host"; "" when unknown
    pids: int = 0  # --pids-limit; 0 for none


def cpuset_size(cpuset: str) -> int:
    """How many CPUs `--cpuset-cpus` names ("0-2,4" is 4); 0 for none or a malformed set."""
    count = 0
    for part in filter(None, (p.strip() for p in cpuset.split(","))):
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            return 0
        count += int(last or first) - int(first) + 1
    return count


def stats_limits(limits, host_cpus: int, host_memory: int) -> StatsLimits:
    """From a container's ResourceLimits (HostConfig) and the host's CPUs and memory (`docker
    info`; 0 when unknown). The tightest CPU bound wins, as the kernel applies them all."""
    cpu_bounds = []
    memory, memory_by = (host_memory, "host") if host_memory > 0 else (0, "")
    pids = 0
    if limits is not None:
        if limits.nano_cpus > 0:
            cpu_bounds.append((limits.nano_cpus / 1e9, "cpus"))
        if limits.cpu_quota > 0:
            cpu_bounds.append((limits.cpu_quota / (limits.cpu_period or 100_000), "quota"))
        if size := cpuset_size(limits.cpuset_cpus):
            cpu_bounds.append((float(size), "cpuset"))
        if limits.memory > 0:
            memory, memory_by = limits.memory, "memory"
        pids = max(0, limits.pids_limit)
    if host_cpus > 0:
        cpu_bounds.append((float(host_cpus), "host"))  # last: a limit as wide wins the label
    cpus, cpus_by = min(cpu_bounds, key=lambda bound: bound[0], default=(0.0, ""))
    return StatsLimits(cpus, cpus_by, memory, memory_by, pids)
