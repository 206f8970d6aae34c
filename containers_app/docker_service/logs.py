"""Log and event streams of one container, read in large blocks and closable from any thread."""

from __future__ import annotations

import contextlib
import select
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import docker
import requests.exceptions

from ..frames import ChunkedDecoder
from .client import client, endpoint, engine_call

BLOCK_SIZE = 256 * 1024


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


def stream_client() -> docker.APIClient:
    """A client of its own for one long stream: a followed log holds its connection for hours.

    It speaks the API version already agreed with the engine, so making it
    costs no request.
    """
    shared = client()
    kwargs = docker.utils.kwargs_from_env()
    kwargs["base_url"] = endpoint()
    return docker.APIClient(version=shared.api_version, timeout=None, max_pool_size=2, **kwargs)


def _response_socket(response) -> socket.socket:
    fp = response.raw._fp.fp
    raw = getattr(fp, "raw", fp)
    return getattr(raw, "_sock", None) or raw.sock


class Stream:
    """A streaming response: `read()` gives body bytes as they come, `close()` ends it.

    Engine streams are chunked, one chunk per log entry; the response object
    would hand back one tiny chunk per call. This reads the connection's
    buffer in blocks of up to 256 KB and removes the chunk framing itself.
    """

    def __init__(self, response) -> None:
        self._response = response
        self._reader = response.raw._fp.fp
        self._chunks = ChunkedDecoder() if response.raw._fp.chunked else None
        self._closed = False

    def read(self) -> bytes:
        """Body bytes (b"" at the end); blocks until some arrive, then takes all that has."""
        while not self._closed:
            if self._chunks is not None and self._chunks.finished:
                return b""
            try:
                data = self._reader.read1(BLOCK_SIZE)
                while data and len(data) < BLOCK_SIZE and self._more_waiting():
                    more = self._reader.read1(BLOCK_SIZE - len(data))
                    if not more:
                        break
                    data += more
            except (OSError, ValueError):
                return b""
            if not data:
                return b""
            if self._chunks is None:
                return data
            body = self._chunks.feed(data)
            if body or self._chunks.finished:
                return body
        return b""

    def _more_waiting(self) -> bool:
        """Whether more bytes can be read at once: bigger blocks, fewer batches downstream."""
        try:
            ready, _, _ = select.select([_response_socket(self._response)], [], [], 0)
        except (OSError, ValueError, AttributeError):
            return False
        return bool(ready)

    def close(self) -> None:
        """Ends a read blocked in another thread, and frees the connection."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError, AttributeError):
            _response_socket(self._response).shutdown(socket.SHUT_RDWR)
        self._response.close()


def open_logs(api: docker.APIClient, container_id: str, options: LogOptions) -> Stream:
    with engine_call("container", container_id):
        response = api._get(
            api._url("/containers/{0}/logs", container_id), params=options.params(), stream=True
        )
        api._raise_for_status(response)
    return Stream(response)


def open_events(api: docker.APIClient, container_id: str, since: int) -> Stream:
    """The container's lifecycle events (start, die, destroy) from `since` on, as JSON lines."""
    filters = {
        "container": [container_id],
        "type": ["container"],
        "event": ["start", "die", "destroy"],
    }
    with engine_call("container", container_id):
        response = api._get(
            api._url("/events"),
            params={"since": since, "filters": docker.utils.convert_filters(filters)},
            stream=True,
        )
        api._raise_for_status(response)
    return Stream(response)


def read_all(api: docker.APIClient, container_id: str, options: LogOptions) -> Iterator[bytes]:
    """A whole log (not followed), block by block."""
    stream = open_logs(api, container_id, options)
    try:
        while data := stream.read():
            yield data
    except requests.exceptions.RequestException:
        return
    finally:
        stream.close()
