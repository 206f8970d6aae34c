"""`docker build` through the Engine API's /build (the classic builder): the context goes up
as a tar, progress comes back as JSON items, and closing the response cancels the build
(the engine stops the step that runs and removes its container)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from .client import DockerServiceError, InvalidRequest, api_at_least, client, engine_call

PLATFORM_API = "1.38"  # where /build takes `platform` without the engine's experimental mode


@dataclass(frozen=True)
class BuildRequest:
    """What /build takes besides the context (see specs.BuildSpec for the form's side)."""

    tags: tuple[str, ...]
    build_args: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    target: str = ""
    no_cache: bool = False
    pull: bool = False
    platform: str = ""
    network: str = ""
    dockerfile: str = "Dockerfile"


class BuildFailed(DockerServiceError):
    """The engine's error item (a step that failed, a Dockerfile it could not parse)."""


class BuildCancelled(DockerServiceError):
    pass


def _params(request: BuildRequest) -> dict:
    params: dict = {"t": list(request.tags), "rm": "1", "forcerm": "1"}
    params["dockerfile"] = request.dockerfile
    if request.build_args:
        params["buildargs"] = json.dumps(dict(request.build_args))
    if request.labels:
        params["labels"] = json.dumps(dict(request.labels))
    if request.target:
        params["target"] = request.target
    if request.no_cache:
        params["nocache"] = "1"
    if request.pull:
        params["pull"] = "1"
    if request.platform:
        params["platform"] = request.platform
    if request.network:
        params["networkmode"] = request.network
    return params


class BuildStream:
    """One build in progress: `items()` yields the engine's progress, `cancel()` ends it."""

    def __init__(self, context: IO[bytes], request: BuildRequest, registry_auths: dict):
        api = client()
        headers = {"Content-Type": "application/x-tar"}
        if registry_auths:  # what FROM and --pull may need (X-Registry-Config)
            headers["X-Registry-Config"] = base64.urlsafe_b64encode(
                json.dumps(registry_auths).encode()
            ).decode("ascii")
        self._cancelled = threading.Event()
        with engine_call("image"):
            self._response = api._post(
                api._url("/build"),
                params=_params(request),
                data=context,
                headers=headers,
                stream=True,
                timeout=None,  # a step may be silent for as long as it runs
            )
            try:
                api._raise_for_status(self._response)
            except Exception:
                self._response.close()
                raise
        self._api = api

    def items(self) -> Iterator[dict]:
        built = False  # the engine's last item names the image: the build is over
        try:
            with engine_call("image"):
                for item in self._api._stream_helper(self._response, decode=True):
                    if "error" in item or "errorDetail" in item:
                        detail = item.get("errorDetail") or {}
                        raise BuildFailed(detail.get("message") or item.get("error") or "failed")
                    built = built or "aux" in item
                    yield item
        except (AttributeError, OSError, DockerServiceError) as exc:
            # Closing the response under the reader is how a build is cancelled.
            if self._cancelled.is_set() and not isinstance(exc, BuildFailed):
                raise BuildCancelled("the build was cancelled") from exc
            raise
        finally:
            self._response.close()
        if self._cancelled.is_set() and not built:
            raise BuildCancelled("the build was cancelled")

    def cancel(self) -> None:
        self._cancelled.set()
        self._response.close()


def build_platforms_supported() -> bool:
    return api_at_least(client().api_version, PLATFORM_API)


def start_build(context: IO[bytes], request: BuildRequest, registry_auths: dict) -> BuildStream:
    if not request.tags:
        raise InvalidRequest("a build needs at least one tag")
    return BuildStream(context, request, registry_auths)
