"""The shared Docker API client, and our errors in place of the SDK's."""

from __future__ import annotations

import contextvars
import errno
import os
import socket
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import docker
import docker.errors
import requests.exceptions
from django.conf import settings

from .. import metrics
from .fast_get import FastGetAPIClient

DEFAULT_ENDPOINT = "unix:///var/run/docker.sock"
MINIMUM_API = "1.24"  # docker-py's oldest; the engine's own is asked at once
LOCAL = "local"  # the name of the engine DOCKER_HOST (or the default socket) points to


@dataclass(frozen=True)
class TLSMaterial:
    """PEM texts (the key unsealed): what `docker --tlsverify` reads from files."""

    ca: str
    cert: str
    key: str = field(repr=False)  # never in a log line or a traceback


@dataclass(frozen=True)
class Endpoint:
    """A named engine: `local`, or one an admin added (the engines app keeps those).

    `revision` changes whenever the endpoint does, so a client made for an old
    address or certificate is not reused.
    """

    name: str
    url: str
    tls: TLSMaterial | None = None
    revision: str = ""

    @property
    def is_local(self) -> bool:
        return self.name == LOCAL

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.name, self.url, self.revision)


def local_endpoint() -> Endpoint:
    return Endpoint(LOCAL, settings.DOCKER_HOST or DEFAULT_ENDPOINT)


_current: contextvars.ContextVar[Endpoint | None] = contextvars.ContextVar(
    "dockside_endpoint", default=None
)


def current_endpoint() -> Endpoint:
    """The engine this request, websocket session or job works on (`local` unless set)."""
    return _current.get() or local_endpoint()


@contextmanager
def using(endpoint_: Endpoint) -> Iterator[Endpoint]:
    """Engine calls inside go to `endpoint_` (threads started by jobs and feeds copy it)."""
    token = _current.set(endpoint_)
    try:
        yield endpoint_
    finally:
        _current.reset(token)


class DockerServiceError(Exception):
    """Base of the errors this module raises; the message is safe to show."""


class EngineUnavailable(DockerServiceError):
    def __init__(self, endpoint: str, cause: str):
        name = current_endpoint().name
        where = endpoint if name == LOCAL else f"{name} ({endpoint})"
        super().__init__(f"Docker engine {where} is unreachable: {cause}")
        self.endpoint = endpoint
        self.name = name
        self.cause = cause


class NotFound(DockerServiceError):
    """What was not found; the engine's own words in `engine_message` (said once)."""

    def __init__(self, kind: str, ref: str, explanation: str = ""):
        known = kind != "object" and ref
        super().__init__(f"No such {kind}: {ref}" if known else explanation or f"No such {kind}")
        self.kind = kind
        self.ref = ref
        self.engine_message = said_once(explanation)


def said_once(message: str) -> str:
    """ "no such image: x: No such image: x" (as the engine says it) as "No such image: x"."""
    half, odd = divmod(len(message) - 2, 2)
    repeated = message[:half].lower() == message[half + 2 :].lower()
    if half > 0 and not odd and message[half : half + 2] == ": " and repeated:
        return message[half + 2 :]
    return message


class Conflict(DockerServiceError):
    pass


class InvalidRequest(DockerServiceError):
    pass


def http_status(error: DockerServiceError, otherwise: int = 502) -> int:
    """What an engine error means over HTTP (websockets close with 4000 plus it).

    `otherwise` is for errors of no known kind: 502 when the engine failed on
    its own, 400 when the user's input made it fail.
    """
    if status := getattr(error, "status", None):  # errors that carry their own (a refusal)
        return status
    if isinstance(error, EngineUnavailable):
        return 503
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict) or "already" in str(error) or "not running" in str(error):
        return 409
    if isinstance(error, InvalidRequest):
        return 400
    return otherwise


def error_for_status(
    status: int, message: str, kind: str = "object", ref: str = ""
) -> DockerServiceError:
    """The engine's refusal as one of our errors: the same for API calls and for streams."""
    if status == 404:
        return NotFound(kind, ref, message)
    if status == 409:
        return Conflict(message)
    if status == 400:
        return InvalidRequest(message)
    return DockerServiceError(message or f"the engine answered {status}")


_clients: dict[tuple[str, str, str], docker.APIClient] = {}
_creating: dict[tuple[str, str, str], threading.Lock] = {}
_clients_lock = threading.Lock()


def api_at_least(have: str, need: str) -> bool:
    """Whether Engine API version `have` (such as 1.41) is `need` or newer."""

    def numbers(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split(".") if part.isdigit())

    return numbers(have) >= numbers(need)


def endpoint() -> str:
    """The current endpoint's address (unix://, tcp://, ssh://)."""
    return current_endpoint().url


def _pem_file(text: str, name: str) -> tuple[str, int]:
    """A path to `text` that lives in memory only (a memfd): keys never touch the disk."""
    fd = os.memfd_create(f"dockside-{name}", os.MFD_CLOEXEC)
    os.write(fd, text.encode())
    return f"/proc/{os.getpid()}/fd/{fd}", fd


