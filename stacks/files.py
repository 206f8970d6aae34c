"""The files of the stacks Dockside manages: `DATA_DIR/stacks/<name>/compose.yaml` and
`.env`, private to Dockside (directories 0700, files 0600), each written whole or not at
all (a temporary file renamed over the old one). Nothing outside that directory is read
or written."""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from containers_app.docker_service import Conflict

# Compose's own rule for project names: lowercase letters, digits, dashes and underscores,
# starting with a letter or digit.
PROJECT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}", re.ASCII)
COMPOSE_FILE = "compose.yaml"
ENV_FILE = ".env"


RESERVED = {"new"}  # /stacks/new/ is the form


def check_name(name: str) -> str:
    if name in RESERVED:
        raise ValueError(f"{name!r} names a page of Dockside's: choose another name")
    if not PROJECT_NAME.fullmatch(name):
        raise ValueError(
            "a stack's name is lowercase letters, digits, - and _, starting with a letter or"
            " a digit, at most 63 characters (as Compose names projects)"
        )
    return name


def stacks_root() -> Path:
    root = Path(settings.DATA_DIR) / "stacks"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def stack_dir(name: str) -> Path:
    """The stack's directory (not made): under the stacks directory, whatever the name."""
    directory = stacks_root() / check_name(name)
    if directory.resolve().parent != stacks_root().resolve():
        raise ValueError(f"{name}: not a directory of the stacks directory")
    return directory


class StackBusy(Conflict):
    """Another save or run of the stack holds it."""


@contextmanager
def locked(name: str) -> Iterator[None]:
    """The stack held by one save or run at a time, across every Dockside process on this
    data directory (an flock on `stacks/.locks/<name>`); held already: StackBusy."""
    locks = stacks_root() / ".locks"
    locks.mkdir(mode=0o700, exist_ok=True)
    handle = os.open(locks / check_name(name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StackBusy(
                f"{name} is busy: another save or Compose run of it is in progress; wait for"
                " it to end (its page is under Stacks), then try again"
            ) from None
        yield
    finally:
        os.close(handle)


def check_free(name: str) -> None:
    """StackBusy now if a save or run holds the stack (to refuse at the form)."""
    with locked(name):
        pass


def managed_names() -> list[str]:
    root = stacks_root()
    return sorted(
        entry.name
        for entry in root.iterdir()
        if PROJECT_NAME.fullmatch(entry.name) and (entry / COMPOSE_FILE).is_file()
    )


def is_managed(name: str) -> bool:
    try:
        return (stack_dir(name) / COMPOSE_FILE).is_file()
    except ValueError:
        return False


def read_files(name: str) -> tuple[str, str]:
    """(compose.yaml, .env) of a managed stack; ("", "") where a file is missing."""
    directory = stack_dir(name)
    texts = []
    for file_name in (COMPOSE_FILE, ENV_FILE):
        path = directory / file_name
        texts.append(path.read_text(encoding="utf-8") if path.is_file() else "")
    return texts[0], texts[1]


def _write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp: mode 0600
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_files(name: str, compose: str, env: str) -> Path:
    directory = stack_dir(name)
    directory.mkdir(mode=0o700, exist_ok=True)
    _write(directory / COMPOSE_FILE, compose)
    _write(directory / ENV_FILE, env)
    return directory


def write_draft(directory: Path, compose: str, env: str) -> None:
    """The files in a scratch directory, to have the tool check them before they are saved."""
    _write(directory / COMPOSE_FILE, compose)
    _write(directory / ENV_FILE, env)
