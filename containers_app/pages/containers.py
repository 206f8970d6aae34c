"""The container pages: the list's columns and the detail page's context and actions."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from .. import cli, docker_service
from ..specs import LifecycleSpec, RemoveContainerSpec
from .explanations import exit_meaning, port_sentences
from .listing import Column
from .recreate import recreate_lines
from .waits import Busy, container_busy

logger = logging.getLogger(__name__)
EPOCH = datetime.fromtimestamp(0, UTC)

COLUMNS = [
    Column("id", "Container ID", lambda c: c.id),
    Column("image", "Image", lambda c: c.image.lower()),
    Column("command", "Command", lambda c: c.command),
    Column("created", "Created", lambda c: c.created or EPOCH),
    Column("status", "Status", lambda c: (c.state, c.status)),
    Column("ports", "Ports"),
    Column("name", "Name", lambda c: c.name.lower()),
]


@dataclass(frozen=True)
class ActionButton:
    verb: str
    label: str
    command: str
    confirm: str = ""
    form_page: bool = False
    busy: Busy | None = None


def container_actions(
    container: docker_service.ContainerDetail, allowed: dict[str, bool]
) -> list[ActionButton]:
    """The actions that make sense in the container's state and that the user's role
    allows (`allowed`: access.roles.permissions), each with its command."""
    name = container.name
    state = container.state.status
    quick = {
        "running": ["stop", "restart", "pause", "kill"],
        "paused": ["unpause", "stop", "kill"],
        "restarting": ["stop", "kill"],
    }.get(state, ["start"])
    if not allowed["can_operate"]:
        quick = []
    buttons = [
        ActionButton(
            verb,
            verb.capitalize(),
            cli.command(LifecycleSpec(verb, name)),
            confirm=f"{verb.capitalize()} {name}?" if verb in {"stop", "kill", "restart"} else "",
            busy=container_busy(
                verb, name, timeout=container.stop_timeout, stop_signal=container.stop_signal
            ),
        )
        for verb in quick
    ]
    operate, admin = allowed["can_operate"], allowed["can_admin"]
    pages = [
        ("logs", "Logs", f"docker logs -f --tail 100 {name}", True),
        ("exec", "Run a command…", f"docker exec {name} COMMAND", operate and state == "running"),
        ("rename", "Rename…", f"docker rename {name} NEW_NAME", admin),
        ("commit", "Commit to an image…", f"docker commit {name} REPOSITORY[:TAG]", admin),
        ("remove", "Remove…", cli.command(RemoveContainerSpec(name)), admin),
    ]
    buttons += [
        ActionButton(verb, label, cli.on_engine_text(command), form_page=True)
        for verb, label, command, shown in pages
        if shown
    ]
    return buttons


def _recreate(data: dict, engine: docker_service.EngineInfo):
    """The command that makes the container again, for its page (secrets hidden).

    Worked out from the engine's own inspect data (not the page's masked copy, in which a
    hidden value would no longer match the image's). Whatever goes wrong here must not take
    the page down with it: it says so instead.
    """
    try:
        recreated = docker_service.recreate(data, engine)
    except docker_service.EngineUnavailable:
        raise
    except docker_service.DockerServiceError as exc:
        return {"recreate_text": "", "recreate_notes": [f"it could not be read: {exc}"]}
    except Exception:  # a container made in a way nothing here foresaw: the page still shows
        logger.exception("could not work out the command of container %s", data["Id"])
        return {"recreate_text": "", "recreate_notes": ["Dockside could not work it out"]}
    return {
        "recreate_text": "\n".join(recreate_lines(recreated)),
        "recreate_notes": recreated.notes,
    }


def detail_context(data: dict, engine: docker_service.EngineInfo, allowed: dict[str, bool]) -> dict:
    """The container page from its inspect data (`allowed`: what the user's role lets the
    page show)."""
    container = docker_service.container_detail(data)
    return {
        "container": container,
        **_recreate(data, engine),
        **allowed,
        "actions": container_actions(container, allowed),
        "raw_json": json.dumps(container.raw, indent=2, sort_keys=True),
        "command": f"docker container inspect {container.name}",
        "exit": exit_meaning(container.state, container.stop_signal, container.stop_timeout),
        "ports_in_words": port_sentences(
            container.ports,
            running=container.state.running,
            network_mode=container.network_mode,
            bindings=container.port_bindings,
        ),
        "tab": "overview",
    }
