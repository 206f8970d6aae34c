"""Pages a role may not open answer 403 with the role they take (a page, not a traceback);
each refusal is a failed audit entry."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.actors import Actor
from audit.models import AuditEntry

from .roles import allows, refusal


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": reason}, status=403)


def denied(
    request: HttpRequest, needed: str, doing: str, action: str = "open_page"
) -> HttpResponse | None:
    """The 403 page when the user's role is below `needed` (and a failed entry for
    `action`), else None."""
    if allows(request.user, needed):
        return None
    why = refusal(request.user, needed, doing)
    entry = AuditEntry.begin(
        Actor.from_request(request),
        action,
        target_kind="page",
        target_name=request.path[:512],
        parameters={"method": request.method},
        endpoint=getattr(request, "engine_name", ""),  # set by engines.paths
    )
    entry.finish(AuditEntry.Outcome.FAILED, error=f"refused: {why}")
    return forbidden(request, why)


def role_required(needed: str, doing: str, action: str = "open_page"):
    """A view decorator: the view runs only for `needed` (or above); anyone else gets 403."""

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            return denied(request, needed, doing, action) or view(request, *args, **kwargs)

        return checked

    return decorate
