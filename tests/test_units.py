"""Pure units: CLI-style formatting, secret masking, settings parsing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from containers_app.consumers.access import close_code, close_reason
from containers_app.docker_service import (
    Conflict,
    DockerServiceError,
    EngineUnavailable,
    InvalidRequest,
    NotFound,
    describe_connection_error,
)
from containers_app.docker_service.containers import container_summary
from containers_app.docker_service.times import parse_docker_time
from containers_app.masking import MASK, mask_env, mask_inspect, mask_text
from containers_app.pages.formatting import (
    ago,
    format_ports,
    human_bytes,
    human_duration,
    human_size,
)
from containers_app.references import split_reference
from dashboard.settings import database_from_url, env_bool, persistent_secret_key
from tests.support import ROOT


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.4, "Less than a second"),
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "About a minute"),
        (119, "About a minute"),
        (120, "2 minutes"),
        (3599, "59 minutes"),
        (3600, "About an hour"),
        (2 * 3600, "2 hours"),
        (47 * 3600, "47 hours"),
        (3 * 86400, "3 days"),
        (20 * 86400, "2 weeks"),
        (90 * 86400, "3 months"),
        (800 * 86400, "2 years"),
    ],
)
def test_human_duration_matches_docker_go_units(seconds, words):
    assert human_duration(seconds) == words


def test_ago_is_empty_for_docker_zero_time():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert ago(now - timedelta(hours=2), now) == "2 hours ago"
    assert ago(parse_docker_time("0001-01-01T00:00:00Z")) == ""
    assert parse_docker_time("2026-11-23T12:13:14.123456789Z") == datetime(
        2026, 11, 23, 12, 13, 14, 123456, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0B"), (999, "999B"), (1000, "1kB"), (1_234_567, "1.23MB"), (72_800_000, "72.8MB")],
)
def test_human_size_matches_docker_images(size, text):
    assert human_size(size) == text


def test_human_bytes_is_binary_like_docker_stats():
    assert human_bytes(64 * 1024 * 1024) == "64MiB"
    assert human_bytes(1536 * 1024 * 1024) == "1.5GiB"


def test_ports_are_formatted_and_deduplicated_like_docker_ps():
    ports = [
        {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
        {"IP": "::", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
        {"PrivatePort": 443, "Type": "tcp"},
        {"IP": "127.0.0.1", "PrivatePort": 53, "PublicPort": 5353, "Type": "udp"},
        {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
    ]
    summary = container_summary({"Id": "c", "Ports": ports})
    assert format_ports(summary.ports) == (
        "127.0.0.1:5353->53/udp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 443/tcp"
    )


@pytest.mark.parametrize(
    ("ref", "parts"),
    [
        ("busybox", ("busybox", "latest")),
        ("busybox:1.36", ("busybox", "1.36")),
        ("127.0.0.1:5000/team/app", ("127.0.0.1:5000/team/app", "latest")),
        ("127.0.0.1:5000/team/app:v2", ("127.0.0.1:5000/team/app", "v2")),
        ("app@sha256:abc", ("app", "sha256:abc")),
    ],
)
def test_split_reference(ref, parts):
    assert split_reference(ref) == parts


def test_env_values_of_secret_looking_keys_are_masked():
    env = mask_env(
        [
            "PATH=/usr/bin",
            "MYSQL_ROOT_PASSWORD=root",
            "GITHUB_TOKEN=ghp_x",
            "AWS_SECRET_ACCESS_KEY=abc",
            "api-key=1",
            "DATABASE_URL=postgres://app:s3cret@db:5432/app",
            "EMPTY_PASSWORD=",
            "NOVALUE",
        ]
    )
    shown = {var.key: (var.value, var.masked) for var in env}
    assert shown["PATH"] == ("/usr/bin", False)
    assert shown["MYSQL_ROOT_PASSWORD"] == (MASK, True)
    assert shown["GITHUB_TOKEN"] == (MASK, True)
    assert shown["AWS_SECRET_ACCESS_KEY"] == (MASK, True)
    assert shown["api-key"] == (MASK, True)
    assert shown["DATABASE_URL"] == (f"postgres://app:{MASK}@db:5432/app", True)
    assert shown["EMPTY_PASSWORD"] == ("", False)
    assert shown["NOVALUE"] == ("", False)


def test_secrets_in_build_history_and_raw_inspect_are_masked():
    assert mask_text("/bin/sh -c #(nop)  ENV A=1 API_TOKEN=xyz") == (
        f"/bin/sh -c #(nop)  ENV A=1 API_TOKEN={MASK}"
    )
    assert (
        mask_text("|1 DB_PASSWORD='p w' /bin/sh -c make")
        == f"|1 DB_PASSWORD={MASK} /bin/sh -c make"
    )
    raw = {"Config": {"Env": ["TOKEN=abc", "A=b"]}, "ContainerConfig": {"Cmd": ["SECRET=1"]}}
    masked = mask_inspect(raw)
    assert masked["Config"]["Env"] == [f"TOKEN={MASK}", "A=b"]
    assert masked["ContainerConfig"]["Cmd"] == [f"SECRET={MASK}"]
    assert raw["Config"]["Env"] == ["TOKEN=abc", "A=b"], "the original is left alone"


def test_database_url_parsing():
    assert database_from_url("sqlite:////var/lib/dockside/db.sqlite3")["NAME"] == (
        "/var/lib/dockside/db.sqlite3"
    )
    assert database_from_url("sqlite://:memory:")["NAME"] == ":memory:"
    postgres = database_from_url("postgres://dock%40side:p%2Fw@db.local:5433/dockside")
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["USER"], postgres["PASSWORD"]) == ("dock@side", "p/w")
    assert (postgres["HOST"], postgres["PORT"], postgres["NAME"]) == (
        "db.local",
        "5433",
        "dockside",
    )
    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://x/y")


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("DEBUG", "yes")
    assert env_bool("DEBUG") is True
    monkeypatch.setenv("DEBUG", "")
    assert env_bool("DEBUG") is False
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("DEBUG")


def test_secret_key_is_generated_once_and_private(tmp_path):
    first = persistent_secret_key(tmp_path / "data")
    second = persistent_secret_key(tmp_path / "data")

    assert first == second
    assert len(first) >= 50
    assert stat.S_IMODE((tmp_path / "data" / "secret_key").stat().st_mode) == 0o600


def test_debug_is_off_and_hosts_are_loopback_by_default(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "ALLOWED_HOSTS", "SECRET_KEY"}
    }
    env["DOCKSIDE_DATA_DIR"] = str(tmp_path)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from dashboard import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert out.strip() == "False ['127.0.0.1', 'localhost', '[::1]']"
    assert (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (FileNotFoundError(2, "No such file or directory"), "the socket does not exist"),
        (PermissionError(13, "Permission denied"), "permission denied on the socket"),
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (TimeoutError("timed out"), "no answer within"),
    ],
)
def test_engine_errors_are_explained_from_the_cause_chain(error, words):
    """requests wraps the OS error two levels deep, as ('Connection aborted.', error)."""
    wrapped = requests.exceptions.ConnectionError(ConnectionError("Connection aborted.", error))

    assert words in describe_connection_error(wrapped)


def test_websocket_close_reasons_fit_a_close_frame_even_in_multibyte_text():
    reason = close_reason("conteneur arrêté " * 20)

    assert len(reason.encode()) <= 123
    assert reason.startswith("conteneur arrêté")
    assert close_code(Conflict("x is not running"))[0] == 4409
    assert close_code(NotFound("container", "x"))[0] == 4404
    assert close_code(EngineUnavailable("unix:///x", "gone")) == (4503, "gone")
    assert close_code(ValueError("bad tail"))[0] == 4400
    assert close_code(InvalidRequest("bad filter"))[0] == 4400
    assert close_code(DockerServiceError("the engine answered 500"))[0] == 4502


def test_a_secret_key_written_by_another_process_first_is_the_one_kept(tmp_path, monkeypatch):
    data = tmp_path / "data"
    real_link = os.link

    def racing_link(source, target):  # another process wins between our check and our write
        Path(target).write_text("kept-key-from-the-first-process")
        real_link(source, target)

    monkeypatch.setattr(os, "link", racing_link)

    assert persistent_secret_key(data) == "kept-key-from-the-first-process"
    assert sorted(p.name for p in data.iterdir()) == ["secret_key"]
