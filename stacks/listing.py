"""Compose projects as the engine knows them: by the labels Compose puts on what it makes
(`com.docker.compose.project`, `.service`, `.project.working_dir`). Started by Dockside or
anyone else, each is found with one engine call for its containers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from containers_app import docker_service
from containers_app.docker_service import ContainerSummary

from . import files

PROJECT = "com.docker.compose.project"
SERVICE = "com.docker.compose.service"
WORKING_DIR = "com.docker.compose.project.working_dir"
CONFIG_FILES = "com.docker.compose.project.config_files"
ONE_OFF = "com.docker.compose.oneoff"


@dataclass(frozen=True)
class Service:
    name: str
    containers: tuple[ContainerSummary, ...]

    @property
    def running(self) -> int:
        return sum(1 for c in self.containers if c.state == "running")


@dataclass(frozen=True)
class Stack:
    name: str
    services: tuple[Service, ...]
    working_dir: str
    config_files: str
    changed: datetime | None

    @property
    def containers(self) -> tuple[ContainerSummary, ...]:
        return tuple(c for service in self.services for c in service.containers)

    @property
    def running(self) -> int:
        return sum(service.running for service in self.services)

    @property
    def stopped(self) -> int:
        return len(self.containers) - self.running

    @property
    def status(self) -> str:
        """running (all), partly (some), stopped (none), down (no container at all)."""
        if not self.containers:
            return "down"
        if self.running == len(self.containers):
            return "running"
        return "partly" if self.running else "stopped"


def _stack(name: str, containers: list[ContainerSummary]) -> Stack:
    by_service: dict[str, list[ContainerSummary]] = {}
    for container in sorted(containers, key=lambda c: c.name):
        by_service.setdefault(container.labels.get(SERVICE, "?"), []).append(container)
    first = containers[0].labels
    created = [c.created for c in containers if c.created]
    return Stack(
        name=name,
        services=tuple(Service(s, tuple(cs)) for s, cs in sorted(by_service.items())),
        working_dir=first.get(WORKING_DIR, ""),
        config_files=first.get(CONFIG_FILES, ""),
        changed=max(created) if created else None,
    )


def _unstarted(name: str) -> Stack:
    """A stack Dockside keeps files for, with no container (never up, or down)."""
    return Stack(name, (), str(files.stack_dir(name)), files.COMPOSE_FILE, None)


def list_stacks() -> list[Stack]:
    """Every project with a container on the engine (one /containers/json call), and the
    stacks Dockside keeps files for."""
    found: dict[str, list[ContainerSummary]] = {}
    for container in docker_service.list_containers(all=True, filters={"label": PROJECT}):
        if container.labels.get(ONE_OFF) == "True":  # `compose run`: not a service's
            continue
        found.setdefault(container.labels[PROJECT], []).append(container)
    stacks = {name: _stack(name, containers) for name, containers in found.items()}
    for name in files.managed_names():
        stacks.setdefault(name, _unstarted(name))
    return [stacks[name] for name in sorted(stacks)]


def find_stack(name: str) -> Stack | None:
    containers = docker_service.list_containers(all=True, filters={"label": f"{PROJECT}={name}"})
    services = [c for c in containers if c.labels.get(ONE_OFF) != "True"]
    if services:
        return _stack(name, services)
    return _unstarted(name) if files.is_managed(name) else None
