"""The audited wrapper every action goes through, and the record of refused input."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from access import roles
from audit.actors import Actor
from audit.models import AuditEntry

from .. import cli, docker_service
from ..docker_service import DockerServiceError
from ..masking import looks_secret, mask_text, mask_value

Outcome = AuditEntry.Outcome


def _masked(value):
    """Spec fields as JSON, with secret-looking values (env, URL passwords) hidden."""
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        if value and all(isinstance(item, list | tuple) and len(item) == 2 for item in value):
            return [
                [k, mask_text(mask_value(k, v)[0])]
                if isinstance(k, str) and isinstance(v, str)
                else [k, _masked(v)]
                for k, v in value
            ]
        return [_masked(item) for item in value]
    return mask_text(value) if isinstance(value, str) else value


def spec_parameters(spec) -> dict:
    return _masked(dataclasses.asdict(spec))


@contextmanager
def audited(
    actor: Actor,
    action: str,
    spec,
    target_kind: str,
    target_name: str = "",
    *,
    stays_open: bool = False,
) -> Iterator[AuditEntry]:
    """A pending entry for the duration of the Docker call, then succeeded or failed.

    The actor's role is checked here, for every action (access.roles.NEEDS): a
    refusal is a failed entry too. `stays_open`: on success the entry stays
    pending, for what goes on after the call (a terminal session); whoever ends it
    finishes the entry. A failure, expected or not, always finishes it.
    """
    entry = AuditEntry.begin(
        actor,
        action,
        target_kind=target_kind,
        target_name=target_name[:512],
        parameters=spec_parameters(spec),
        command=cli.command(spec, mask=True),  # `docker --context NAME` off `local`
        endpoint=docker_service.current_endpoint().name,
    )
    try:
        roles.require(actor.user, *roles.needs(action))
        yield entry
    except DockerServiceError as exc:
        entry.finish(Outcome.FAILED, error=str(exc))
        raise
    except BaseException as exc:
        entry.finish(Outcome.FAILED, error=f"interrupted: {type(exc).__name__}")
        raise
    finally:
        docker_service.engine_changed()  # the header's counts after it are the engine's
    if entry.outcome == Outcome.PENDING and not stays_open:
        entry.finish(Outcome.SUCCEEDED)


PARAMETER_LIMIT = 2000
NOT_PARAMETERS = {"csrfmiddlewaretoken", "_preview"}


def submitted_parameters(data) -> dict:
    """What a refused form held, secrets masked and long values cut."""
    result = {}
    for key in data:
        if key in NOT_PARAMETERS:
            continue
        value = "\n".join(data.getlist(key)) if hasattr(data, "getlist") else data[key]
        if len(value) > PARAMETER_LIMIT:
            value = f"{value[:PARAMETER_LIMIT]}… ({len(value) - PARAMETER_LIMIT} more characters)"
        result[key] = mask_value(key, value)[0] if looks_secret(key) else mask_text(value)
    return result


def record_rejected(
    actor: Actor, action: str, target_kind: str, target_name: str, data, error: str
) -> AuditEntry:
    """Input refused before Docker was called: still one failed entry, with the reason."""
    entry = AuditEntry.begin(
        actor,
        action,
        target_kind=target_kind,
        target_name=str(target_name)[:512],
        parameters=submitted_parameters(data),
        endpoint=docker_service.current_endpoint().name,
    )
    entry.finish(Outcome.FAILED, error=f"rejected: {error}")
    return entry
