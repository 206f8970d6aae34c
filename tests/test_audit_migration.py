"""Moving the audit log into its own app kept every existing row."""

from __future__ import annotations

import sqlite3

from tests.test_private_files import manage


def test_rows_written_before_the_move_are_in_the_audit_apps_table(tmp_path):
    data_dir = tmp_path / "data"
    manage(data_dir, "migrate", "--noinput", "containers_app", "0002")
    database = data_dir / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO containers_app_auditentry (started_at, username, action, target_kind,"
            " target_id, target_name, parameters, command, outcome, error)"
            " VALUES ('2026-11-30 10:00:00', 'ana', 'stop', 'container', 'abc', 'web', '{}',"
            " 'docker stop web', 'succeeded', '')"
        )

    manage(data_dir, "migrate", "--noinput")

    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT username, action, target_name, command, outcome FROM audit_auditentry"
        ).fetchall()
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    assert rows == [("ana", "stop", "web", "docker stop web", "succeeded")]
    assert "containers_app_auditentry" not in tables
