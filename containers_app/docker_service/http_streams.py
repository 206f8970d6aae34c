"""Engine streams (logs, events, stats), read in large blocks and closable from any thread.

These are requested over HTTP/1.0 on a connection of their own. Over HTTP/1.1
the engine sends every log entry as its own chunk, which costs it and us a
third of a 200,000-line log's time; an HTTP/1.0 answer is the raw stream up
to the end of the connection (measured: 0.69 s instead of 0.96 s for the
engine to send 200,000 lines, and no chunk framing left to remove).
"""

from __future__ import annotations

import json
import re
import select
import socket
import ssl
import subprocess
import threading
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

import docker
from django.conf import settings

from .client import EngineUnavailable, client, describe_connection_error, endpoint, error_for_status

BLOCK_SIZE = 256 * 1024
HEADER_LIMIT = 64 * 1024
STATUS_LINE = re.compile(rb"HTTP/\d\.\d (\d{3})\b")


@dataclass(frozen=True)
class LogOptions:
    """The query of `/containers/{id}/logs`; timestamps are always on (lines carry them)."""

    stdout: bool = True
    stderr: bool = True
    since: str = ""
    until: str = ""
    tail: str = "all"
    follow: bool = True

    def params(self) -> dict:
        params = {
            "stdout": int(self.stdout),
            "stderr": int(self.stderr),
            "timestamps": 1,
            "follow": int(self.follow),
            "tail": self.tail,
        }
        if self.since:
            params["since"] = self.since
        if self.until:
            params["until"] = self.until
        return params


