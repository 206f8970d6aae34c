"""The shared Docker API client, and our errors in place of the SDK's."""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import docker
import docker.errors
import requests.exceptions
from django.conf import settings

from .. import metrics

DEFAULT_ENDPOINT = "unix:///var/run/docker.sock"


class DockerServiceError(Exception):
    """Base of the errors this module raises; the message is safe to show."""


class EngineUnavailable(DockerServiceError):
    def __init__(self, endpoint: str, cause: str):
        super().__init__(f"Docker engine at {endpoint} is unreachable: {cause}")
        self.endpoint = endpoint
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


_clients: dict[str, docker.APIClient] = {}
_clients_lock = threading.Lock()


def api_at_least(have: str, need: str) -> bool:
    """Whether Engine API version `have` (such as 1.41) is `need` or newer."""

    def numbers(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split(".") if part.isdigit())

    return numbers(have) >= numbers(need)


def endpoint() -> str:
    return settings.DOCKER_HOST or DEFAULT_ENDPOINT


def _new_client(url: str) -> docker.APIClient:
    kwargs = docker.utils.kwargs_from_env()
    kwargs["base_url"] = url
    return docker.APIClient(
        version="auto", timeout=settings.DOCKER_TIMEOUT, max_pool_size=32, **kwargs
    )


def client() -> docker.APIClient:
    """The shared API client for the configured endpoint, created on first use.

    Creating it negotiates the API version, so it fails while the engine is
    down; the next call tries again, which is how pages recover without a
    restart once the engine is back.
    """
    url = endpoint()
    with _clients_lock:
        api = _clients.get(url)
        if api is None:
            try:
                api = _new_client(url)
            except docker.errors.DockerException as exc:
                raise EngineUnavailable(url, describe_connection_error(exc)) from exc
            _clients[url] = api
        return api


def forget_client(url: str) -> None:
    with _clients_lock:
        api = _clients.pop(url, None)
    if api is not None:
        api.close()


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
    url = endpoint()
    began = time.perf_counter()
    try:
        yield
    except docker.errors.APIError as exc:
        status = exc.status_code or 500
        metrics.ENGINE_ERRORS.labels(url, str(status)).inc()
        # No explanation: NotFound says what was not found; anything else, what the SDK says.
        message = exc.explanation or ("" if status == 404 else str(exc))
        raise error_for_status(status, message, kind, ref) from exc
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        metrics.ENGINE_ERRORS.labels(url, "unreachable").inc()
        forget_client(url)
        raise EngineUnavailable(url, describe_connection_error(exc)) from exc
    except docker.errors.DockerException as exc:
        metrics.ENGINE_ERRORS.labels(url, "other").inc()
        raise DockerServiceError(str(exc)) from exc
    finally:
        metrics.ENGINE_SECONDS.labels(url).observe(time.perf_counter() - began)
