"""A container back as what makes it: its `docker run`, its Compose service.

Secret-looking environment values are hidden (as on every page) unless
`?secrets=1` asks for the command exactly as it must run.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from access import roles

from .. import docker_service
from ..pages.recreate import compose_text, recreate_lines

PLAIN_TEXT = "text/plain; charset=utf-8"


def _reveal(request: HttpRequest) -> bool:
    """`?secrets=1`: the values as they are, for whoever may run containers (others get
    them hidden, as without it)."""
    return request.GET.get("secrets") == "1" and roles.allows(request.user, roles.needs("run")[0])


@require_GET
def run_command(request: HttpRequest, ref: str) -> HttpResponse:
    """`text/plain`: the `docker run` that makes this container again (and any network
    connections the engine needs made after it, one command per line)."""
    recreated = docker_service.recreate_container(ref)
    lines = recreate_lines(recreated, mask=not _reveal(request))
    return HttpResponse("\n".join(lines) + "\n", content_type=PLAIN_TEXT)


@require_GET
def compose(request: HttpRequest, ref: str) -> HttpResponse:
    """The container as a Compose service (YAML); what Compose cannot say, as comments."""
    recreated = docker_service.recreate_container(ref)
    text = compose_text(recreated, mask=not _reveal(request))
    return HttpResponse(text, content_type="text/yaml; charset=utf-8")
