"""Processes whose output Dockside waits for: `docker run` without -d, one-shot `docker exec`."""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from dataclasses import dataclass

import docker.errors
import requests.exceptions

from ..specs import ExecSpec
from .client import client, engine_call
from .frames import STDERR, STDOUT, FrameDecoder

OUTPUT_LIMIT = 256 * 1024


@dataclass(frozen=True)
class ProcessResult:
    """What a foreground run or a one-shot exec printed, in the order it wrote it, and how it ended.

    `pieces` are (stream, text): 1 = stdout, 2 = stderr (a TTY has one stream: 1).
    """

    pieces: tuple[tuple[int, str], ...]
    exit_code: int | None
    timed_out: bool = False
    truncated: bool = False

    @property
    def output(self) -> str:
        return "".join(text for _, text in self.pieces)

    @property
    def wrote_stderr(self) -> bool:
        return any(stream == STDERR for stream, _ in self.pieces)

    @property
    def failed(self) -> bool:
        return not self.timed_out and self.exit_code != 0


def socket_of(stream):
    """The real socket behind what docker-py returns for `socket=True` calls."""
    return getattr(stream, "_sock", stream)


class _Output:
    """The (stream, bytes) pieces read so far, neighbours of one stream merged; the last
    OUTPUT_LIMIT bytes kept."""

    def __init__(self) -> None:
        self.pieces: list[list] = []
        self.size = 0
        self.truncated = False

    def add(self, stream: int, data: bytes) -> None:
        if not data:
            return
        if self.pieces and self.pieces[-1][0] == stream:
            self.pieces[-1][1] += data
        else:
            self.pieces.append([stream, bytearray(data)])
        self.size += len(data)
        while self.size > OUTPUT_LIMIT:
            self.truncated = True
            first = self.pieces[0][1]
            cut = min(len(first), self.size - OUTPUT_LIMIT)
            del first[:cut]
            self.size -= cut
            if not first:
                self.pieces.pop(0)

    def decoded(self) -> tuple[tuple[int, str], ...]:
        return tuple((stream, data.decode("utf-8", "replace")) for stream, data in self.pieces)


def _read_until(sock, tty: bool, deadline: float) -> tuple[_Output, bool]:
    """Read a hijacked attach/exec stream to its end or the deadline: (output, ended).

    Without a TTY the stream is multiplexed: its frames are kept in the order the
    process wrote them, each marked with its stream.
    """
    decoder = FrameDecoder()
    output = _Output()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return output, False
        sock.settimeout(min(remaining, 1.0))
        try:
            data = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            data = b""
        if not data:
            return output, True
        if tty:
            output.add(STDOUT, data)
        else:
            for stream, payload in decoder.feed(data):
                output.add(stream, payload)


def run_in_foreground(
    container_id: str, tty: bool, auto_remove: bool, timeout: float
) -> ProcessResult:
    """Attach, start, collect the output and the exit code, as `docker run` without -d does.

    Gives up waiting after `timeout` seconds; the container then goes on in the background.
    """
    api = client()
    exit_status: dict = {}

    def wait_for_exit() -> None:
        with suppress(docker.errors.DockerException, requests.exceptions.RequestException):
            exit_status.update(
                api.wait(
                    container_id,
                    timeout=timeout + 5,
                    condition="removed" if auto_remove else "next-exit",
                )
            )

    with engine_call("container", container_id):
        stream = api.attach_socket(
            container_id, params={"stdout": 1, "stderr": 1, "stream": 1, "logs": 1}
        )
        waiter = threading.Thread(target=wait_for_exit, daemon=True)
        waiter.start()
        sock = socket_of(stream)
        try:
            api.start(container_id)
            output, ended = _read_until(sock, tty, time.monotonic() + timeout)
        finally:
            stream.close()
    if ended:
        waiter.join(timeout=5)
    return ProcessResult(
        output.decoded(),
        exit_code=exit_status.get("StatusCode") if ended else None,
        timed_out=not ended,
        truncated=output.truncated,
    )


def exec_once(spec: ExecSpec, timeout: float) -> ProcessResult:
    """`docker exec` without -it: run, collect output and exit code (gives up after `timeout`)."""
    api = client()
    with engine_call("container", spec.container):
        created = api.exec_create(
            spec.container,
            list(spec.command),
            user=spec.user,
            workdir=spec.workdir or None,
            environment=[f"{key}={value}" for key, value in spec.env] or None,
        )
        stream = api.exec_start(created["Id"], socket=True)
        try:
            output, ended = _read_until(socket_of(stream), False, time.monotonic() + timeout)
        finally:
            stream.close()
        exit_code = api.exec_inspect(created["Id"]).get("ExitCode") if ended else None
    return ProcessResult(
        output.decoded(), exit_code, timed_out=not ended, truncated=output.truncated
    )
