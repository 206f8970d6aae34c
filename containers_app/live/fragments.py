"""The HTML fragments live pages receive over their websockets (htmx out-of-band swaps).

Each function asks the engine once for what changed (never once per row) and
renders the same templates and partials the pages themselves use.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest, QueryDict
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from .. import docker_service
from ..docker_service import NotFound
from ..models import EngineEvent
from ..pages.container_rows import container_row, container_rows, search_text
from ..pages.containers import COLUMNS, detail_context
from ..pages.images import image_detail_context, image_listing
from ..pages.listing import build_listing
from .stats_charts import panel_charts
from .stats_math import StatsLimits, StatsSample

CSRF_CHARACTERS = frozenset(CSRF_ALLOWED_CHARS)
VISIBLE_WITHOUT_ALL = {"running", "paused", "restarting"}  # what `docker ps` lists
STATS_SORTS = {  # a container without a reading yet goes last
    "cpu": lambda row: (row[2] is None, -row[2].cpu_percent if row[2] else 0),
    "memory": lambda row: (row[2] is None, -row[2].memory_used if row[2] else 0),
    "name": lambda row: (False, row[1]),
}


def container_fragments(container_ids: set[str], show_all: bool, shown: set[str]) -> list[str]:
    """Insert, replace or delete the rows of these containers; `shown` tracks the page's rows.

    One engine call for all of them (event ids are full ids).
    """
    found = docker_service.list_containers(all=True, filters={"id": sorted(container_ids)})
    by_id = {container.id: container for container in found}
    parts = []
    for container_id in sorted(container_ids):
        parts += _row_fragments(container_id, by_id.get(container_id), show_all, shown)
    return parts


def _row_fragments(container_id: str, container, show_all: bool, shown: set[str]) -> list[str]:
    visible = container is not None and (show_all or container.state in VISIBLE_WITHOUT_ALL)
    if visible and container_id in shown:
        return [container_row(container, oob="outerHTML")]
    if visible:
        empty = not shown
        shown.add(container_id)
        insert = (
            f'<tbody hx-swap-oob="afterbegin:#container-rows">{container_row(container)}</tbody>'
        )
        return [insert, removal("containers-empty")] if empty else [insert]
    if container_id in shown:
        shown.discard(container_id)
        return [removal(f"c-{container_id[:12]}")]
    return []


def container_rows_fragments(found: Sequence, query: QueryDict) -> list[str]:
    """The whole list again, as the page would render it now (its sort and search)."""
    listing = build_listing(found, query, COLUMNS, search_text, "-created")
    rows = f'<tbody hx-swap-oob="innerHTML:#container-rows">{container_rows(listing.rows)}</tbody>'
    return [rows, removal("containers-empty")] if listing.rows else [rows]


def removal(element_id: str) -> str:
    """Remove the element if the page still has it (dockside.js; see #live-removals)."""
    mark = f'<i data-gone="{escape(element_id)}"></i>'
    return f'<div hx-swap-oob="beforeend:#live-removals">{mark}</div>'


def masked_csrf_token(secret: str) -> str:
    """A fresh form token for the CSRF cookie's secret, masked as Django masks page tokens.

    The fragment is rendered outside any request; the bare secret must never
    reach the HTML (compressed pages would leak it to a BREACH attack).
    """
    if len(secret) != CSRF_SECRET_LENGTH or not set(secret) <= CSRF_CHARACTERS:
        return ""  # no usable cookie: the forms will ask for a reload, not fail here
    request = HttpRequest()
    request.META["CSRF_COOKIE"] = secret
    return get_token(request)


def detail_fragment(ref: str, csrf_secret: str, allowed: dict[str, bool]) -> str:
    try:
        data = docker_service.inspect_container_data(ref)
    except NotFound:
        return removed_fragment("container", f"{reverse('containers:list')}?all=1")
    token = masked_csrf_token(csrf_secret)
    engine = docker_service.engine_info()
    context = {**detail_context(data, engine, allowed), "oob": True, "csrf_token": token}
    return render_to_string("containers/detail.html#main", context)


def image_detail_fragment(ref: str, tag: str, allowed: dict[str, bool]) -> str | None:
    """The image page's main part as `views.images.image_detail` renders it; None once removed."""
    try:
        image = docker_service.inspect_image(ref)
    except NotFound:
        return None
    context = {**image_detail_context(image, tag), **allowed, "oob": True}
    return render_to_string("images/detail.html#main", context)


def live_state_fragment() -> str:
    """Sent first on a live page's socket: from now on, every change reaches the page."""
    return render_to_string("_live_state.html", {"live": True, "oob": True})


def removed_fragment(kind: str, list_url: str) -> str:
    """What replaces a detail page's main part once its container or image is gone."""
    return render_to_string("_removed.html", {"kind": kind, "list_url": list_url})


def image_rows_fragment(query: QueryDict) -> str:
    return render_to_string("images/list.html#rows", {"listing": image_listing(query), "oob": True})


def engine_counts_fragment() -> str:
    return render_to_string(
        "_engine_counts.html", {"engine": docker_service.engine_info(), "oob": True}
    )


def event_rows_fragment(events: list[dict]) -> str:
    rows = [EngineEvent.from_engine(event) for event in reversed(events)]
    return render_to_string("events/list.html#rows", {"events": rows, "oob": True})


def stats_panel(
    history: Sequence[StatsSample], kind: str, value, limits: StatsLimits | None
) -> str:
    """The container page's stats: the latest numbers, and charts of the last five minutes
    on scales up to the container's limits (`limits`; None when unknown)."""
    return render_to_string(
        "containers/_stats_panel.html",
        {
            "latest": history[-1] if history else None,
            "charts": panel_charts(history, limits),
            "state": kind,
            "detail": value,
            "samples": len(history),
        },
    )


def stats_rows(rows: list[tuple[str, str, StatsSample | None]], sort: str) -> str:
    ordered = sorted(rows, key=STATS_SORTS.get(sort, STATS_SORTS["cpu"]))
    return render_to_string("stats/_rows.html", {"rows": ordered, "oob": True})
