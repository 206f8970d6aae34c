"""The engine's common refusals as sentences that say what happened and what to do (pure).

The engine's own message stays available (`Explained.engine_message`), shown
below the sentence, for whoever wants the exact words or searches for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Explained:
    sentence: str
    engine_message: str = ""  # "" when the sentence is the engine's message itself


def _short(container_id: str) -> str:
    return container_id[:12]


RULES: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (
        re.compile(r'container name "/?([^"]+)" is already in use by container "([0-9a-f]+)"'),
        lambda m: (
            f"The name {m[1]} is taken: container {_short(m[2])} already has it. Choose another"
            f" name, or rename or remove that container first (docker rm {_short(m[2])})."
        ),
    ),
    (
        re.compile(r"lookup ([\w.-]+)(?: on [^ ]+)?: (?:no such host|server misbehaving)"),
        lambda m: (
            f"Docker could not reach the registry {m[1]}: its name does not resolve from the"
            " engine (no network or no DNS there). If the image should be on this engine,"
            " check its name and tag under Images; otherwise pull it from a registry the"
            " engine can reach, or build it."
        ),
    ),
    (
        re.compile(r"dial tcp ([\w.:\[\]-]+): connect: connection refused"),
        lambda m: (
            f"Nothing answers at {m[1]}: the registry is not running there, or the address or"
            " port is wrong."
        ),
    ),
    (
        re.compile(r"pull access denied for ([^,\s]+)"),
        lambda m: (
            f"The registry refused to give {m[1]}: the repository does not exist there, or it"
            " needs a login. Check the name, or log in to the registry first."
        ),
    ),
    (
        re.compile(r"manifest for (\S+) not found|manifest unknown", re.IGNORECASE),
        lambda m: (
            f"The registry has no {m[1] or 'such tag'}: the repository is there, the tag is not."
            " Check the tag (no tag means latest)."
        ),
    ),
    (
        re.compile(r"No such image: (\S+)", re.IGNORECASE),
        lambda m: (
            f"The image {m[1]} is not on this engine. Pull it first, or choose"
            " “Pull the image: if missing” in the run form."
        ),
    ),
    (
        re.compile(r"No such container: (\S+)", re.IGNORECASE),
        lambda m: (
            f"There is no container {m[1]}: it may have been removed, or the name or id is"
            " mistyped."
        ),
    ),
    (
        re.compile(r"Container cannot be connected to network endpoints: (.+)"),
        lambda m: (
            f"This engine attaches a new container to one network only (engines with API"
            f" 1.44, Docker 25, take several): keep the first of {m[1]} here, then connect the"
            " others to it with docker network connect."
        ),
    ),
    (
        re.compile(r"network (\S+) not found"),
        lambda m: (
            f"There is no network {m[1]} on this engine. Create it first"
            f" (docker network create {m[1]}), or choose another."
        ),
    ),
    (
        re.compile(r"Bind for ([0-9a-f.:\[\]]+):(\d+) failed: port is already allocated"),
        lambda m: (
            f"Host port {m[2]} on {m[1]} is already published by another container. Choose"
            " another host port, or stop the container that has it."
        ),
    ),
    (
        re.compile(r"listen tcp[46]? ([0-9a-f.:\[\]]+):(\d+): bind: address already in use"),
        lambda m: (
            f"Host port {m[2]} on {m[1]} is already used by another program on the host."
            " Choose another host port."
        ),
    ),
    (
        re.compile(r'exec: "([^"]+)": executable file not found in \$PATH'),
        lambda m: (
            f"There is no program {m[1]} in the container: it is not on its PATH. Check the"
            " spelling, or give the program's full path."
        ),
    ),
    (
        re.compile(r'exec: "([^"]+)": stat [^:]+: no such file or directory'),
        lambda m: f"{m[1]} does not exist in the container's file system. Check the path.",
    ),
    (
        re.compile(r'exec: "([^"]+)": permission denied'),
        lambda m: (
            f"{m[1]} is not executable for this user (permission denied): check its mode"
            " (chmod +x) or the user it runs as."
        ),
    ),
    (
        re.compile(r"You cannot remove a running container"),
        lambda m: (
            "The container is running, so Docker will not remove it. Stop it first, or choose"
            " Force (-f): that kills it, then removes it."
        ),
    ),
    (
        re.compile(r'unable to remove repository reference "([^"]+)".*container ([0-9a-f]+)'),
        lambda m: (
            f"Container {_short(m[2])} was made from {m[1]}, so Docker keeps the image. Remove"
            " that container first, or choose Force (the container then runs on an untagged"
            " image)."
        ),
    ),
    (
        re.compile(r"image is referenced in multiple repositories"),
        lambda m: (
            "Several tags point at this image, so Docker will not remove it by its id. Remove"
            " the tags one by one, or choose Force to remove them all."
        ),
    ),
    (
        re.compile(r"image is being used by (?:running|stopped) container ([0-9a-f]+)"),
        lambda m: (
            f"Container {_short(m[1])} uses this image, so Docker keeps it. Remove that"
            " container first, or choose Force."
        ),
    ),
    (
        re.compile(r"Container (\S+) is not running"),
        lambda m: "The container is not running: start it first.",
    ),
    (
        re.compile(r"Container (\S+) is paused"),
        lambda m: "The container is paused: unpause it first (its processes are frozen).",
    ),
    (
        re.compile(r"Container (\S+) is not paused"),
        lambda m: "The container is not paused, so there is nothing to unpause.",
    ),
    (
        re.compile(r"invalid reference format"),
        lambda m: (
            "That is not a valid image name: use lowercase letters, digits and . _ - /, then"
            " :tag or @sha256:digest."
        ),
    ),
]


def explain(error: Exception | str) -> Explained:
    """A sentence for the engine's message; the message itself when no rule knows it."""
    message = getattr(error, "engine_message", "") or str(error)
    cause, tail = getattr(error, "cause", None), getattr(error, "tail", "")
    if cause is not None and tail:  # what failed, then what became of what it left
        return Explained(f"{explain(cause).sentence} {tail}", message)
    for pattern, sentence in RULES:
        match = pattern.search(message)
        if match:
            return Explained(sentence(match), message)
    return Explained(message)
