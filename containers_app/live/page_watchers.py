"""How each live page follows the engine: the fragments a batch of events brings it.

`/ws/events/?page=NAME` picks its watcher from WATCHERS. A watcher is made
for one socket, `prepare()`s what it needs before the first event (in a
thread: it may ask the engine), then turns each batch of engine events into
HTML fragments (htmx out-of-band swaps), asking the engine once per batch,
never once per row.
"""

from __future__ import annotations

from contextlib import suppress

from django.http import QueryDict
from django.urls import reverse

from access import roles

from .. import docker_service
from ..docker_service import DockerServiceError
from ..pages.container_rows import rows_digest
from . import fragments
from .event_filters import EventFilter

# The actions that change what a list or detail page shows (not exec_*, top, attach, ...).
CHANGES = {
    "create", "start", "restart", "die", "stop", "kill", "pause", "unpause", "rename",
    "destroy", "update", "oom", "pull", "tag", "untag", "delete", "import", "load", "commit",
}  # fmt: skip


def container_ids(events: list[dict]) -> set[str]:
    return {e["Actor"]["ID"] for e in events if e.get("Type") == "container"}


def images_changed(events: list[dict]) -> bool:
    return any(e.get("Type") == "image" for e in events)


class PageWatcher:
    """A page of objects: it changes with their events, and so do the header's counts."""

    def __init__(
        self, query: QueryDict, csrf_secret: str, allowed: dict[str, bool] | None = None
    ) -> None:
        self.query = query
        self.csrf_secret = csrf_secret
        self.allowed = allowed or roles.permissions(None)  # the controls the page may show

    def prepare(self) -> None:
        """What the watcher must know before the first event (nothing by default)."""

    def greeting(self) -> list[str]:
        """Fragments to send once, when the socket opens (none by default)."""
        return []

    def relevant(self, events: list[dict]) -> list[dict]:
        return [e for e in events if e.get("Action", "").split(":")[0] in CHANGES]

    def fragments(self, events: list[dict]) -> list[str]:
        """The fragments for a batch of events (called in a thread)."""
        events = self.relevant(events)
        if not events:
            return []
        parts = self.page_fragments(events)
        if container_ids(events) or images_changed(events):
            with suppress(DockerServiceError):
                parts.append(fragments.engine_counts_fragment())
        return parts

    def page_fragments(self, events: list[dict]) -> list[str]:
        raise NotImplementedError


class ContainerList(PageWatcher):
    """`page=containers` (with `all=1` like `docker ps -a`): rows inserted, replaced, removed."""

    def prepare(self) -> None:
        found = docker_service.list_containers(all=self.show_all)
        self.shown = {c.id for c in found}
        # Something that changed between the page's answer and this socket would have no
        # event left to bring it: then the rows come again, as the page would show them.
        same = self.query.get("rows") == rows_digest(self.shown)
        self.resent = [] if same else fragments.container_rows_fragments(found, self.query)

    def greeting(self) -> list[str]:
        return self.resent

    @property
    def show_all(self) -> bool:
        return self.query.get("all") == "1"

    def page_fragments(self, events: list[dict]) -> list[str]:
        changed = container_ids(events)
        return fragments.container_fragments(changed, self.show_all, self.shown) if changed else []


class ContainerPage(PageWatcher):
    """`page=container&ref=ID`: the detail page's main part, or that it was removed."""

    def page_fragments(self, events: list[dict]) -> list[str]:
        ref = self.query.get("ref", "")
        if ref and any(cid.startswith(ref) for cid in container_ids(events)):
            return [fragments.detail_fragment(ref, self.csrf_secret, self.allowed)]
        return []


class ImageList(PageWatcher):
    """`page=images`: the rows (any image event, and container events for the usage counts)."""

    def page_fragments(self, events: list[dict]) -> list[str]:
        if images_changed(events) or container_ids(events):
            return [fragments.image_rows_fragment(self.query)]
        return []


class ImagePage(PageWatcher):
    """`page=image&ref=ID&tag=NAME`: its tags and containers as they change, or its removal.

    Any image event may concern it: a tag moved to another image (`docker tag`,
    a pull) names only the image that gained it. Containers made from it may
    come and go with any container event.
    """

    removed = False

    def page_fragments(self, events: list[dict]) -> list[str]:
        image_id = self.query.get("ref", "").removeprefix("sha256:")
        if not image_id:
            return []
        if not images_changed(events) and (self.removed or not container_ids(events)):
            return []
        html = fragments.image_detail_fragment(
            f"sha256:{image_id}", self.query.get("tag", ""), self.allowed
        )
        if html is not None:
            self.removed = False
            return [html]
        if self.removed:
            return []
        self.removed = True
        return [fragments.removed_fragment("image", reverse("images:list"))]


class EventFeed(PageWatcher):
    """`page=events` (with `type`, `action`, `actor` filters): every matching event, as a row."""

    def relevant(self, events: list[dict]) -> list[dict]:
        wanted = EventFilter.from_query(self.query)
        return [e for e in events if wanted.matches(e)]

    def fragments(self, events: list[dict]) -> list[str]:
        matching = self.relevant(events)
        return [fragments.event_rows_fragment(matching)] if matching else []


WATCHERS: dict[str, type[PageWatcher]] = {
    "containers": ContainerList,
    "container": ContainerPage,
    "images": ImageList,
    "image": ImagePage,
    "events": EventFeed,
}
