"""Adding, changing and removing engines: admins only, each an audit entry."""

from __future__ import annotations

from containers_app.actions import Actor
from containers_app.actions.auditing import audited
from containers_app.docker_service import forget_client
from containers_app.specs import ContextRemoveSpec, ContextSpec

from .models import Engine


def save_engine(
    actor: Actor, spec: ContextSpec, tls: tuple[str, str, str | None], existing: Engine | None
) -> Engine:
    """Add an engine or change one; `tls` is (CA, certificate, key), a None key keeps the
    stored one, and no certificate drops them all."""
    with audited(actor, "change_engine" if existing else "add_engine", spec, "engine", spec.name):
        engine = existing or Engine(name=spec.name, added_by=actor.user)
        before = existing.endpoint() if existing else None
        ca, cert, key = tls
        engine.url, engine.tls_ca, engine.tls_cert = spec.host, ca, cert
        if not cert:
            engine.sealed_key = ""
        elif key is not None:
            engine.set_key(key)
        engine.save()
        if before is not None:
            forget_client(before)
        return engine


def remove_engine(actor: Actor, spec: ContextRemoveSpec, engine: Engine) -> None:
    with audited(actor, "remove_engine", spec, "engine", spec.name):
        endpoint = engine.endpoint()
        engine.delete()
        forget_client(endpoint)
