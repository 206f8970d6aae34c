"""Websockets from Dockside's own pages only: the exact scheme, host and port.

Channels' `AllowedHostsOriginValidator` compares host names alone, so a page
on another port of the same host (any local process) could open a socket
with a signed-in user's cookie. Here the origin must equal the site's own, as
the request's `Host` header (itself one of ALLOWED_HOSTS) and scheme give it,
or be one of CSRF_TRUSTED_ORIGINS: the rule Django applies to POSTs. A
missing or `null` origin is refused; browsers always send one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def parse_origin(text: str) -> Origin | None:
    """(scheme, host, port) of `http[s]://host[:port]`; None for anything else (`null`...)."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in {"", "/"}:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def _headers(scope) -> dict[bytes, str]:
    return {name.lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}


def _scheme(scope, headers: dict[bytes, str]) -> str:
    """https when the socket is TLS, or when a proxy Dockside trusts says the browser used it."""
    if scope.get("scheme") == "wss":
        return "https"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name, value = proxy
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        if headers.get(header, "").split(",")[0].strip() == value:
            return "https"
    return "http"


def site_origin(scope) -> Origin | None:
    """The origin of Dockside's own pages for this request; None when its Host is not allowed."""
    headers = _headers(scope)
    host = headers.get(b"host", "")
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return parse_origin(f"{_scheme(scope, headers)}://{host}")


def trusted(origin: Origin) -> bool:
    """Whether `origin` is one of CSRF_TRUSTED_ORIGINS (`https://*.example.com` included)."""
    scheme, host, port = origin
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        wildcard = "://*." in entry
        allowed = parse_origin(entry.replace("://*.", "://", 1) if wildcard else entry)
        if allowed is None or allowed[0] != scheme or allowed[2] != port:
            continue
        if host == allowed[1] or (wildcard and is_same_domain(host, f".{allowed[1]}")):
            return True
    return False


def origin_allowed(scope) -> bool:
    origin = parse_origin(_headers(scope).get(b"origin", ""))
    if origin is None:
        return False
    return origin == site_origin(scope) or trusted(origin)


class SameOriginOnly:
    """ASGI middleware: a websocket whose origin is not Dockside's own is refused (HTTP 403)."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
