"""What every signed-in request gets: pages never stored by a browser or a proxy
(`no-store`: the back button after signing out, or the next user of a shared computer,
finds none), and a session that lasts SESSION_COOKIE_AGE from the last request."""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

RENEWED = "_dockside_renewed"
RENEW_EVERY = 60  # seconds


class SignedInMiddleware:
    """For someone signed in: `no-store` on every answer, and the session renewed
    (sliding) at most once a minute rather than on every request: a write per page, and
    with SQLite every process waited its turn for it. The session ends at most a minute
    sooner than a save on every request would make it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            now = int(time.time())
            if now - request.session.get(RENEWED, 0) >= RENEW_EVERY:
                request.session[RENEWED] = now
        return response
