"""What Dockside writes is for the account running it only: directory 0700, files 0600.

The SQLite database holds live sessions and the audit log; SQLite creates its
WAL and shared-memory files with the database file's own mode, so a database
created 0600 keeps them private too. Installs made before this are tightened
at start, with a log line per change.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def make_private(data_dir: Path, database: dict) -> None:
    """What Dockside keeps: the data directory, its secret key, a SQLite database anywhere.

    With SECRET_KEY set and PostgreSQL, nothing lives in the data directory: none is made.
    """
    sqlite = Path(database["NAME"]) if database["ENGINE"].endswith("sqlite3") else None
    if data_dir.exists() or (sqlite is not None and sqlite.parent == data_dir):
        private_directory(data_dir)
        private_file(data_dir / "secret_key")
    if sqlite is not None:
        private_sqlite(sqlite)


def private_directory(path: Path) -> None:
    """Create `path` 0700 (its parents as usual), or take group and other access from it."""
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    _tighten(path, DIRECTORY_MODE)


def private_file(path: Path) -> None:
    """Take group and other access from `path` if it exists."""
    if path.exists():
        _tighten(path, FILE_MODE)


def private_sqlite(database: Path) -> None:
    """The database file created empty 0600 before SQLite opens it; its companions tightened."""
    if str(database) in {"", ":memory:"} or str(database).startswith("file:"):
        return
    database.parent.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        private_file(database)
    for suffix in SQLITE_COMPANIONS:
        private_file(database.with_name(database.name + suffix))


def _tighten(path: Path, mode: int) -> None:
    current = stat.S_IMODE(path.stat().st_mode)
    if not current & ~mode & 0o077:
        return
    try:
        path.chmod(current & mode)
    except OSError:  # not ours, or a read-only mount: say so, and go on
        logger.warning(
            "%s is readable by others (mode %o) and not Dockside's to change: restrict it",
            path,
            current,
        )
        return
    logger.warning("made %s private: mode %o, was %o", path, current & mode, current)