class Stream:
    """The body of a streaming answer: `read()` gives bytes as they come, `close()` ends it."""

    def __init__(self, sock: socket.socket, body: bytes) -> None:
        self._sock = sock
        self._pending = body
        self._closed = False

    def read(self) -> bytes:
        """Body bytes (b"" at the end); blocks until some arrive, then takes all there is."""
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        if self._closed:
            return b""
        try:
            data = self._sock.recv(BLOCK_SIZE)
            while data and len(data) < BLOCK_SIZE and (more := self._more(BLOCK_SIZE - len(data))):
                data += more
        except (OSError, ValueError):
            return b""
        return data

    def _more(self, size: int) -> bytes:
        """What more can be read at once (b"" if nothing): bigger blocks, fewer batches
        downstream. One non-blocking recv, not a select() and then a recv."""
        if isinstance(self._sock, ssl.SSLSocket):
            ready = self._sock.pending() or select.select([self._sock], [], [], 0)[0]
            return self._sock.recv(size) if ready else b""
        try:
            return self._sock.recv(size, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return b""

    def close(self) -> None:
        """Ends a read blocked in another thread, and frees the connection."""
        if self._closed:
            return
        self._closed = True
        with suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()


def _connect(url: str, api: docker.APIClient) -> socket.socket:
    """A new connection to the engine at `url`, with the API client's TLS settings."""
    parts = urlsplit(url)
    timeout = settings.DOCKER_TIMEOUT
    if parts.scheme in {"unix", "http+unix"}:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(parts.path)
        except OSError:
            sock.close()
            raise
        return sock
    if parts.scheme == "ssh":
        return _over_ssh(parts)
    if parts.scheme not in {"tcp", "http", "https"}:
        raise EngineUnavailable(url, f"live streams need unix://, tcp:// or ssh://, not {url}")
    tls = api.base_url.startswith("https://")
    port = parts.port or (2376 if tls else 2375)
    sock = socket.create_connection((parts.hostname, port), timeout=timeout)
    if tls:
        try:
            verify = api.verify
            context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
            if verify is False:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            if api.cert:
                context.load_cert_chain(*api.cert)
            sock = context.wrap_socket(sock, server_hostname=parts.hostname)
        except OSError:
            sock.close()
            raise
    return sock


def _over_ssh(parts) -> socket.socket:
    """A connection through `ssh HOST docker system dial-stdio` (as docker-py's ssh client
    and the docker CLI make one): our end of a socket pair whose other end is ssh's
    stdin and stdout. Closing ours ends ssh."""
    ours, theirs = socket.socketpair()
    command = ["ssh", *(["-l", parts.username] if parts.username else [])]
    command += [*(["-p", str(parts.port)] if parts.port else []), "--", parts.hostname]
    try:
        process = subprocess.Popen(
            [*command, "docker system dial-stdio"], stdin=theirs, stdout=theirs,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    except OSError:
        ours.close()
        raise
    finally:
        theirs.close()
    threading.Thread(target=process.wait, name="ssh-stream", daemon=True).start()  # reaped
    ours.settimeout(settings.DOCKER_TIMEOUT)
    return ours


def _answer(sock: socket.socket, target: str) -> tuple[int, bytes]:
    """Send the request; the status and the body bytes that came with the head."""
    sock.sendall(f"GET {target} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        if len(head) > HEADER_LIMIT:
            raise ConnectionError(f"the engine's answer has a head over {HEADER_LIMIT} bytes")
        data = sock.recv(BLOCK_SIZE)
        if not data:
            raise ConnectionError("the engine closed the connection before answering")
        head += data
    head, _, body = head.partition(b"\r\n\r\n")
    match = STATUS_LINE.match(head)
    if match is None:
        raise ConnectionError(f"the engine's answer is not HTTP: {head[:80]!r}")
    return int(match[1]), body


def _refusal(sock: socket.socket, body: bytes) -> str:
    """The engine's error message (a short JSON body), read within the timeout."""
    message = body
    while len(message) < HEADER_LIMIT and (data := sock.recv(BLOCK_SIZE)):
        message += data
    try:
        return json.loads(message).get("message", "")
    except (ValueError, AttributeError):
        return message.decode("utf-8", "replace").strip()


def _open(path: str, params: dict, kind: str, ref: str) -> Stream:
    """GET `path` over HTTP/1.0 on a new connection; our errors for an engine's refusal.

    Connecting and the answer's head (or error) are bounded by DOCKSIDE_DOCKER_TIMEOUT;
    the stream itself then blocks as long as it lasts.
    """
    url = endpoint()
    api = client()
    target = f"/v{api.api_version}{path}?{urlencode(params)}"
    try:
        sock = _connect(url, api)
    except OSError as exc:
        raise EngineUnavailable(url, describe_connection_error(exc)) from exc
    try:
        status, body = _answer(sock, target)
        if status == 200:
            sock.settimeout(None)
            return Stream(sock, body)
        text = _refusal(sock, body)
    except OSError as exc:
        sock.close()
        raise EngineUnavailable(url, describe_connection_error(exc)) from exc
    sock.close()
    raise error_for_status(status, text, kind, ref)


def open_logs(container_id: str, options: LogOptions) -> Stream:
    path = f"/containers/{quote(container_id, safe='')}/logs"
    return _open(path, options.params(), "container", container_id)


def open_events(container_id: str, since: int) -> Stream:
    """The container's lifecycle events (start, die, destroy) from `since` on, as JSON lines."""
    filters = {
        "container": [container_id],
        "type": ["container"],
        "event": ["start", "die", "destroy"],
    }
    params = {"since": since, "filters": json.dumps(filters)}
    return _open("/events", params, "container", container_id)


def open_all_events(since: float) -> Stream:
    """Every container and image event from `since` on, as JSON lines (`docker events`)."""
    filters = {"type": ["container", "image"]}
    return _open("/events", {"since": f"{since:.9f}", "filters": json.dumps(filters)}, "events", "")


def open_stats(container_id: str) -> Stream:
    """`docker stats`: one JSON sample a second while the container runs."""
    path = f"/containers/{quote(container_id, safe='')}/stats"
    return _open(path, {"stream": 1}, "container", container_id)
