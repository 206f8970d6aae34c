"""`manage.py backup` and `restore`, as an operator runs them, on SQLite and on
PostgreSQL: the restored database has the audit log as it was, its hash chain intact,
and what happened after the backup is gone."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess

import psycopg
import pytest

from tests.support import fresh_postgres
from tests.test_private_files import manage

ENTRIES = (
    "from audit.models import AuditEntry; from audit.actors import Actor\n"
    "for n in range({count}):\n"
    "    e = AuditEntry.begin(Actor(None, None), 'stop', endpoint='local'); e.finish('succeeded')\n"
)


def write_entries(data_dir, count: int, **env: str) -> None:
    manage(data_dir, "shell", "-c", ENTRIES.format(count=count), **env)


def test_sqlite_backup_and_restore_keep_the_audit_chain(tmp_path):
    data_dir = tmp_path / "data"
    manage(data_dir, "migrate", "--noinput")
    write_entries(data_dir, 3)
    backup = tmp_path / "dockside.backup"

    said = manage(data_dir, "backup", str(backup)).stdout

    assert "backed up to" in said
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    write_entries(data_dir, 2)  # after the backup: gone after the restore
    with sqlite3.connect(data_dir / "db.sqlite3") as database:
        database.execute("DELETE FROM audit_auditentry WHERE sequence = 1")
    with pytest.raises(subprocess.CalledProcessError):
        manage(data_dir, "verify_audit")

    restored = manage(data_dir, "restore", str(backup)).stdout

    assert "audit log intact: 3 entries checked" in restored  # restore runs verify_audit


def test_a_missing_backup_is_said_plainly(tmp_path):
    data_dir = tmp_path / "data"
    manage(data_dir, "migrate", "--noinput")
    with pytest.raises(subprocess.CalledProcessError) as failed:
        manage(data_dir, "restore", str(tmp_path / "none.backup"))
    assert "no backup at" in failed.value.stderr and "Traceback" not in failed.value.stderr


def test_postgresql_backup_restores_onto_a_new_server_database(tmp_path):
    server = os.environ.get("DOCKSIDE_TEST_DATABASE_URL", "")
    if not server:
        if os.environ.get("DOCKSIDE_REQUIRE_BACKENDS") == "1":
            pytest.fail("DOCKSIDE_TEST_DATABASE_URL is required")
        pytest.skip("no PostgreSQL named (DOCKSIDE_TEST_DATABASE_URL)")
    data_dir = tmp_path / "data"
    backup = tmp_path / "dockside.dump"
    with fresh_postgres(server) as first:
        manage(data_dir, "migrate", "--noinput", DATABASE_URL=first)
        write_entries(data_dir, 4, DATABASE_URL=first)
        manage(data_dir, "backup", str(backup), DATABASE_URL=first)
        write_entries(data_dir, 2, DATABASE_URL=first)
        with psycopg.connect(first, autocommit=True) as connection:  # as a newer release's
            connection.execute("CREATE TABLE lingering (id integer)")

        over = manage(data_dir, "restore", str(backup), DATABASE_URL=first).stdout

        assert "audit log intact: 4 entries checked" in over, "later entries are gone"
        with psycopg.connect(first) as connection:
            tables = connection.execute("SELECT to_regclass('lingering')").fetchone()
        assert tables == (None,), "nothing of a newer schema stays"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert b"dockside-ci" not in backup.read_bytes(), "no password in the dump"

    # The first database is gone: a new server's, with the same data directory (secret key).
    with fresh_postgres(server) as second:
        restored = manage(data_dir, "restore", str(backup), DATABASE_URL=second)

        assert "audit log intact: 4 entries checked" in restored.stdout
        write_entries(data_dir, 1, DATABASE_URL=second)
        checked = manage(data_dir, "verify_audit", DATABASE_URL=second).stdout
        assert "audit log intact: 5 entries checked" in checked, "the chain goes on after it"
