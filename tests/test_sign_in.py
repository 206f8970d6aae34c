"""Signing in and managing accounts: throttling per username and address, lockouts an
admin lifts, createuser, changes in /admin/ audited, session lifetime, no-store pages,
and `check --deploy` clean in the documented production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from access import throttle
from access.middleware import RENEW_EVERY, RENEWED
from access.models import Membership, SignInFailures
from access.roles import role_of
from audit.models import AuditEntry
from tests import support
from tests.pages import text
from tests.test_private_files import manage

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-42"


def sign_in(client: Client, username: str, password: str, address: str = "192.0.2.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_failures_are_free_then_each_try_waits_longer(client):
    support.user_with_role("viewer", "ana")
    for _ in range(4):
        assert "wait" not in text(sign_in(client, "ana", "wrong").content.decode())  # not a token

    fifth = sign_in(client, "ana", "wrong").content.decode()
    assert "5 failed sign-ins in a row for this username: wait 2 seconds" in fifth
    refused = sign_in(client, "ana", PASSWORD)  # the right password, too soon

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session, "no password is checked while waiting"
    entry = AuditEntry.objects.filter(action="login_throttled").get()
    assert (entry.target_name, entry.outcome) == ("ana", "failed")
    assert "wait" in entry.error
    assert throttle.delay_after(6) == timedelta(seconds=4)
    assert throttle.delay_after(9) == timedelta(seconds=32)


def test_the_wait_ends_and_a_success_clears_the_count(client):
    support.user_with_role("viewer", "ana")
    for _ in range(5):
        sign_in(client, "ana", "wrong")
    SignInFailures.objects.update(locked_until=timezone.now() - timedelta(seconds=1))

    assert sign_in(client, "ana", PASSWORD).status_code == 302
    assert not SignInFailures.objects.filter(key="user:ana").exists()


def test_ten_failures_lock_the_name_for_minutes_until_an_admin_lifts_it(client, admin_client):
    support.user_with_role("viewer", "ana")
    for number in range(10):
        SignInFailures.objects.update(locked_until=None)  # no waiting between tries here
        sign_in(client, "ana", "wrong", address=f"192.0.2.{number + 10}")

    locked = sign_in(client, "ana", PASSWORD, address="192.0.2.99")
    assert locked.status_code == 429
    assert "locked for this username after 10 failed tries" in locked.content.decode()
    assert "Try again in 15 minutes, or ask an admin to lift the lock" in locked.content.decode()

    page = admin_client.get("/access/users/").content.decode()
    assert "user:ana: 10 failures" in page
    lifted = admin_client.post("/access/unlock/", {"key": "user:ana"})

    assert lifted.status_code == 302
    assert sign_in(client, "ana", PASSWORD, address="192.0.2.99").status_code == 302
    entry = AuditEntry.objects.get(action="signin_unlock")
    assert (entry.target_name, entry.username, entry.outcome) == ("user:ana", "admin", "succeeded")


def test_an_address_trying_many_names_is_throttled_too(client):
    for number in range(5):
        sign_in(client, f"guess{number}", "wrong", address="198.51.100.7")

    answer = sign_in(client, "someone-else", "wrong", address="198.51.100.7")

    assert answer.status_code == 429
    assert "failed sign-ins in a row for this address" in answer.content.decode()
    assert sign_in(client, "someone-else", "wrong", address="198.51.100.8").status_code == 200


def test_names_that_do_not_exist_are_answered_as_those_that_do(client):
    support.user_with_role("viewer", "ana")
    for _ in range(6):
        real = sign_in(client, "ana", "wrong", address="203.0.113.1")
        made_up = sign_in(client, "nobody", "wrong", address="203.0.113.2")
        assert real.status_code == made_up.status_code
        assert banner(real) == banner(made_up)
    assert "wait" in banner(real)


def banner(response) -> str:
    found = re.search(r'class="banner error"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    return found.group(1) if found else ""


def test_createuser_takes_the_password_from_the_environment(tmp_path):
    data_dir = tmp_path / "data"
    manage(data_dir, "migrate", "--noinput")

    done = manage(data_dir, "createuser", "ops", "--role", "operator", DOCKSIDE_PASSWORD=PASSWORD)
    assert "Created ops (operator)." in done.stdout
    with pytest.raises(subprocess.CalledProcessError) as weak:
        manage(data_dir, "createuser", "weak", "--role", "viewer", DOCKSIDE_PASSWORD="123")
    assert "too short" in weak.value.stderr

    check = (
        "from django.contrib.auth import get_user_model; from access.roles import role_of;"
        " from audit.models import AuditEntry;"
        " u = get_user_model().objects.get(username='ops');"
        " e = AuditEntry.objects.get(action='account_create');"
        " print(role_of(u), u.check_password('a-long-pass-42'), e.target_name, e.parameters)"
    )
    out = manage(data_dir, "shell", "-c", check).stdout
    assert (
        out.strip().splitlines()[-1] == "operator True ops {'role': 'operator', 'via': 'manage.py'}"
    )


def test_createuser_prompts_when_the_environment_has_no_password(tmp_path):
    data_dir = tmp_path / "data"
    manage(data_dir, "migrate", "--noinput")
    env = {**os.environ, "DOCKSIDE_DATA_DIR": str(data_dir)}
    env.pop("DOCKSIDE_PASSWORD", None)
    env.pop("DATABASE_URL", None)
    # getpass reads the terminal; without one it reads stdin (and warns).
    asked = subprocess.run(
        [sys.executable, "manage.py", "createuser", "eve", "--role", "viewer"],
        cwd=support.ROOT,
        env=env,
        input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True,
        text=True,
        start_new_session=True,  # no controlling terminal: getpass falls back to stdin
    )
    assert asked.returncode == 0, asked.stderr
    assert "Created eve (viewer)." in asked.stdout


def test_existing_superusers_are_admins_and_other_accounts_viewers(django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password=PASSWORD)
    old = django_user_model.objects.create_user("old", password=PASSWORD)
    assert role_of(boss) == "admin" and role_of(old) == "viewer"
    assert not Membership.objects.filter(user=old).exists()


def test_changes_made_in_the_django_admin_are_audited(admin_client):
    user = get_user_model().objects.create_user("target", password=PASSWORD)
    url = f"/admin/auth/user/{user.pk}/change/"
    form = {
        "username": "target",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-12-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-12-01",
        "initial-date_joined_1": "10:00:00",
    }

    answer = admin_client.post(url, form)

    assert answer.status_code == 302, answer.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="admin_change")
    assert (entry.target_kind, entry.target_name, entry.username) == ("user", "target", "admin")
    assert "Staff status" in entry.parameters["change"]
    admin_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})
    assert AuditEntry.objects.filter(action="admin_delete", target_name="target").exists()


def test_admins_manage_accounts_in_the_ui_and_each_change_is_audited(admin_client):
    made = admin_client.post(
        "/access/users/",
        {"username": "newbie", "role": "operator", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert made.status_code == 302
    user = get_user_model().objects.get(username="newbie")
    assert role_of(user) == "operator"
    admin_client.post(f"/access/users/{user.pk}/", {"do": "role", "role": "admin"})
    user.refresh_from_db()
    assert role_of(user) == "admin" and user.is_staff
    actions = list(
        AuditEntry.objects.filter(target_name="newbie")
        .order_by("id")
        .values_list("action", "parameters")
    )
    assert actions == [
        ("account_create", {"role": "operator"}),
        ("account_role", {"from": "operator", "to": "admin"}),
    ]


def test_the_last_admin_cannot_be_demoted(admin_client, django_user_model):
    admin = django_user_model.objects.get(username="admin")

    answer = admin_client.post(
        f"/access/users/{admin.pk}/", {"do": "role", "role": "viewer"}, follow=True
    )

    assert "admin is the last active admin: make another first" in answer.content.decode()
    assert role_of(django_user_model.objects.get(pk=admin.pk)) == "admin"
    assert AuditEntry.objects.get(action="account_role").outcome == "failed"


def test_sessions_last_12_hours_from_the_last_request_renewed_at_most_once_a_minute(
    settings, viewer_client
):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    key = viewer_client.session.session_key

    def stored_expiry():
        return Session.objects.get(pk=key).expire_date

    viewer_client.get("/audit/")  # the first signed-in request renews it
    renewed = stored_expiry()
    assert renewed > timezone.now() + timedelta(hours=11, minutes=59)
    again = viewer_client.get("/audit/")
    assert stored_expiry() == renewed and "sessionid" not in again.cookies  # not written

    session = viewer_client.session
    session[RENEWED] -= RENEW_EVERY  # as if the last renewal were a minute ago
    session.save()
    saved = stored_expiry()
    later = viewer_client.get("/audit/")
    assert stored_expiry() > saved and later.cookies["sessionid"]["max-age"] == 12 * 3600


@pytest.mark.parametrize("ended", ["expired", "deleted"])
def test_an_expired_or_deleted_session_signs_nobody_in(viewer_client, ended):
    """Sessions are read with a statement of our own (access/session_store.py): its
    `expire_date > now` and its key are what keep an old cookie out."""
    key = viewer_client.session.session_key
    assert viewer_client.get("/audit/").status_code == 200
    row = Session.objects.filter(pk=key)
    if ended == "expired":
        row.update(expire_date=timezone.now() - timedelta(seconds=1))
    else:
        row.delete()
    assert viewer_client.get("/audit/").status_code == 302


def test_signed_in_pages_and_exports_are_not_stored(viewer_client):
    for path in ("/containers/", "/audit/", "/audit/export.csv", "/audit/export.json"):
        control = viewer_client.get(path)["Cache-Control"]
        assert "no-store" in control and "private" in control, (path, control)


def test_check_deploy_is_clean_in_the_documented_production_settings(tmp_path):
    env = {
        **os.environ,
        "DOCKSIDE_HTTPS": "1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "dockside.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://dockside.example.com",
        "DOCKSIDE_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("SECRET_KEY", None)

    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=support.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout
    without_https = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=support.ROOT,
        env={**env, "DOCKSIDE_HTTPS": "0"},
        capture_output=True,
        text=True,
    )
    assert without_https.returncode != 0, "the test can tell a failing check"


def test_look_alike_names_and_one_ipv6_network_count_as_one(client):
    support.user_with_role("viewer", "admin2")
    wide = "".join(chr(ord(letter) + 0xFEE0) for letter in "admin2")  # full-width forms
    names = ["admin2", "ADMIN2", f"{wide[0]}dmin2", " admin2 ", wide]
    for number, name in enumerate(names):
        sign_in(client, name, "wrong", address=f"2001:db8::{number + 1}")

    by_name = sign_in(client, "admin2", PASSWORD, address="192.0.2.50")
    by_network = sign_in(client, "someone", "wrong", address="2001:db8::ffff")

    assert by_name.status_code == 429 and by_network.status_code == 429
    assert "for this address" in banner(by_network)
    assert sign_in(client, "someone", "wrong", address="2001:db8:0:1::1").status_code == 200


def test_a_throttled_try_checks_no_password_and_a_nul_is_no_500(client, caplog):
    support.user_with_role("viewer", "ana")
    for _ in range(5):
        sign_in(client, "ana", "wrong")
    failed_before = AuditEntry.objects.filter(action="login_failed").count()

    assert sign_in(client, "ana", "wrong").status_code == 429
    assert sign_in(client, "b\x00ob", "wrong", address="192.0.2.77").status_code == 200

    # Neither reached a password check: one was throttled, the form refuses the other's NUL.
    assert AuditEntry.objects.filter(action="login_failed").count() == failed_before


def test_tries_sent_at_once_are_counted_before_any_password_is_checked(tmp_path):
    """Against Daphne: 20 wrong tries at once, and only the 5 free ones are checked."""
    import concurrent.futures

    import requests

    with support.live_daphne(tmp_path) as server:

        def one(_):
            session = requests.Session()
            session.get(f"{server.url}/accounts/login/", timeout=10)
            return session.post(
                f"{server.url}/accounts/login/",
                data={
                    "username": support.ADMIN_USERNAME,
                    "password": "wrong",
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                },
                headers={"Referer": f"{server.url}/accounts/login/"},
                timeout=30,
            ).status_code

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(one, range(20)))

        assert sorted(answers) == [200] * 5 + [429] * 15
        unlocked = manage(server.data_dir, "unlock", support.ADMIN_USERNAME)
        assert "Sign-in is open again" in unlocked.stdout
        manage(server.data_dir, "unlock", "127.0.0.1")
        assert "sessionid" in server.login().cookies
