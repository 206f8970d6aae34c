"""Container resource numbers computed the way `docker stats` computes them (pure)."""

from __future__ import annotations

from dataclasses import dataclass

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
