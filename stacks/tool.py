"""The host's Compose CLI, never a reimplementation: `docker compose` (the v2 plugin) when
the docker CLI has it, else `docker-compose`. It runs as a subprocess, never through a
shell, with an environment that holds only what Compose needs."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

from django.conf import settings

VERSION_TIMEOUT = 20
PASSED_ON = ("PATH", "DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "LANG", "LC_ALL")


class ToolMissing(Exception):
    """No Compose CLI on this host."""


@dataclass(frozen=True)
class ComposeTool:
    argv: tuple[str, ...]  # ("docker", "compose") or ("docker-compose",)
    version: str

    @property
    def name(self) -> str:
        return " ".join(self.argv)


def environment() -> dict[str, str]:
    """What the tool runs with: the engine's address (Dockside's own), PATH and the locale;
    nothing else of Dockside's environment (its secret key, database address)."""
    env = {key: os.environ[key] for key in PASSED_ON if key in os.environ}
    if settings.DOCKER_HOST:
        env["DOCKER_HOST"] = settings.DOCKER_HOST
    env["HOME"] = str(settings.DATA_DIR)  # the tool's own config, not the server account's
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    return env


def _version(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(
            [*argv, "version", "--short"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT,
            env=environment(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = done.stdout.strip()
    return version.removeprefix("v") if done.returncode == 0 and version else None


@cache
def find_tool() -> ComposeTool:
    """The v2 plugin if the docker CLI has it, else docker-compose (looked up once)."""
    docker = shutil.which("docker")
    if docker and (version := _version([docker, "compose"])):
        return ComposeTool((docker, "compose"), version)
    legacy = shutil.which("docker-compose")
    if legacy and (version := _version([legacy])):
        return ComposeTool((legacy,), version)
    raise ToolMissing(
        "no Compose tool here: install the docker CLI's compose plugin or docker-compose"
    )
