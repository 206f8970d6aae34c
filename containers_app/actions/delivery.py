"""Building images and moving them: build, push, save, load, and the registries' logins.

Registry credentials come from the stored registry the image's reference names, and
never enter a spec: the audit log holds the command and its parameters, not a password.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils import timezone

from access import policy, roles
from access.models import HostPolicy
from audit.actors import Actor
from registries.models import Registry

from .. import docker_service
from ..build_context import ContextProblem
from ..docker_service import BuildRequest, BuildStream, DockerServiceError, InvalidRequest
from ..references import parse_image_reference
from ..specs import BuildSpec, LoadSpec, PushSpec, RegistryLoginSpec, RegistryLogoutSpec, SaveSpec
from .auditing import Outcome, audited


class RegistryNotAllowed(DockerServiceError):
    pass


def check_registry(reference: str) -> None:
    """Refuse pulls and pushes to registries outside DOCKSIDE_ALLOWED_REGISTRIES (when set)."""
    allowed = settings.DOCKSIDE_ALLOWED_REGISTRIES
    registry = parse_image_reference(reference).registry
    if allowed and registry not in allowed:
        raise RegistryNotAllowed(
            f"reaching the registry {registry} is not allowed here (allowed: {', '.join(allowed)})"
        )


def credentials_for(reference: str) -> dict | None:
    """The stored credentials of the registry an image reference names, if any."""
    registry = Registry.for_reference(parse_image_reference(reference).domain)
    return registry.auth_config() if registry else None


def _all_credentials() -> dict:
    """Every stored registry's credentials, for a build's FROM and --pull."""
    found = {}
    for registry in Registry.objects.exclude(username=""):
        auth = registry.auth_config()
        found[auth["serveraddress"]] = auth
    return found


def check_build_directory(actor: Actor, spec: BuildSpec, override: bool) -> None:
    """A directory context reads the host: only from where bind mounts may come from (the
    host-access policy), unless an admin says otherwise."""
    if spec.source != "directory":
        return
    if override and roles.allows(actor.user, roles.Role.ADMIN):
        return
    problem = policy.host_directory_problem("directory", spec.directory, HostPolicy.current())
    if problem:
        raise policy.PolicyRefused([problem])


def build_image(
    actor: Actor,
    spec: BuildSpec,
    context: Callable[[], IO[bytes]],
    progress: Callable[[dict], None],
    started: Callable[[BuildStream], None],
    override: bool = False,
) -> str:
    """`docker build`: `context` makes the context's tar (after the checks), the engine's
    output items go to `progress`, `started` gets the stream (to cancel it). Returns the
    new image's id."""
    with audited(actor, "build", spec, "image", spec.tags[0] if spec.tags else "") as entry:
        check_build_directory(actor, spec, override)
        request = BuildRequest(
            tags=spec.tags,
            build_args=spec.build_args,
            labels=spec.labels,
            target=spec.target,
            no_cache=spec.no_cache,
            pull=spec.pull,
            platform=spec.platform,
            network=spec.network,
        )
        try:
            tar_file = context()
        except ContextProblem as exc:
            raise InvalidRequest(str(exc)) from exc
        with tar_file as tar:
            stream = docker_service.start_build(tar, request, _all_credentials())
            started(stream)
            image_id = ""
            for item in stream.items():
                progress(item)
                image_id = (item.get("aux") or {}).get("ID", image_id)
        entry.target_id = image_id
        return image_id


def push_image(
    actor: Actor, spec: PushSpec, progress: Callable[[dict], None] | None = None
) -> None:
    """`docker tag` (when the target is another name) then `docker push`, with the stored
    credentials of the registry the target names."""
    with audited(actor, "push", spec, "image", spec.target) as entry:
        check_registry(spec.target)
        made_tag = False
        if spec.source != spec.target:
            made_tag = _tag_for_push(actor, spec)
        try:
            for item in docker_service.push_image(spec.target, credentials_for(spec.target)):
                if progress:
                    progress(item)
        except DockerServiceError:
            if made_tag:  # a failed push leaves no new name behind
                docker_service.remove_image(spec.target, no_prune=True)
            raise
        entry.target_id = docker_service.image_id(spec.target) or ""


def check_push_target(actor: Actor, spec: PushSpec) -> tuple[str | None, str | None]:
    """(the source's id, the target's) on the engine. A target that names another image
    would be moved by the push's `docker tag`: retagging is an admin's to do."""
    source, target = docker_service.image_id(spec.source), docker_service.image_id(spec.target)
    if target not in {None, source} and not roles.allows(actor.user, roles.Role.ADMIN):
        raise roles.NotAllowed(
            f"{spec.target} names another image here: moving that tag takes the admin role;"
            " push under a new name or tag"
        )
    return source, target


def _tag_for_push(actor: Actor, spec: PushSpec) -> bool:
    """`docker tag SOURCE TARGET`; whether the tag is new."""
    source, target = check_push_target(actor, spec)
    if target == source:
        return False
    docker_service.tag_image(spec.source, spec.target)
    return target is None


def save_images(actor: Actor, spec: SaveSpec) -> Iterator[bytes]:
    """`docker save`: the tar, streamed from the engine as it writes it."""
    with audited(actor, "save", spec, "image", " ".join(spec.images)):
        return docker_service.save_images(spec.images)


def load_images(actor: Actor, spec: LoadSpec, tar: IO[bytes]) -> list[str]:
    """`docker load`: what the engine loaded, as it says it ("Loaded image: app:1")."""
    with audited(actor, "load", spec, "image", spec.filename) as entry:
        loaded = docker_service.load_images(tar)
        entry.parameters = {**entry.parameters, "loaded": loaded}
        return loaded


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str


def registry_login(actor: Actor, spec: RegistryLoginSpec, registry: Registry) -> LoginResult:
    """`docker login` with the stored password: the registry's answer, kept on the registry.
    A refusal is the registry's message, and a failed entry."""
    with audited(actor, "registry_login", spec, "registry", spec.address) as entry:
        try:
            message = docker_service.registry_login(registry.auth_config() or {})
        except DockerServiceError as exc:
            message = str(exc)
            entry.finish(Outcome.FAILED, error=message)
            registry.last_login_ok = None
        else:
            registry.last_login_ok = timezone.now()
        registry.last_login_message = message[:500]
        registry.save(update_fields=["last_login_ok", "last_login_message"])
        return LoginResult(registry.last_login_ok is not None, message)


def save_registry(
    actor: Actor, spec: RegistryLoginSpec, password: str | None, existing: Registry | None
) -> Registry:
    """Add a registry (or change its user or password; None keeps the stored one)."""
    action = "change_registry" if existing else "add_registry"
    with audited(actor, action, spec, "registry", spec.address):
        registry = existing or Registry(address=spec.address, added_by=actor.user)
        registry.address, registry.username = spec.address, spec.username
        if password is not None:
            registry.set_secret(password)
        registry.last_login_ok, registry.last_login_message = None, ""
        registry.save()
        return registry


def remove_registry(actor: Actor, spec: RegistryLogoutSpec, registry: Registry) -> None:
    with audited(actor, "remove_registry", spec, "registry", spec.address):
        registry.delete()
