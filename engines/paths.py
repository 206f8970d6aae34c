"""`/e/<name>/...`: the same pages and websockets, on engine `name`.

Without the prefix a page works on `local`. With it, the request (or websocket
session) works on that engine from start to end: every engine call, job, audit entry
and recorded event carries it, and the links the page makes keep the prefix (it
becomes part of the script prefix that `reverse()` starts every URL with), so each
browser tab stays on the engine it was opened on.
"""

from __future__ import annotations

import re

from channels.db import database_sync_to_async
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, set_script_prefix

from containers_app.docker_service import LOCAL, using

from . import lookup

PREFIX = re.compile(r"^/e/(?P<name>[a-z0-9][a-z0-9_-]{0,39})(?P<rest>/.*)$")


def engine_path(name: str, path: str, base: str = "/") -> str:
    """`path` (as the site's own, starting with /) on engine `name`."""
    return f"{base}{path[1:]}" if name == LOCAL else f"{base}e/{name}{path}"


class EngineMiddleware:
    """Takes `/e/<name>` off the path, and sets that engine for the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.engine_base = base = get_script_prefix()
        match = PREFIX.match(request.path_info)
        if match is None:
            request.engine_name = LOCAL
            return self.get_response(request)
        endpoint = lookup.named(match["name"])
        if endpoint is None:
            request.engine_name = LOCAL
            request.urlconf = "engines.missing_urls"
            return self.get_response(request)
        request.engine_name = endpoint.name
        request.path_info = match["rest"]
        set_script_prefix(engine_path(endpoint.name, "/", base))
        try:
            with using(endpoint):
                response = self.get_response(request)
        finally:
            set_script_prefix(base)
        if response.streaming:
            # A download's body is read after this returns: each chunk on the engine too.
            wrap = _each_on_async if response.is_async else _each_on
            response.streaming_content = wrap(endpoint, response.streaming_content)
        return response


def _each_on(endpoint, chunks):
    chunks = iter(chunks)
    while True:
        with using(endpoint):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


async def _each_on_async(endpoint, chunks):
    chunks = aiter(chunks)
    while True:
        with using(endpoint):
            chunk = await anext(chunks, None)
        if chunk is None:
            return
        yield chunk


class EngineScope:
    """The same for websockets (an ASGI middleware): an unknown engine's path is left as
    it is, which no route matches, so the socket is refused."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        match = PREFIX.match(scope.get("path", ""))
        endpoint = await database_sync_to_async(lookup.named)(match["name"]) if match else None
        if endpoint is None:
            return await self.inner(scope, receive, send)
        scope = {**scope, "path": match["rest"], "engine": endpoint.name}
        base = get_script_prefix()
        set_script_prefix(engine_path(endpoint.name, "/", base))  # for the fragments' links
        try:
            with using(endpoint):
                return await self.inner(scope, receive, send)
        finally:
            set_script_prefix(base)
