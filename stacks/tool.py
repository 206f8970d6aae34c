"""The host's Compose CLI, never a reimplementation: `docker compose` (the v2 plugin) when
the docker CLI has it, else `docker-compose`. It runs as a subprocess, never through a
shell, with an environment that holds only what Compose needs."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from containers_app.cli import on_engine
from containers_app.docker_service import DockerServiceError, current_endpoint

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


IN_MEMORY = "/dev/shm"  # noqa: S108 (a private mkdtemp folder inside it, 0700)


@contextlib.contextmanager
def engine_environment() -> Iterator[dict[str, str]]:
    """`environment()` for the engine the request works on. With TLS its three PEM files
    are written for the run only, to a private folder in memory (removed after)."""
    env = environment()
    at = current_endpoint()
    if at.is_local:
        yield env
        return
    env = {k: v for k, v in env.items() if k not in ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")}
    env["DOCKER_HOST"] = at.url
    if at.tls is None:
        yield env
        return
    memory = IN_MEMORY if os.path.isdir(IN_MEMORY) else None
    with tempfile.TemporaryDirectory(prefix="dockside-tls-", dir=memory) as folder:
        pems = (("ca.pem", at.tls.ca), ("cert.pem", at.tls.cert), ("key.pem", at.tls.key))
        for name, text in pems:
            fd = os.open(os.path.join(folder, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(text)
        yield {**env, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": folder}


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


_looking = threading.Lock()


def find_tool() -> ComposeTool:
    """The v2 plugin if the docker CLI has it, else docker-compose (looked up once: pages
    asking at the same moment wait for that one lookup instead of each starting the tool,
    which a busy server once did dozens of times over)."""
    with _looking:
        return _look_for_tool()


@cache
def _look_for_tool() -> ComposeTool:
    docker = shutil.which("docker")
    if docker and (version := _version([docker, "compose"])):
        return ComposeTool((docker, "compose"), version)
    legacy = shutil.which("docker-compose")
    if legacy and (version := _version([legacy])):
        return ComposeTool((legacy,), version)
    raise ToolMissing(
        "no Compose tool here: install the docker CLI's compose plugin or docker-compose"
    )


CONFIG_TIMEOUT = 60
LINE = re.compile(r"line (\d+)")


@dataclass(frozen=True)
class Checked:
    """What `config` said of the files: the resolved configuration, or the tool's error."""

    resolved: str
    error: str

    @property
    def line(self) -> int | None:
        """The line of compose.yaml the error names, if it names one."""
        found = LINE.findall(self.error)
        return int(found[-1]) if found else None


def check_config(draft: Path, project: str, project_dir: Path) -> Checked:
    """`config` on the files in `draft`, resolving relative paths against `project_dir`
    (where they will live): the tool's own validation, not one of Dockside's."""
    tool = find_tool()
    argv = [*tool.argv, "-p", project, "-f", str(draft / "compose.yaml")]
    argv += ["--env-file", str(draft / ".env"), "--project-directory", str(project_dir), "config"]
    try:
        done = subprocess.run(
            argv, cwd=draft, env=environment(), capture_output=True, text=True,
            timeout=CONFIG_TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return Checked("", f"{tool.name} config did not answer within {CONFIG_TIMEOUT} s")
    except OSError as exc:
        return Checked("", f"{tool.name} could not be run: {exc.strerror or exc}")
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).split()).replace(str(draft) + "/", "")
        return Checked("", said or f"{tool.name} config failed ({done.returncode})")
    return Checked(done.stdout, "")


class RunFailed(DockerServiceError):
    pass


def _executable(argv: list[str]) -> list[str]:
    """The command as shown (`docker compose …`, `docker-compose …`) with the tool found
    on this host in its place (the same program, not another one on PATH)."""
    tool = find_tool()
    shown = ["docker", "compose"] if len(tool.argv) == 2 else ["docker-compose"]
    if argv[: len(shown)] == shown:
        return [*tool.argv, *argv[len(shown) :]]
    return argv


def run_commands(argvs: list[list[str]], directory: Path, say: Callable[[str], None]) -> None:
    """Each command in turn, never through a shell, its output (both streams) to `say` line
    by line; RunFailed on the first that fails or outlives DOCKSIDE_COMPOSE_TIMEOUT (its
    whole process group is killed: the plugin's own children too)."""
    with engine_environment() as env:
        _run_each(argvs, directory, say, env)


def _run_each(
    argvs: list[list[str]], directory: Path, say: Callable[[str], None], env: dict[str, str]
) -> None:
    limit = settings.DOCKSIDE_COMPOSE_TIMEOUT
    said: list[str] = []
    for argv in argvs:
        say(f"$ {' '.join(on_engine(argv))}")
        try:
            process = subprocess.Popen(
                _executable(argv), cwd=directory, env=env, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                errors="replace", start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            raise RunFailed(f"{argv[0]} could not be run: {exc.strerror or exc}") from exc
        timed_out = threading.Event()

        def stop(process=process, timed_out=timed_out) -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(limit, stop)
        timer.start()
        try:
            for line in process.stdout:
                said.append(line.rstrip("\n"))
                say(said[-1])
            code = process.wait()
        finally:
            timer.cancel()
        if timed_out.is_set():
            raise RunFailed(f"it ran past {limit} s and was stopped (DOCKSIDE_COMPOSE_TIMEOUT)")
        if code != 0:
            last = next((line for line in reversed(said) if line.strip()), "")
            raise RunFailed(f"it exited with code {code}: {last}")
