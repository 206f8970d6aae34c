"""Backing up and restoring Dockside's database with each database's own tools.

SQLite: the online backup API (a consistent copy while Dockside runs). PostgreSQL:
`pg_dump --format=custom`, and `pg_restore` into an emptied schema. The password goes to
the tools in their environment (PGPASSWORD), never on a command line; a backup file is private
(0600). A backup holds the audit log with its hash chain, and registry passwords and
engine keys sealed under SECRET_KEY: restore it with the same SECRET_KEY.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections

TOOL_TIMEOUT = 600


class BackupFailed(Exception):
    pass


def _database() -> dict:
    return settings.DATABASES["default"]


def _is_sqlite() -> bool:
    return _database()["ENGINE"].endswith("sqlite3")


def _private(path: Path) -> None:
    """An empty file only its owner may read, before anything is written to it."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _pg(tool: str, *args: str) -> None:
    """Run a PostgreSQL client tool on the database; host, port and user as configured
    (unset: libpq's defaults, as Django's own connection has them)."""
    db = _database()
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    command = [tool]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    command += args
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupFailed(f"{tool} could not run: {exc}") from exc
    if done.returncode != 0:
        raise BackupFailed(f"{tool} failed: {done.stderr.strip()[-500:]}")


def back_up(target: Path) -> None:
    _private(target)
    if _is_sqlite():
        with sqlite3.connect(_database()["NAME"]) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return
    _pg("pg_dump", "--format=custom", "--no-owner", "-f", str(target), _database()["NAME"])


def restore(source: Path) -> None:
    """Replace the database's contents with the backup's (Dockside's processes stopped)."""
    if not source.is_file():
        raise BackupFailed(f"no backup at {source}")
    connections.close_all()
    if _is_sqlite():
        with sqlite3.connect(source) as backup, sqlite3.connect(_database()["NAME"]) as live:
            backup.backup(live)
        return
    name = _database()["NAME"]
    # An empty schema first: `pg_restore --clean` drops only what the backup holds, and
    # tables a newer release added would stay beside an older backup's migrations.
    _pg("psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", name, "-c",
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")  # fmt: skip
    _pg("pg_restore", "--no-owner", "--single-transaction", "-d", name, str(source))
