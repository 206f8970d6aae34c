"""Images in and out of the engine: `docker push`, `docker save`, `docker load`, and
`docker login` (the engine checks the credentials against the registry)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from ..references import split_reference
from .client import DockerServiceError, client, engine_call

SAVE_BLOCK = 1024 * 1024


class PushFailed(DockerServiceError):
    pass


def push_image(ref: str, auth_config: dict | None) -> Iterator[dict]:
    """`docker push`: the engine's progress items; an error item is raised as PushFailed."""
    repository, tag = split_reference(ref)
    api = client()
    with engine_call("image", ref):
        # auth_config {} rather than None: never the credentials of the account Dockside runs as
        for item in api.push(
            repository,
            tag=tag,
            stream=True,
            decode=True,
            auth_config=auth_config or {},
        ):
            if "error" in item:
                raise PushFailed(item.get("error") or "the push failed")
            yield item


def save_images(refs: tuple[str, ...]) -> Iterator[bytes]:
    """`docker save`: the tar as the engine writes it, in blocks. Every name is checked
    before the first byte, so a missing one is a 404, not a cut-off download."""
    api = client()
    with engine_call("image", refs[0] if len(refs) == 1 else ", ".join(refs)):
        for ref in refs:
            api.inspect_image(ref)
        response = api._get(api._url("/images/get"), params={"names": list(refs)}, stream=True)
        api._raise_for_status(response)

    return SavedTar(response)


class SavedTar:
    """The engine's tar, block by block; `close()` ends the engine's stream (also when no
    block was ever read: the browser went away first)."""

    def __init__(self, response):
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        with engine_call("image"):
            yield from self._response.iter_content(SAVE_BLOCK)

    def close(self) -> None:
        self._response.close()


def load_images(tar: IO[bytes]) -> list[str]:
    """`docker load`: the engine's lines ("Loaded image: app:1", "Loaded image ID: sha256:…").
    A tar the engine cannot read is an InvalidRequest with its words."""
    api = client()
    with engine_call("image"):
        response = api._post(
            api._url("/images/load"),
            data=tar,
            params={"quiet": "1"},
            headers={"Content-Type": "application/x-tar"},
            stream=True,
            timeout=None,
        )
        loaded = []
        with response:
            api._raise_for_status(response)
            for item in _json_lines(response):
                if "error" in item or "errorDetail" in item:
                    detail = item.get("errorDetail") or {}
                    message = detail.get("message") or item.get("error") or "the load failed"
                    raise DockerServiceError(str(message))
                if text := str(item.get("stream", "")).strip():
                    loaded.append(text)
    return loaded


def _json_lines(response) -> Iterator[dict]:
    for line in response.iter_lines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise DockerServiceError("the engine's answer to the load could not be read") from exc
        yield item if isinstance(item, dict) else {}


def registry_login(auth_config: dict) -> str:
    """`docker login`: the engine asks the registry; its answer ("Login Succeeded") or its
    refusal (as the registry says it) comes back."""
    api = client()
    with engine_call("registry", auth_config.get("serveraddress", "")):
        # /auth itself: the SDK's login() would keep the credentials in the shared client.
        response = api._post_json(api._url("/auth"), data={**auth_config, "email": None})
        answer = api._result(response, json=True)
    return answer.get("Status") or "Login Succeeded"


@dataclass(frozen=True)
class SearchResult:
    name: str
    description: str
    stars: int
    official: bool


def search_images(term: str) -> list[SearchResult]:
    """`docker search TERM`: the engine asks the registry (Docker Hub, or one the term
    names) through its search API, which registries of their own rarely offer."""
    api = client()
    with engine_call("registry", term):
        found = api.search(term, limit=25)
    return [
        SearchResult(
            item.get("name", ""),
            item.get("description") or "",
            item.get("star_count") or 0,
            bool(item.get("is_official")),
        )
        for item in found
    ]
