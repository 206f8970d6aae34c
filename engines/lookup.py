"""Which engines there are, by name: `local` and the ones admins added."""

from __future__ import annotations

from containers_app.docker_service import LOCAL, Endpoint, local_endpoint

from .models import Engine


def named(name: str) -> Endpoint | None:
    if name == LOCAL:
        return local_endpoint()
    engine = Engine.objects.filter(name=name).first()
    return engine.endpoint() if engine is not None else None


def names() -> list[str]:
    """Every engine's name, `local` first."""
    return [LOCAL, *Engine.objects.values_list("name", flat=True)]


def every() -> list[Endpoint]:
    return [local_endpoint(), *(engine.endpoint() for engine in Engine.objects.all())]
