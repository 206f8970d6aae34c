"""The data directory and every file Dockside writes in it are private to the account running it."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

from tests import support


def manage(data_dir, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DOCKSIDE_DATA_DIR": str(data_dir)}
    environment.pop("DATABASE_URL", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=support.ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_install_is_private_and_so_are_the_databases_wal_files(tmp_path):
    tmp_path.chmod(0o755)
    data_dir = tmp_path / "data"

    manage(data_dir, "migrate", "--noinput")
    database = data_dir / "db.sqlite3"
    with sqlite3.connect(database) as connection:  # a session being written, as Daphne does
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("INSERT INTO django_session VALUES ('k', 'v', '2999-01-01')")
        companions = [data_dir / "db.sqlite3-wal", data_dir / "db.sqlite3-shm"]
        modes = {path.name: mode(path) for path in companions}

    assert mode(data_dir) == 0o700
    assert mode(database) == 0o600
    assert mode(data_dir / "secret_key") == 0o600
    assert modes == {"db.sqlite3-wal": 0o600, "db.sqlite3-shm": 0o600}


def test_an_existing_install_is_tightened_at_start_with_a_log_line(tmp_path):
    data_dir = tmp_path / "data"
    manage(data_dir, "migrate", "--noinput")
    loose = [data_dir / name for name in ("db.sqlite3", "db.sqlite3-wal", "secret_key")]
    (data_dir / "db.sqlite3-wal").touch()
    for path in loose:
        path.chmod(0o644)
    data_dir.chmod(0o755)

    started = manage(data_dir, "check")

    assert mode(data_dir) == 0o700
    assert [mode(path) for path in loose] == [0o600, 0o600, 0o600]
    for path in [data_dir, *loose]:
        assert f"made {path} private" in started.stderr, started.stderr
    assert "made" not in manage(data_dir, "check").stderr, "nothing to say the second time"


def test_a_database_elsewhere_is_private_too(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    database = elsewhere / "dockside.db"

    manage(tmp_path / "data", "migrate", "--noinput", DATABASE_URL=f"sqlite:///{database}")

    assert mode(database) == 0o600
    assert mode(elsewhere) == 0o700, "a directory Dockside creates for it is private"
    assert not (tmp_path / "data" / "db.sqlite3").exists()


def test_a_file_dockside_may_not_change_is_reported_and_start_goes_on(
    tmp_path, monkeypatch, caplog
):
    from dashboard import private_files

    shared = tmp_path / "shared.db"
    shared.touch()
    shared.chmod(0o644)

    def refused(self, mode):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(private_files.Path, "chmod", refused)
    private_files.private_file(shared)

    assert "is readable by others (mode 644) and not Dockside's to change" in caplog.text


def test_with_postgresql_and_no_directory_yet_no_data_directory_is_made(tmp_path):
    from dashboard.private_files import make_private

    unused = tmp_path / "unused"
    make_private(unused, {"ENGINE": "django.db.backends.postgresql", "NAME": "dockside"})

    assert not unused.exists()
