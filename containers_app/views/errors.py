"""Error pages in the product's own look, never a traceback."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Unlike Django's, it never reads the request body again (that may be what failed)."""
    return render(request, "errors/400.html", {}, status=400)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    """What the user's role does not allow (the reason names the role it takes), or a
    request without its CSRF token."""
    reason = str(exception) if isinstance(exception, PermissionDenied) else ""
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/404.html", {}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors here: whatever failed must not fail again.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
