"""The /events/ page's filters, for the history Dockside recorded and for live events alike."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import QueryDict

EVENT_TYPES = ("container", "image")


@dataclass(frozen=True)
class EventFilter:
    """`type` (container or image), `action` (a prefix: `exec` matches `exec_start: sh`),
    `actor` (part of the name, any case, or the start of the id)."""

    type: str = ""
    action: str = ""
    actor: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> EventFilter:
        kind = query.get("type", "")
        return cls(
            type=kind if kind in EVENT_TYPES else "",
            action=query.get("action", "").strip(),
            actor=query.get("actor", "").strip(),
        )

    def command(self) -> str:
        """`docker events` with these filters, as near as the CLI's own filters come."""
        args = ["docker", "events"]
        if self.type:
            args += ["--filter", f"type={self.type}"]
        if self.action:
            args += ["--filter", f"event={self.action}"]
        if self.actor:
            args += ["--filter", f"{'image' if self.type == 'image' else 'container'}={self.actor}"]
        return shlex.join(args)

    @property
    def differs_from_the_cli(self) -> bool:
        """The CLI matches whole event names and whole names or ids; this page, their start."""
        return bool(self.action or self.actor)

    def apply(self, events: QuerySet) -> QuerySet:
        """The recorded events (EngineEvent rows) that match."""
        if self.type:
            events = events.filter(type=self.type)
        if self.action:
            events = events.filter(action__startswith=self.action)
        if self.actor:
            events = events.filter(
                Q(actor_name__icontains=self.actor) | Q(actor_id__startswith=self.actor)
            )
        return events

    def matches(self, event: dict) -> bool:
        """Whether a live event from the engine matches."""
        actor = event.get("Actor") or {}
        name = (actor.get("Attributes") or {}).get("name", "")
        return (
            (not self.type or event.get("Type") == self.type)
            and (event.get("Action") or "").startswith(self.action)
            and (
                not self.actor
                or self.actor.casefold() in name.casefold()
                or actor.get("ID", "").startswith(self.actor)
            )
        )
