"""`docker container|image|volume prune`: first the exact list, then the removal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .. import actions, docker_service
from ..docker_service import Conflict
from ..forms import PruneForm
from ..pages.formatting import human_size
from ..pages.waits import prune_busy
from .flow import ActionPage, Done, handle_action, refused

KINDS = {"container": "containers", "image": "images", "volume": "volumes", "network": "networks"}


def _candidate_id(item) -> str:
    """What names it in the engine's answer: a volume its name, anything else its id."""
    return item.name if isinstance(item, docker_service.VolumeSummary) else item.id


@require_http_methods(["GET", "POST"])
def prune_view(request: HttpRequest, kind: str) -> HttpResponse:
    if answer := refused(request, f"prune_{kind}s"):
        return answer
    every = kind == "volume" and docker_service.volume_prune_tells_named()
    data = request.POST if request.method == "POST" else request.GET
    form = PruneForm(data, kind=kind, every=every)
    spec = form.spec if form.is_valid() else None
    candidates = docker_service.prune_candidates(
        kind, spec.labels if spec else (), spec.every if spec else False
    )
    current = sorted({_candidate_id(item) for item in candidates})

    def act(actor: actions.Actor, spec) -> Done:
        if set(current) != form.expected_ids:
            changed = "what would be removed has changed since the list was shown: review it again"
            actions.record_rejected(actor, form.action, form.target_kind, kind, form.data, changed)
            raise Conflict(changed)
        result = actions.prune(actor, spec)
        reclaimed = human_size(result.space_reclaimed)
        return Done(
            f"Removed {len(result.removed)} {KINDS[kind]}, reclaimed {reclaimed}.",
            redirect_to=reverse(f"{KINDS[kind]}:list"),
        )

    page = ActionPage(
        "prune.html",
        f"Remove unused {KINDS[kind]}",
        "Remove them",
        {
            "kind": kind,
            "candidates": candidates,
            "expected": ",".join(current),
            "api_version": docker_service.client().api_version,
        },
        danger=True,
        confirm=f"Remove the {len(current)} {KINDS[kind]} listed? This cannot be undone.",
        busy=prune_busy(kind, len(current)),
    )
    return handle_action(request, form, page, act, kind)
