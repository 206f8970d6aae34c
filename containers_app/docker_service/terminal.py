"""Interactive `docker exec -it`: a TTY process whose bytes go both ways, and its end.

The engine does not end an exec process when its connection closes, so each
session is tagged with an environment variable and, when it ends, one more
exec hangs up every process that carries the tag (the shell and whatever it
started: `top`, `vi`, `sleep`), then kills what is left.
"""

from __future__ import annotations

import socket
from contextlib import suppress
from dataclasses import dataclass

from .client import DockerServiceError, client, engine_call
from .processes import socket_of

SESSION_VARIABLE = "DOCKSIDE_SESSION"
HANG_UP = (
    "for p in /proc/[0-9]*; do "
    'case "$(tr "\\0" " " < "$p/environ" 2>/dev/null)" in '
    '*"{variable}={tag} "*) kill -{signal} "${{p#/proc/}}" 2>/dev/null;; esac; done'
)


@dataclass
class TerminalSession:
    exec_id: str
    container_id: str
    tag: str
    sock: socket.socket

    def read(self, size: int = 65536) -> bytes:
        """Output bytes as they come (b"" when the process has ended or the session closed)."""
        try:
            return self.sock.recv(size)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        with suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


def path_exists(container_id: str, path: str) -> bool:
    """Whether `path` exists in the container (a HEAD of its archive; nothing is copied)."""
    api = client()
    with engine_call("container", container_id):
        response = api.head(
            api._url("/containers/{0}/archive", container_id),
            params={"path": path},
            timeout=api.timeout,
        )
    return response.status_code == 200


def default_shell(container_id: str) -> tuple[str, ...]:
    """bash when the container has it, else sh: what `docker exec -it` users reach for."""
    return ("/bin/bash",) if path_exists(container_id, "/bin/bash") else ("/bin/sh",)


def open_terminal(
    container_id: str, argv: list[str], user: str, tag: str, cols: int, rows: int
) -> TerminalSession:
    api = client()
    with engine_call("container", container_id):
        created = api.exec_create(
            container_id,
            argv,
            stdin=True,
            tty=True,
            user=user,
            environment=[f"{SESSION_VARIABLE}={tag}", "TERM=xterm-256color"],
        )
        stream = api.exec_start(created["Id"], socket=True, tty=True)
    session = TerminalSession(created["Id"], container_id, tag, socket_of(stream))
    with suppress(DockerServiceError):  # a process that ended at once cannot be resized
        resize_terminal(created["Id"], cols, rows)
    return session


def resize_terminal(exec_id: str, cols: int, rows: int) -> None:
    api = client()
    with engine_call("exec", exec_id):
        api.exec_resize(exec_id, height=rows, width=cols)


def end_session(container_id: str, tag: str) -> None:
    """Hang up every process of the session, then kill any that ignored it."""
    api = client()
    script = " ".join(
        [
            HANG_UP.format(variable=SESSION_VARIABLE, tag=tag, signal="HUP"),
            "; sleep 0.5; ",
            HANG_UP.format(variable=SESSION_VARIABLE, tag=tag, signal="KILL"),
        ]
    )
    with engine_call("container", container_id):
        created = api.exec_create(container_id, ["sh", "-c", script], user="root")
        api.exec_start(created["Id"])
