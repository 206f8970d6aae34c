"""What this machine's /proc says of a container's main process: its PID inside, and its
namespaces beside those of the host's PID 1.

Only true where Dockside runs on the engine's host, in the host's PID namespace, as root:
anywhere else the answer says what could not be seen, and why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

NAMESPACES = (
    ("pid", "the processes it sees (its own start at 1)"),
    ("net", "interfaces, addresses, ports and routes"),
    ("mnt", "the file system tree it sees"),
    ("uts", "its hostname"),
    ("ipc", "shared memory and message queues"),
    ("user", "user and group ids (root inside is root outside unless this differs)"),
    ("cgroup", "the cgroup tree it sees"),
)


@dataclass(frozen=True)
class Namespace:
    kind: str
    meaning: str
    container: str  # "net:[4026532201]"; "" when unreadable
    host: str

    @property
    def shared(self) -> bool:
        return bool(self.container) and self.container == self.host


@dataclass(frozen=True)
class ProcessView:
    host_pid: int
    pid_inside: int | None
    namespaces: tuple[Namespace, ...]
    problem: str = ""  # what could not be seen, and why
    compared_with: str = "the host's PID 1"  # or Dockside's own process, where PID 1's is closed


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def process_view(host_pid: int, container_id: str, proc: Path = Path("/proc")) -> ProcessView:
    """The container's main process as /proc shows it (`proc` for tests of the refusals)."""
    own = proc / str(host_pid)
    try:
        cgroups = _read(own / "cgroup")
    except FileNotFoundError:
        return ProcessView(
            host_pid,
            None,
            (),
            f"Dockside sees no process {host_pid}: it runs in another PID namespace than the"
            " engine (in a container, or the engine is on another machine), so the host's"
            " /proc is not its to read.",
        )
    except PermissionError:
        return ProcessView(host_pid, None, (), _not_root(host_pid))
    if container_id not in cgroups:
        return ProcessView(
            host_pid,
            None,
            (),
            f"Process {host_pid} here is not the container's: Dockside sees another machine's"
            " or another namespace's /proc than the engine's host.",
        )
    inside = None
    for line in _read(own / "status").splitlines():
        if line.startswith("NSpid:"):
            inside = int(line.split()[-1])
    reference, compared_with = proc / "1", "the host's PID 1"
    try:
        os.readlink(reference / "ns" / "pid")
    except OSError:  # PID 1 may be closed to us (a sandbox): Dockside's own host process
        reference, compared_with = proc / "self", "Dockside's own process (PID 1's are closed)"
    try:
        namespaces = tuple(
            Namespace(
                kind,
                meaning,
                os.readlink(own / "ns" / kind),
                os.readlink(reference / "ns" / kind),
            )
            for kind, meaning in NAMESPACES
            if (own / "ns" / kind).exists()
        )
    except PermissionError:
        return ProcessView(host_pid, inside, (), _not_root(host_pid))
    return ProcessView(host_pid, inside, namespaces, compared_with=compared_with)


def _not_root(pid: int) -> str:
    return (
        f"Dockside may not read /proc/{pid}/ns: it does not run as root (the namespaces of"
        " another user's processes are root's to see)."
    )
