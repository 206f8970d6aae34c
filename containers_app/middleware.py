"""Response headers and the pages shown when Docker says no."""

from __future__ import annotations

import logging
import time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import metrics, request_context
from .docker_service import DockerServiceError, EngineUnavailable, NotFound, http_status
from .pages.engine_errors import explain

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


access_log = logging.getLogger("dockside.requests")


class RequestIdMiddleware:
    """Each request gets an id (in its log lines, its audit entries, the X-Request-ID
    answer header), is counted and timed by route for /metrics, and logged once at INFO."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_context.begin()
        began = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - began
            match = getattr(request, "resolver_match", None)
            route = match.route if match else "unmatched"
            metrics.REQUESTS.labels(route, request.method, str(response.status_code)).inc()
            metrics.REQUEST_SECONDS.labels(route).observe(elapsed)
            response.headers["X-Request-ID"] = request_context.current()
            user = getattr(request, "user", None)
            access_log.info(
                "%s %s %s %.1f ms %s",
                request.method,
                request.path,
                response.status_code,
                elapsed * 1000,
                user.get_username() if user is not None and user.is_authenticated else "-",
            )
            return response
        finally:
            request_context.end(token)


class ContentSecurityPolicyMiddleware:
    """No inline script, no third-party origin: everything Dockside serves comes from itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class EngineUnavailableMiddleware:
    """An unreachable engine is a 503 page that says why; an unknown id is a 404 page.

    Any other engine error a view did not handle is a page with the engine's
    message, never a traceback: 409 for a conflict, 400 for a request the
    engine calls invalid, 502 when the engine itself failed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, EngineUnavailable):
            request.engine_error = exception
            response = render(
                request, "errors/engine_unavailable.html", {"error": exception}, status=503
            )
            response.headers["Retry-After"] = "5"
            htmx = getattr(request, "htmx", None)
            if htmx and not htmx.boosted:
                # A fragment request (a live preview, a poll): the whole page must say it.
                response.headers["HX-Refresh"] = "true"
            return response
        if isinstance(exception, DockerServiceError):
            template = "errors/404.html" if isinstance(exception, NotFound) else None
            context = {"error": exception, "explained": explain(exception)}
            return render(
                request,
                template or "errors/engine_refused.html",
                context,
                status=http_status(exception),
            )
        return None


class FormEncodingMiddleware:
    """A form body Django cannot read is a 400 page that says why, not a 500 with a traceback.

    Django reads `application/x-www-form-urlencoded` bodies as UTF-8 only and
    raises for any other charset; its own 400 page would read the body again
    (for the CSRF token) and fail.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.content_params.get("charset", "")
        if (
            request.content_type == "application/x-www-form-urlencoded"
            and charset
            and charset.lower() != "utf-8"
        ):
            logger.warning("refused a form sent as %r: %s", charset[:40], request.path[:200])
            return render(request, "errors/400.html", {"charset": charset}, status=400)
        return self.get_response(request)
