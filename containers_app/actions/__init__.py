"""One function per user action: the audit entry, then the Docker call, then the outcome.

Every entry is written as pending before Docker is called and completed after,
success or failure, so a crash in between leaves a pending entry, never none.
Views, consumers, the admin and management commands all come through here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings

from access import policy, roles
from access.models import HostPolicy
from audit.actors import Actor
from audit.models import AuditEntry

from .. import cli, docker_service
from ..docker_service import (
    DockerServiceError,
    NetworkDetail,
    ProcessResult,
    PruneResult,
    RemovedImage,
    VolumeDetail,
)
from ..references import parse_image_reference
from ..specs import (
    CommitSpec,
    ConnectSpec,
    CopyFromSpec,
    CopyToSpec,
    CreateNetworkSpec,
    CreateVolumeSpec,
    DisconnectSpec,
    ExecSpec,
    LifecycleSpec,
    PruneSpec,
    PullSpec,
    RemoveContainerSpec,
    RemoveImageSpec,
    RemoveNetworkSpec,
    RemoveVolumeSpec,
    RenameSpec,
    RunSpec,
    TagSpec,
    TerminalSpec,
    VolumeCopySpec,
)
from .auditing import Outcome, audited, record_rejected, spec_parameters, submitted_parameters
from .delivery import (
    LoginResult,
    RegistryNotAllowed,
    build_image,
    check_build_directory,
    check_push_target,
    check_registry,
    credentials_for,
    load_images,
    push_image,
    registry_login,
    remove_registry,
    save_images,
    save_registry,
)

# --- images ---------------------------------------------------------------


def pull_image(
    actor: Actor, spec: PullSpec, progress: Callable[[dict], None] | None = None
) -> list[str]:
    """`docker pull`; progress items go to `progress` as they arrive. Returns the status lines."""
    with audited(actor, "pull", spec, "image", spec.reference) as entry:
        check_registry(spec.reference)
        statuses = []
        for item in docker_service.pull_image(spec.reference, credentials_for(spec.reference)):
            if progress:
                progress(item)
            if "id" not in item and item.get("status"):
                statuses.append(item["status"])
        entry.target_id = docker_service.inspect_image(spec.reference).id
    return statuses


def tag_image(actor: Actor, spec: TagSpec) -> None:
    with audited(actor, "tag", spec, "image", spec.source):
        docker_service.tag_image(spec.source, spec.target)


def remove_image(actor: Actor, spec: RemoveImageSpec) -> RemovedImage:
    with audited(actor, "remove_image", spec, "image", spec.image):
        return docker_service.remove_image(spec.image, force=spec.force, no_prune=spec.no_prune)


def prune(actor: Actor, spec: PruneSpec) -> PruneResult:
    with audited(actor, f"prune_{spec.kind}s", spec, "system", spec.kind) as entry:
        result = docker_service.prune(spec.kind, spec.labels, spec.every)
        entry.parameters = {**entry.parameters, "removed": list(result.removed)}
        return result


# --- volumes ----------------------------------------------------------------


def create_volume(actor: Actor, spec: CreateVolumeSpec, override: bool = False) -> VolumeDetail:
    """`docker volume create`, within the host-access policy (an admin may override it).

    As the CLI does, a name that exists already is no error: the engine hands back the
    volume it has, unchanged.
    """
    refused = policy.volume_problems(spec.driver, dict(spec.options), HostPolicy.current())
    with audited(actor, "create_volume", spec, "volume", spec.name) as entry:
        if refused and not _may_override(actor, override):
            raise policy.PolicyRefused(refused)
        if refused:
            entry.parameters = {**entry.parameters, "policy_override": [str(p) for p in refused]}
        volume = docker_service.create_volume(
            spec.name, spec.driver, dict(spec.options), dict(spec.labels)
        )
        entry.target_name = volume.name
        entry.save(update_fields=["target_name", "parameters"])
        return volume


def remove_volume(actor: Actor, spec: RemoveVolumeSpec) -> None:
    with audited(actor, "remove_volume", spec, "volume", spec.volume):
        docker_service.remove_volume(spec.volume, force=spec.force)


# --- networks ---------------------------------------------------------------


def create_network(actor: Actor, spec: CreateNetworkSpec) -> NetworkDetail:
    with audited(actor, "create_network", spec, "network", spec.name) as entry:
        network = docker_service.create_network(
            spec.name,
            spec.driver,
            spec.subnet,
            spec.gateway,
            spec.ip_range,
            spec.internal,
            spec.attachable,
            dict(spec.labels),
            dict(spec.options),
        )
        entry.target_id = network.id
        entry.save(update_fields=["target_id"])
        return network


def connect_network(actor: Actor, spec: ConnectSpec) -> None:
    with audited(actor, "network_connect", spec, "network", spec.network):
        docker_service.connect_network(spec.network, spec.container, spec.aliases, spec.ip)


def disconnect_network(actor: Actor, spec: DisconnectSpec) -> None:
    with audited(actor, "network_disconnect", spec, "network", spec.network):
        docker_service.disconnect_network(spec.network, spec.container, spec.force)


def remove_network(actor: Actor, spec: RemoveNetworkSpec) -> None:
    with audited(actor, "remove_network", spec, "network", spec.network):
        docker_service.remove_network(spec.network)


# --- containers -------------------------------------------------------------


class StartFailed(DockerServiceError):
    """The container was created but would not start; says what became of it."""

    def __init__(self, cause: DockerServiceError, name: str, left_behind: bool):
        self.cause = cause
        self.left_behind = left_behind
        if left_behind:
            self.tail = f"Docker left the created container {name} behind (docker rm {name})."
        else:
            self.tail = "The container Docker had created was removed again."
        super().__init__(f"{cause} {self.tail}")


@dataclass(frozen=True)
class RunOutcome:
    container_id: str
    name: str
    pulled: bool
    result: ProcessResult | None


def run_container(actor: Actor, spec: RunSpec, override: bool = False) -> RunOutcome:
    """`docker run` / `docker create`, including the pull `--pull` asks for.

    The host-access policy is checked first (what the spec says, before any pull; what
    only the engine knows, before the container is made). `override`: an admin runs it
    anyway, and the audit entry lists what the policy would have refused.
    """
    rules = HostPolicy.current()
    refused = _checked_by_policy(actor, spec, override, rules)
    pulled = False
    if spec.pull == "always" or (
        spec.pull == "missing" and not docker_service.image_present(spec.image)
    ):
        pull_image(actor, PullSpec(spec.image))
        pulled = True
    with audited(actor, spec.verb, spec, "container", spec.name) as entry:
        refused += policy.engine_problems(spec, rules)
        if refused and not _may_override(actor, override):
            raise policy.PolicyRefused(refused)
        if refused:
            entry.parameters = {**entry.parameters, "policy_override": [str(p) for p in refused]}
            entry.save(update_fields=["parameters"])
        container_id = docker_service.create_container(spec)
        name = spec.name or docker_service.inspect_container(container_id).name
        entry.target_id, entry.target_name = container_id, name
        entry.save(update_fields=["target_id", "target_name"])
        result = None
        if spec.start:
            try:
                if spec.foreground:
                    result = docker_service.run_in_foreground(
                        container_id, spec.tty, spec.remove, settings.DOCKSIDE_WAIT_TIMEOUT
                    )
                else:
                    docker_service.start_container(container_id)
            except DockerServiceError as exc:
                raise StartFailed(exc, name, left_behind=not _removed(container_id)) from exc
        if result is not None:
            entry.parameters = {**entry.parameters, "exit_code": result.exit_code}
    return RunOutcome(container_id, name, pulled, result)


def _may_override(actor: Actor, override: bool) -> bool:
    return override and roles.allows(actor.user, roles.Role.ADMIN)


def _checked_by_policy(
    actor: Actor, spec: RunSpec, override: bool, rules: HostPolicy
) -> list[policy.Problem]:
    """What the policy refuses in the spec itself; refused (a failed entry) unless an admin
    overrides it, in which case the problems are returned, to be recorded."""
    refused = policy.problems(spec, rules)
    if refused and not _may_override(actor, override):
        with audited(actor, spec.verb, spec, "container", spec.name):
            raise policy.PolicyRefused(refused)
    return refused


def replace_container(actor: Actor, old: str, spec: RunSpec, override: bool = False) -> RunOutcome:
    """Duplicate with "replace": the old container makes way, the new one takes its name.

    Each step is its own audited action: stop (if it runs), rename it aside, run
    the new one, remove the old one. If the new one cannot be made, whatever it
    left behind goes and the old one gets its name back (and is started again if
    it ran): nothing half-done.
    """
    current = docker_service.inspect_container(old)
    refusal = ""
    if not roles.allows(actor.user, roles.needs("replace")[0]):
        refusal = roles.refusal(actor.user, *roles.needs("replace"))
    elif spec.name and spec.name != current.name:
        refusal = (
            f"the container name must stay {current.name} to replace it: set it back, or untick"
            " Replace to make a copy under the new name"
        )
    elif current.auto_remove:
        refusal = (
            f"{current.name} runs with --rm: stopping it removes it before anything takes its"
            " place. Untick Replace, or stop it yourself first"
        )
    if refusal:
        asked = {"replaces": current.name, "command": cli.command(spec, mask=True)}
        record_rejected(actor, spec.verb, "container", current.name, asked, refusal)
        if not roles.allows(actor.user, roles.needs("replace")[0]):
            raise roles.NotAllowed(refusal)
        raise docker_service.InvalidRequest(refusal)
    spec = dataclasses.replace(spec, name=current.name)
    _checked_by_policy(actor, spec, override, HostPolicy.current())  # before any step
    running = current.state.running or current.state.paused
    if running:
        container_lifecycle(actor, LifecycleSpec("stop", current.name))
    aside = f"{current.name}-replaced-{current.short_id}"
    rename_container(actor, RenameSpec(current.name, aside))
    try:
        outcome = run_container(actor, spec, override)
    except DockerServiceError as exc:
        _put_back(actor, exc, current.name, aside, running)
        raise
    remove_container(actor, RemoveContainerSpec(aside))
    return outcome


def _put_back(actor: Actor, failure: DockerServiceError, name: str, aside: str, start: bool):
    """A replacement failed: the old container gets its name (and its run) back."""
    try:
        if isinstance(failure, StartFailed) and failure.left_behind:
            remove_container(actor, RemoveContainerSpec(name, force=True))
        rename_container(actor, RenameSpec(aside, name))
        if start:
            container_lifecycle(actor, LifecycleSpec("start", name))
    except DockerServiceError as exc:
        raise DockerServiceError(
            f"{failure} Putting the old container back failed too ({exc}): it is {aside}."
        ) from failure


def _removed(container_id: str) -> bool:
    try:
        docker_service.remove_container(container_id, force=True)
    except docker_service.NotFound:
        return True
    except DockerServiceError:
        return False
    return True


def container_lifecycle(actor: Actor, spec: LifecycleSpec) -> None:
    with audited(actor, spec.verb, spec, "container", spec.container):
        docker_service.container_lifecycle(spec)


def rename_container(actor: Actor, spec: RenameSpec) -> None:
    with audited(actor, "rename", spec, "container", spec.container):
        docker_service.rename_container(spec.container, spec.new_name)


def remove_container(actor: Actor, spec: RemoveContainerSpec) -> None:
    with audited(actor, "remove_container", spec, "container", spec.container):
        docker_service.remove_container(spec.container, force=spec.force, volumes=spec.volumes)


def _within_reach(actor: Actor, container: str, user: str) -> None:
    """A command in a container that reaches the host (what the policy refuses to make:
    --privileged, the socket, host directories with root...) takes the admin role."""
    if roles.allows(actor.user, roles.Role.ADMIN):
        return
    raw = docker_service.inspect_container(container).raw
    reach = policy.container_reach(raw, user, HostPolicy.current())
    if reach:
        raise roles.NotAllowed(
            f"{container} reaches the host ({'; '.join(reach)}): a command or terminal in it"
            " takes the admin role"
        )


def exec_command(actor: Actor, spec: ExecSpec) -> ProcessResult:
    with audited(actor, "exec", spec, "container", spec.container) as entry:
        _within_reach(actor, spec.container, spec.user)
        result = docker_service.exec_once(spec, settings.DOCKSIDE_WAIT_TIMEOUT)
        entry.parameters = {**entry.parameters, "exit_code": result.exit_code}
        return result


def open_terminal(
    actor: Actor, spec: TerminalSpec, tag: str, cols: int, rows: int
) -> tuple[AuditEntry, docker_service.TerminalSession]:
    """Start an interactive session; its audit entry stays pending until `close_terminal`."""
    with audited(actor, "terminal", spec, "container", spec.container, stays_open=True) as entry:
        _within_reach(actor, spec.container, spec.user)
        session = docker_service.open_terminal(
            spec.container, list(spec.command), spec.user, tag, cols, rows
        )
        entry.target_id = session.exec_id
        entry.save(update_fields=["target_id"])
    return entry, session


def close_terminal(entry: AuditEntry, session: docker_service.TerminalSession) -> None:
    """End the session's processes (the engine does not when the connection closes)."""
    session.close()
    try:
        docker_service.end_session(session.container_id, session.tag)
    except DockerServiceError as exc:
        entry.finish(Outcome.FAILED, error=f"the session's processes may remain: {exc}")
        return
    entry.finish(Outcome.SUCCEEDED)


