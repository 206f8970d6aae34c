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
from .frames import FrameDecoder

OUTPUT_LIMIT = 256 * 1024


@dataclass(frozen=True)
class ProcessResult:
    """What a foreground run or a one-shot exec printed, and how it ended."""

    output: str
    exit_code: int | None
    timed_out: bool = False
    truncated: bool = False


def socket_of(stream):
    """The real socket behind what docker-py returns for `socket=True` calls."""
    return getattr(stream, "_sock", stream)


def _read_until(sock, tty: bool, deadline: float) -> tuple[bytes, bool, bool]:
    """Read a hijacked attach/exec stream to its end or the deadline.

    Returns (output, ended, truncated); only the last OUTPUT_LIMIT bytes are kept.
    """
    decoder = FrameDecoder()
    output = bytearray()
    truncated = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return bytes(output), False, truncated
        sock.settimeout(min(remaining, 1.0))
        try:
            data = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            data = b""
        if not data:
            return bytes(output), True, truncated
        if tty:
            output += data
        else:
            for _, payload in decoder.feed(data):
                output += payload
        if len(output) > OUTPUT_LIMIT:
            del output[: len(output) - OUTPUT_LIMIT]
            truncated = True


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
            raw, ended, truncated = _read_until(sock, tty, time.monotonic() + timeout)
        finally:
            stream.close()
    if ended:
        waiter.join(timeout=5)
    return ProcessResult(
        output=raw.decode("utf-8", "replace"),
        exit_code=exit_status.get("StatusCode") if ended else None,
        timed_out=not ended,
        truncated=truncated,
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
            raw, ended, truncated = _read_until(
                socket_of(stream), False, time.monotonic() + timeout
            )
        finally:
            stream.close()
        exit_code = api.exec_inspect(created["Id"]).get("ExitCode") if ended else None
    return ProcessResult(
        raw.decode("utf-8", "replace"), exit_code, timed_out=not ended, truncated=truncated
    )
