"""The audit log's hash chain: an edited or deleted row is caught by `verify_audit`, which
names the first broken or missing entry; the append-only copy shows a rewritten log."""

from __future__ import annotations

import itertools
import json
import socket
import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import bounds, chain
from audit.actors import Actor
from audit.models import AuditEntry, Verification
from audit.verify import check_chain, verify
from tests import support
from tests.test_private_files import manage

pytestmark = pytest.mark.django_db(transaction=True)


def written(count: int, action: str = "stop") -> list[AuditEntry]:
    entries = []
    for number in range(count):
        entry = AuditEntry.begin(
            Actor(None, "127.0.0.1"),
            action,
            target_kind="container",
            target_name=f"web-{number}",
            parameters={"timeout": number, "env": [["A", "b"]]},
            command=f"docker stop web-{number}",
        )
        entry.finish(AuditEntry.Outcome.SUCCEEDED)
        entries.append(entry)
    return entries


def sql(statement: str, *params) -> None:
    """As someone with the database file in hand would: behind Dockside's back."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_entries_are_sealed_in_order_and_the_chain_holds():
    entries = written(5)

    numbers = [entry.sequence for entry in entries]
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    for before, after in itertools.pairwise(entries):
        assert after.previous_hash == before.hash
    assert check_chain().ok
    call_command("verify_audit")


def test_a_pending_entry_is_not_sealed_until_it_finishes():
    entry = AuditEntry.begin(Actor(None, None), "terminal", target_kind="container")
    assert entry.sequence is None and check_chain().ok
    entry.finish(AuditEntry.Outcome.SUCCEEDED)
    assert entry.sequence is not None and check_chain().ok
    with pytest.raises(ValueError, match="already finished"):
        entry.finish(AuditEntry.Outcome.FAILED)


def test_an_edited_row_is_caught_and_named():
    entries = written(4)
    sql("UPDATE audit_auditentry SET outcome = 'failed' WHERE id = %s", entries[2].pk)

    with pytest.raises(CommandError) as failed:
        call_command("verify_audit")

    assert failed.value.returncode == 1
    assert f"entry #{entries[2].sequence} (id {entries[2].pk}, stop) was changed" in str(
        failed.value
    )
    assert not Verification.objects.first().ok


def test_a_deleted_row_is_caught_and_named():
    entries = written(4)
    sql("DELETE FROM audit_auditentry WHERE id = %s", entries[1].pk)

    result = check_chain()

    assert result.problem == f"entry #{entries[1].sequence} is missing: deleted from the database"


def test_deleting_the_newest_rows_is_caught():
    entries = written(3)
    sql("DELETE FROM audit_auditentry WHERE id >= %s", entries[1].pk)

    result = check_chain()

    assert result.problem == (
        f"entry #{entries[1].sequence} to #{entries[2].sequence} is missing:"
        " the last entries were deleted"
    )


def test_a_row_rewritten_with_a_fresh_hash_no_longer_links():
    entries = written(3)
    sql(
        "UPDATE audit_auditentry SET hash = %s WHERE id = %s",
        "f" * 64,
        entries[1].pk,
    )

    problem = check_chain().problem

    assert problem.startswith(f"entry #{entries[1].sequence} (id {entries[1].pk}, stop)")


def test_the_command_exits_non_zero_from_a_shell(tmp_path):
    data_dir = tmp_path / "data"
    manage(data_dir, "migrate", "--noinput")
    script = (
        "from audit.models import AuditEntry; from audit.actors import Actor\n"
        "for n in range(3):\n"
        "    e = AuditEntry.begin(Actor(None, None), 'stop'); e.finish('succeeded')\n"
    )
    manage(data_dir, "shell", "-c", script)
    assert "intact: 3 entries checked" in manage(data_dir, "verify_audit").stdout

    with sqlite3.connect(data_dir / "db.sqlite3") as database:
        database.execute("DELETE FROM audit_auditentry WHERE sequence = 2")
    with pytest.raises(subprocess.CalledProcessError) as broken:
        manage(data_dir, "verify_audit")

    assert broken.value.returncode == 1
    assert "entry #2 is missing: deleted from the database" in broken.value.stderr


def test_the_audit_page_warns_after_a_failed_check(admin_client, viewer_client):
    entries = written(2)
    assert "audit-broken" not in admin_client.get("/audit/").content.decode()
    sql("UPDATE audit_auditentry SET target_name = 'other' WHERE id = %s", entries[0].pk)

    response = admin_client.post("/audit/verify/")

    assert response.status_code == 302
    page = admin_client.get("/audit/").content.decode()
    assert 'id="audit-broken"' in page and "was changed after it was written" in page
    assert 'id="audit-broken"' in viewer_client.get("/audit/").content.decode()
    assert AuditEntry.objects.filter(action="audit_verify", outcome="failed").exists()
    assert viewer_client.post("/audit/verify/").status_code == 403


def test_twenty_concurrent_actions_take_twenty_numbers(daphne_server, make_container):
    """Against Daphne and its own database file, as a team would use it."""
    container = make_container(hint="concurrent")
    session = daphne_server.login()
    url = f"{daphne_server.url}/containers/{container['Id'][:12]}/start/"

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: support.post(session, url, {}), range(20)))

    assert [answer.status_code for answer in answers] == [200] * 20
    with sqlite3.connect(daphne_server.data_dir / "db.sqlite3") as database:
        (sealed,) = database.execute(
            "SELECT count(*) FROM audit_auditentry WHERE action = 'start' AND target_name = ?"
            " AND outcome = 'succeeded' AND sequence IS NOT NULL",
            (container["Name"][1:],),
        ).fetchone()
    assert sealed == 20
    assert "intact" in manage(daphne_server.data_dir, "verify_audit").stdout


def test_the_copy_file_gets_each_entry_as_a_json_line_and_shows_a_rewrite(settings, tmp_path):
    copy = tmp_path / "audit.jsonl"
    settings.DOCKSIDE_AUDIT_COPY = str(copy)
    entries = written(3)

    lines = [json.loads(line) for line in copy.read_text().splitlines()]
    assert [line["sequence"] for line in lines] == [e.sequence for e in entries]
    assert [line["hash"] for line in lines] == [e.hash for e in entries]
    assert lines[0]["target_name"] == "web-0" and lines[0]["command"] == "docker stop web-0"
    assert copy.stat().st_mode & 0o777 == 0o600
    assert verify(copy).ok

    # The newest entry rewritten, its hash and the chain's head too, as someone holding the
    # database could: the chain alone holds, the copy does not.
    sql("UPDATE audit_auditentry SET target_name = 'quiet' WHERE id = %s", entries[2].pk)
    stored = AuditEntry.objects.filter(pk=entries[2].pk).values(*chain.FIELDS).get()
    sql("UPDATE audit_auditentry SET hash = %s WHERE id = %s", chain.digest(stored), entries[2].pk)
    sql("UPDATE audit_chainhead SET hash = %s", chain.digest(stored))
    assert check_chain().ok
    with pytest.raises(CommandError, match=f"entry #{entries[2].sequence} differs from the copy"):
        call_command("verify_audit", "--copy", str(copy))


def test_the_copy_goes_to_syslog(settings, tmp_path):
    address = tmp_path / "log.sock"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(address))
    receiver.settimeout(5)
    settings.DOCKSIDE_AUDIT_COPY = f"syslog:{address}"
    try:
        (entry,) = written(1)
        message = receiver.recv(65536).decode()
    finally:
        receiver.close()

    assert message.startswith("<110>dockside-audit: ")
    assert json.loads(message.partition(": ")[2])["hash"] == entry.hash


def test_a_copy_that_cannot_be_written_is_logged_not_raised(settings, tmp_path, caplog):
    settings.DOCKSIDE_AUDIT_COPY = str(tmp_path / "missing-dir" / "audit.jsonl")

    (entry,) = written(1)

    assert entry.sequence is not None
    assert f"audit entry {entry.sequence} was not copied" in caplog.text


def test_long_fields_are_cut_at_their_documented_sizes():
    entry = AuditEntry.begin(
        Actor(None, None),
        "run",
        parameters={"env": "x" * 5000, "many": ["y" * 1900] * 30},
        command="docker run " + "z" * 9000,
    )
    entry.finish(AuditEntry.Outcome.FAILED, error="e" * 5000)
    entry.refresh_from_db()

    assert len(entry.command) < bounds.COMMAND_LIMIT + 40
    assert entry.command.endswith("more characters)")
    assert len(entry.error) < bounds.ERROR_LIMIT + 40
    assert set(entry.parameters) == {"cut"}
    assert len(entry.parameters["cut"]) < bounds.PARAMETERS_LIMIT + 40
    assert check_chain().ok