def copy_from(actor: Actor, spec: CopyFromSpec) -> Iterator[bytes]:
    """`docker cp c:/path -`: the tar stream (a read that matters: audited, and only for a
    container that does not reach the host, unless you are an admin)."""
    with audited(actor, "copy_from", spec, "container", spec.container):
        _within_reach(actor, spec.container, "")
        return docker_service.archive_stream(spec.container, spec.path)


def check_files_reach(actor: Actor, spec: CopyFromSpec) -> None:
    """Listing a container's files: refused (and that refusal audited) when the container
    reaches the host and the actor is no admin; a listing itself is no entry."""
    try:
        _within_reach(actor, spec.container, "")
    except roles.NotAllowed as exc:
        asked = {"path": spec.path}
        record_rejected(actor, "copy_from", "container", spec.container, asked, str(exc))
        raise


def check_volume_reach(actor: Actor, volume: docker_service.VolumeDetail, path: str) -> None:
    """A bind volume of a host directory the policy does not allow is an admin's to read."""
    if roles.allows(actor.user, roles.Role.ADMIN):
        return
    reach = policy.volume_reach(volume.driver, dict(volume.options), HostPolicy.current())
    if reach:
        refusal = (
            f"the volume {volume.short_name} is a host directory ({reach}): reading it takes"
            " the admin role"
        )
        record_rejected(actor, "volume_copy", "volume", volume.name, {"path": path}, refusal)
        raise roles.NotAllowed(refusal)


