"""What each stack action is asked to do; `commands` turns them into the Compose command
that runs (in the stack's directory, where the tool finds compose.yaml and .env)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SaveStackSpec:
    """compose.yaml and .env written, once `config` accepted them."""

    project: str
    tool: str  # "docker compose" or "docker-compose": the host's
    directory: str
    compose_lines: int
    env_keys: tuple[str, ...]  # the .env's names, never its values


@dataclass(frozen=True)
class StackUpSpec:
    project: str
    tool: str
    directory: str
    build: bool = False
    pull: bool = False
    force_recreate: bool = False
    remove_orphans: bool = False


@dataclass(frozen=True)
class StackDownSpec:
    project: str
    tool: str
    directory: str
    volumes: bool = False


@dataclass(frozen=True)
class StackCommandSpec:
    """`stop`, `start`, `restart`, `pull` of the whole stack or of one service, and `scale`
    (a service's container count, through `up`)."""

    project: str
    tool: str
    directory: str
    verb: str
    service: str = ""
    replicas: int | None = None
