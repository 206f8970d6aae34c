"""Moving the audit log into its own app kept every existing row."""

from __future__ import annotations

import sqlite3

from tests.test_private_files import manage


def test_rows_written_before_the_move_are_in_the_audit_apps_table(tmp_path):
    data_dir = tmp_path / "data"
    manage(data_dir, "migrate", "--noinput")  # every other app as an older install has them
    manage(data_dir, "migrate", "--noinput", "containers_app", "0002")  # back before the move
    database = data_dir / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        # As an older Dockside left it: the model's content type under containers_app, with
        # a permission on it (this code's post_migrate made the audit app's own meanwhile).
        connection.execute(
            "DELETE FROM auth_permission WHERE content_type_id IN"
            " (SELECT id FROM django_content_type WHERE app_label = 'audit')"
        )
        connection.execute("DELETE FROM django_content_type WHERE app_label = 'audit'")
        connection.execute(
            "INSERT OR IGNORE INTO django_content_type (app_label, model)"
            " VALUES ('containers_app', 'auditentry')"
        )
        (old_type,) = connection.execute(
            "SELECT id FROM django_content_type"
            " WHERE app_label = 'containers_app' AND model = 'auditentry'"
        ).fetchone()
        connection.execute("DELETE FROM auth_permission WHERE content_type_id = ?", (old_type,))
        connection.execute(
            "INSERT INTO auth_permission (id, content_type_id, codename, name)"
            " VALUES (900, ?, 'view_auditentry', 'Can view audit entry')",
            (old_type,),
        )
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
        permission = connection.execute(
            "SELECT app_label, codename FROM auth_permission"
            " JOIN django_content_type ON content_type_id = django_content_type.id"
            " WHERE auth_permission.id = 900"
        ).fetchone()
    assert rows == [("ana", "stop", "web", "docker stop web", "succeeded")]
    assert "containers_app_auditentry" not in tables
    assert permission == ("audit", "view_auditentry"), "a permission granted before still holds"