def volume_copy(actor: Actor, spec: VolumeCopySpec, volume: docker_service.VolumeDetail):
    """A volume's file or directory as the tar `docker cp` writes, read through a helper
    container that lives as long as the stream."""
    with audited(actor, "volume_copy", spec, "volume", spec.volume):
        check_volume_reach(actor, volume, spec.path)
        return docker_service.volume_stream(volume, spec.image, spec.path)


def read_file(actor: Actor, spec: CopyFromSpec, limit: int) -> tuple[bytes, int]:
    """The first `limit` bytes of one file, to show it (audited as the copy it is)."""
    with audited(actor, "copy_from", spec, "container", spec.container):
        _within_reach(actor, spec.container, "")
        return docker_service.read_file(spec.container, spec.path, limit)


def copy_to(actor: Actor, spec: CopyToSpec, tar_file) -> None:
    """`docker cp`: a tar (built from the uploaded file, or uploaded as it is) extracted into
    the directory."""
    with audited(actor, "copy_to", spec, "container", spec.container):
        _within_reach(actor, spec.container, "")
        docker_service.put_archive(spec.container, spec.directory, tar_file)


def commit_container(actor: Actor, spec: CommitSpec) -> str:
    with audited(actor, "commit", spec, "container", spec.container) as entry:
        image_id = docker_service.commit_container(spec)
        entry.parameters = {**entry.parameters, "image_id": image_id}
        return image_id
