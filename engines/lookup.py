"""Which engines there are, by name: `local` and the ones admins added."""

from __future__ import annotations

import time

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from containers_app.docker_service import LOCAL, Endpoint, local_endpoint

from .models import Engine

NAMES_FRESH = 5.0  # seconds another process's change of engines may take to show here
_names: tuple[float, list[str]] | None = None


def named(name: str) -> Endpoint | None:
    if name == LOCAL:
        return local_endpoint()
    engine = Engine.objects.filter(name=name).first()
    return engine.endpoint() if engine is not None else None


def names() -> list[str]:
    """Every engine's name, `local` first (for the header's switcher on every page: asked
    of the database at most every NAMES_FRESH seconds, and again at once after a change
    made in this process). Inside a transaction, always asked: what it reads may yet be
    rolled back, and what it wrote must show."""
    global _names
    keep = not connection.in_atomic_block
    known = _names
    if keep and known is not None and time.monotonic() - known[0] < NAMES_FRESH:
        return known[1]
    found = [LOCAL, *Engine.objects.values_list("name", flat=True)]
    if keep:
        _names = (time.monotonic(), found)
    return found


@receiver([post_save, post_delete], sender=Engine)
def _forget_names(**_) -> None:
    global _names
    _names = None


def every() -> list[Endpoint]:
    return [local_endpoint(), *(engine.endpoint() for engine in Engine.objects.all())]