def _new_client(at: Endpoint) -> docker.APIClient:
    kwargs = docker.utils.kwargs_from_env() if at.is_local else {}
    kwargs["base_url"] = at.url
    fds: list[int] = []
    if at.tls is not None:
        ca, ca_fd = _pem_file(at.tls.ca, "ca")
        cert, cert_fd = _pem_file(at.tls.cert, "cert")
        key, key_fd = _pem_file(at.tls.key, "key")
        fds = [ca_fd, cert_fd, key_fd]
        kwargs["tls"] = docker.tls.TLSConfig(client_cert=(cert, key), ca_cert=ca, verify=True)
    if at.url.startswith("ssh://"):
        kwargs["use_ssh_client"] = True  # the system's ssh, its keys and known_hosts
    try:
        api = FastGetAPIClient(
            version=MINIMUM_API, timeout=settings.DOCKER_TIMEOUT, max_pool_size=32, **kwargs
        )
        if not (at.is_local and at.url.startswith("tcp://")):
            # requests reads proxies and REQUESTS_CA_BUNDLE from the environment on every
            # call: no proxy stands before a socket, and an added engine's CA is its own.
            # (DOCKER_HOST=tcp://… keeps them, as the docker CLI honours HTTPS_PROXY.)
            api.trust_env = False
        api._version = api.version(api_version=False)["ApiVersion"]  # as version="auto" does
    except (requests.exceptions.RequestException, KeyError) as exc:
        _close_all(fds)
        raise docker.errors.DockerException(f"the engine did not say its version: {exc}") from exc
    except BaseException:
        _close_all(fds)
        raise
    weakref.finalize(api, _close_all, fds)  # the PEM memfds live as long as the client
    return api


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)


def client() -> docker.APIClient:
    """The shared API client for the current endpoint, created on first use.

    Creating it negotiates the API version, so it fails while the engine is
    down; the next call tries again, which is how pages recover without a
    restart once the engine is back. Each endpoint is created under its own
    lock: an engine that hangs holds up its own callers only.
    """
    at = current_endpoint()
    with _clients_lock:
        if (api := _clients.get(at.key)) is not None:
            return api
        creating = _creating.setdefault(at.key, threading.Lock())
    with creating:
        with _clients_lock:
            if (api := _clients.get(at.key)) is not None:
                return api
        try:
            api = _new_client(at)
        except docker.errors.DockerException as exc:
            raise EngineUnavailable(at.url, describe_connection_error(exc)) from exc
        with _clients_lock:
            _clients[at.key] = api
        return api


def forget_client(endpoint_: Endpoint | None = None) -> None:
    """Drop the endpoint's client (the next call makes a new one). Its memfds close when
    the last holder of the old client lets it go, not before: one may still reconnect."""
    key = (endpoint_ or current_endpoint()).key
    with _clients_lock:
        api = _clients.pop(key, None)
    if api is not None:
        api.close()


# How describe_connection_error's own sentences start; anything else it returns is the
# SDK's text, which may hold an address.
WORDED = ("the socket does not exist", "permission denied", "connection refused", "no answer")


def plain_cause(cause: str) -> str:
    """`cause` if it is one of describe_connection_error's own sentences, else
    "unreachable": for pages anyone may read (/healthz, /readyz)."""
    return cause if cause.startswith(WORDED) else "unreachable"


def describe_connection_error(exc: BaseException) -> str:
    """A sentence saying why the engine could not be reached."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if (
            isinstance(current, FileNotFoundError)
            or getattr(current, "errno", None) == errno.ENOENT
        ):
            return "the socket does not exist (is dockerd running, and is DOCKER_HOST right?)"
        if isinstance(current, PermissionError) or getattr(current, "errno", None) in {
            errno.EACCES,
            errno.EPERM,
        }:
            return (
                "permission denied on the socket (the user running Dockside needs access to it,"
                " e.g. membership of the docker group)"
            )
        if isinstance(current, ConnectionRefusedError):
            return "connection refused (nothing is listening: is dockerd running?)"
        if isinstance(current, socket.timeout | TimeoutError | requests.exceptions.Timeout):
            return (
                f"no answer within {settings.DOCKER_TIMEOUT} s (the engine is hung or overloaded)"
            )
        pending.append(current.__cause__)
        pending.append(current.__context__)
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        pending.append(getattr(current, "reason", None))
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


@contextmanager
def engine_call(kind: str = "object", ref: str = "") -> Iterator[None]:
    """Translate SDK and transport errors into ours (and time the call, for /metrics)."""
    at = current_endpoint()
    url, name = at.url, at.name
    began = time.perf_counter()
    try:
        yield
    except docker.errors.APIError as exc:
        status = exc.status_code or 500
        metrics.ENGINE_ERRORS.labels(name, str(status)).inc()
        # No explanation: NotFound says what was not found; anything else, what the SDK says.
        message = exc.explanation or ("" if status == 404 else str(exc))
        raise error_for_status(status, message, kind, ref) from exc
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        metrics.ENGINE_ERRORS.labels(name, "unreachable").inc()
        forget_client(at)
        raise EngineUnavailable(url, describe_connection_error(exc)) from exc
    except docker.errors.DockerException as exc:
        metrics.ENGINE_ERRORS.labels(name, "other").inc()
        raise DockerServiceError(str(exc)) from exc
    finally:
        metrics.ENGINE_SECONDS.labels(name).observe(time.perf_counter() - began)
