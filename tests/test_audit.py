"""The audit log: what is recorded, the page's filters, the exports, and that nothing edits it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from audit.models import AuditEntry
from tests.pages import table, text

pytestmark = pytest.mark.django_db


def entry(**fields) -> AuditEntry:
    defaults = {
        "username": "admin",
        "action": "stop",
        "target_kind": "container",
        "target_name": "web",
        "command": "docker stop web",
        "outcome": "succeeded",
    }
    return AuditEntry.objects.create(**{**defaults, **fields})


def test_logins_logouts_and_failed_logins_are_recorded(client, django_user_model):
    django_user_model.objects.create_user("learner", password="a-long-pass-42")

    client.post("/accounts/login/", {"username": "learner", "password": "wrong"})
    client.post("/accounts/login/", {"username": "learner", "password": "a-long-pass-42"})
    client.post("/accounts/logout/")

    records = list(
        AuditEntry.objects.order_by("id").values_list(
            "action", "target_name", "outcome", "username"
        )
    )
    assert records == [
        ("login_failed", "learner", "failed", ""),
        ("login", "learner", "succeeded", "learner"),
        ("logout", "learner", "succeeded", "learner"),
    ]
    assert AuditEntry.objects.filter(source_ip="127.0.0.1").count() == 3


def test_username_is_kept_when_the_user_is_deleted(admin_client):
    learner = User.objects.create_user("gone", password="a-long-pass-42")
    kept = entry(user=learner, username="gone")

    learner.delete()

    kept.refresh_from_db()
    assert kept.user is None and kept.username == "gone"
    assert "gone" in text(admin_client.get("/audit/").content.decode())


def test_audit_page_lists_newest_first_with_command_and_copy_button(admin_client):
    entry(target_name="older", command="docker stop older")
    entry(target_name="newer", command="docker stop newer")

    html = admin_client.get("/audit/").content.decode()

    _, rows = table(html, "audit-table")
    targets = [row.cells[3] for row in rows if row.cells[2] == "stop"]
    assert targets[:2] == ["container newer", "container older"]
    assert "docker stop newer" in rows[0].cells[6]
    assert 'data-copy="audit-command-' in html


def test_audit_filters_by_user_action_outcome_target_and_dates(admin_client):
    old = entry(username="ana", action="kill", target_name="db", outcome="failed", error="boom")
    old.started_at = timezone.now() - timedelta(days=10)
    old.save()
    entry(username="bo", action="kill", target_name="db-replica")
    entry(username="ana", action="start", target_name="web")

    def shown(**query) -> list[str]:
        html = admin_client.get("/audit/", query).content.decode()
        return [row.cells[3] for row in table(html, "audit-table")[1]]

    assert shown(user="ana") == ["container web", "container db"]
    assert shown(action="kill") == ["container db-replica", "container db"]
    assert shown(outcome="failed") == ["container db"]
    assert shown(target="replica") == ["container db-replica"]
    today = timezone.localdate()
    assert shown(action="kill", since=today.isoformat()) == ["container db-replica"]
    assert shown(until=(today - timedelta(days=5)).isoformat()) == ["container db"]
    everything = {"container web", "container db", "container db-replica"}
    assert everything <= set(shown(until="9999-12-31"))
    with timezone.override("Asia/Tokyo"):  # year 1 at midnight in Tokyo is before year 1 in UTC
        assert everything <= set(shown(since="0001-01-01"))


def test_audit_is_paginated(admin_client):
    for number in range(120):
        entry(target_name=f"c{number}")

    first = admin_client.get("/audit/").content.decode()
    third = admin_client.get("/audit/", {"page": 3}).content.decode()

    assert len(table(first, "audit-table")[1]) == 50
    assert len(table(third, "audit-table")[1]) == 120 + 1 - 100  # the admin's own login too
    assert "Page 3 of 3" in text(third)


def test_exports_follow_the_filters(admin_client):
    entry(action="kill", target_name="=HYPERLINK(evil)", parameters={"signal": "TERM"})
    entry(action="start", target_name="web")

    as_csv = admin_client.get("/audit/export.csv", {"action": "kill"})
    as_json = admin_client.get("/audit/export.json", {"action": "kill"})

    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert as_csv["Content-Type"].startswith("text/csv")
    assert [row["action"] for row in rows] == ["kill"]
    assert rows[0]["target_name"] == "'=HYPERLINK(evil)", "no formula runs in a spreadsheet"
    assert rows[0]["command"] == "docker stop web"
    records = as_json.json()
    assert [(r["action"], r["parameters"]) for r in records] == [("kill", {"signal": "TERM"})]
    assert records[0]["target_name"] == "=HYPERLINK(evil)"


def test_admin_shows_entries_read_only(admin_client):
    kept = entry(target_name="admin-listed", command="docker stop admin-listed")

    listing = admin_client.get("/admin/audit/auditentry/")
    change = admin_client.get(f"/admin/audit/auditentry/{kept.pk}/change/")

    assert listing.status_code == 200
    assert "docker stop admin-listed" in text(listing.content.decode())
    assert change.status_code == 200
    shown = change.content.decode()
    assert "docker stop admin-listed" in text(shown)
    assert 'name="_save"' not in shown and "<textarea" not in shown, "nothing to edit"
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    delete = admin_client.post(f"/admin/audit/auditentry/{kept.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    changed = admin_client.post(f"/admin/audit/auditentry/{kept.pk}/change/", {"outcome": "failed"})
    assert changed.status_code == 403
    kept.refresh_from_db()
    assert kept.outcome == "succeeded"


def test_no_page_edits_or_deletes_entries(admin_client):
    kept = entry()

    for method in ("post", "put", "delete"):
        response = getattr(admin_client, method)("/audit/")
        assert response.status_code == 405

    assert AuditEntry.objects.filter(pk=kept.pk).exists()


def test_a_viewer_sees_and_exports_only_their_own_entries_and_each_export_is_recorded(
    viewer_client, django_user_model
):
    viewer = django_user_model.objects.get(username="viewer")
    entry(username="viewer", user=viewer, target_name="mine")
    entry(username="admin", target_name="someone-elses")

    page = viewer_client.get("/audit/").content.decode()
    exported = viewer_client.get("/audit/export.json").json()

    assert "mine" in page and "someone-elses" not in page
    names = [row["target_name"] for row in exported]
    assert "mine" in names and "someone-elses" not in names
    assert {row["username"] for row in exported} == {"viewer"}
    recorded = AuditEntry.objects.get(action="audit_export")
    assert (recorded.username, recorded.target_name, recorded.outcome) == (
        "viewer",
        "json",
        "succeeded",
    )


def test_each_row_shows_when_it_started_in_the_sites_time_zone(admin_client, settings):
    settings.TIME_ZONE = "America/New_York"
    started = datetime(2026, 7, 1, 16, 5, 9, 120000, tzinfo=UTC)
    shown = entry(started_at=started)

    page = admin_client.get("/audit/").content.decode()

    assert '<time datetime="2026-07-01T12:05:09.120000-04:00">2026-07-01 12:05:09</time>' in page, (
        f"entry {shown.id} in New York's summer time"
    )


def test_rows_escape_what_was_stored_and_round_durations_half_up(admin_client):
    entry(
        username="",
        target_name="<b>x'\"&",
        error="boom <i>",
        command="docker run -e 'A=<1>' x",
        source_ip="10.0.0.1",
        endpoint="build-box",
        duration=timedelta(milliseconds=12.5),
    )

    page = admin_client.get("/audit/").content.decode()

    assert "container &lt;b&gt;x&#x27;&quot;&amp;</td>" in page
    assert '<div class="error-text">boom &lt;i&gt;</div>' in page
    assert "docker run -e &#x27;A=&lt;1&gt;&#x27; x</code>" in page
    assert '<td data-label="User">— <span class="muted mono">10.0.0.1</span></td>' in page
    assert 'stop <span class="muted">on build-box</span>' in page
    assert '<td class="num" data-label="Duration">13 ms</td>' in page
