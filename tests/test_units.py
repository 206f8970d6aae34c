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
from containers_app.docker_service.containers import ResourceLimits, container_summary
from containers_app.docker_service.times import parse_docker_time
from containers_app.live import charts
from containers_app.live.stats_charts import panel_charts, per_second, percent
from containers_app.live.stats_math import StatsLimits, StatsSample, cpuset_size, stats_limits
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


# --- stats charts (live/charts.py, live/stats_charts.py) --------------------------------


def labels(scale: charts.Scale) -> list[str]:
    return [tick.label for tick in scale.ticks()]


@pytest.mark.parametrize(
    ("top", "shown"),
    [
        (50, ["0%", "25%", "50%"]),  # --cpus 0.5
        (100, ["0%", "25%", "50%", "75%", "100%"]),
        (150, ["0%", "50%", "100%", "150%"]),
        (200, ["0%", "50%", "100%", "150%", "200%"]),  # two cores, no limit
        (1600, ["0%", "500%", "1000%", "1600%"]),  # 1500% would touch the top's label
        (100 / 3, ["0%", "10%", "20%", "33.33%"]),  # --cpu-quota 33333
    ],
)
def test_a_cpu_scale_tops_at_the_limit_with_round_ticks_below(top, shown):
    assert labels(charts.scale(top, percent)) == shown


@pytest.mark.parametrize(
    ("top", "shown"),
    [
        (64 * 2**20, ["0B", "16MiB", "32MiB", "48MiB", "64MiB"]),
        (2**30, ["0B", "256MiB", "512MiB", "768MiB", "1GiB"]),
        (25_275_990_016, ["0B", "8GiB", "16GiB", "23.54GiB"]),  # a host's MemTotal
        (300 * 2**20, ["0B", "128MiB", "300MiB"]),
    ],
)
def test_a_memory_scale_tops_at_the_limit_in_binary_steps(top, shown):
    assert labels(charts.scale(top, human_bytes, binary=True)) == shown


def test_the_top_of_a_scale_is_the_plots_top_and_values_beyond_it_stay_inside():
    two_cores = charts.scale(200, percent)

    assert two_cores.y(200) == 0 and two_cores.y(0) == charts.PLOT_HEIGHT
    assert two_cores.y(30) == pytest.approx(charts.PLOT_HEIGHT * 0.85), "a flat 30% sits low"
    assert two_cores.y(230) == 0 and two_cores.y(-1) == charts.PLOT_HEIGHT


def test_an_open_scale_has_room_above_the_highest_value_and_a_floor():
    assert labels(charts.open_scale(0, per_second, least=1000)) == [
        "0B/s",
        "250B/s",
        "500B/s",
        "750B/s",
        "1kB/s",
    ]
    rates = charts.open_scale(1500, per_second, least=1000)
    assert rates.top == 2000 and rates.y(1500) > 0, "never drawn at the top"
    processes = charts.open_scale(3, str, least=1, whole=True)
    assert processes.values == (0, 1, 2, 3, 4)
    assert charts.open_scale(7, str, least=1, whole=True).values == (0, 5, 10)


@pytest.mark.parametrize(
    ("elapsed", "left", "span", "ticks", "latest_x"),
    [
        (0, 0, 60, ["0s", "10s", "20s", "30s", "40s", "50s", "60s"], 0),
        (44, 0, 60, ["0s", "10s", "20s", "30s", "40s", "50s", "60s"], 220),
        (61, 0, 120, ["0s", "30s", "60s", "90s", "120s"], 152.5),
        (300, 0, 300, ["0s", "60s", "120s", "180s", "240s", "300s"], 300),
        (412.5, 112.5, 300, ["120s", "180s", "240s", "300s", "360s"], 300),  # full: it scrolls
    ],
)
def test_time_runs_from_the_first_reading_a_minute_wider_at_a_time(
    elapsed, left, span, ticks, latest_x
):
    axis = charts.time_axis(elapsed)

    assert (axis.left, axis.span) == (left, span)
    assert [tick.label for tick in axis.ticks()] == ticks
    assert axis.ticks()[0].at == pytest.approx((float(ticks[0][:-1]) - left) / span * 100)
    assert axis.x(elapsed) == pytest.approx(latest_x)


def xs(points: str) -> list[float]:
    return [float(pair.split(",")[0]) for pair in points.split()]


def test_44_seconds_of_readings_start_at_the_left_edge_and_fill_most_of_the_width():
    times = [float(t) for t in range(45)]
    axis = charts.time_axis(times[-1])

    (line,) = charts.lines(times, [30.0] * 45, axis, charts.scale(200, percent))

    assert xs(line)[0] == 0 and xs(line)[-1] == pytest.approx(44 / 60 * charts.PLOT_WIDTH)
    assert {pair.split(",")[1] for pair in line.split()} == {"68.0"}, "30% of two cores"


def test_lines_break_at_gaps_leave_out_what_scrolled_away_and_show_a_lone_reading():
    axis = charts.time_axis(400.0)  # the window is 100..400
    times = [50.0, 99.0, 101.0, 102.0, 300.0]
    scale = charts.scale(100, percent)

    runs = charts.lines(times, [10.0] * 5, axis, scale)

    assert [len(xs(run)) for run in runs] == [2, 2], "the lone 300 s reading is a dot"
    assert xs(runs[0])[0] == pytest.approx(1.0) and xs(runs[1]) == [200.0, 200.0]


def test_rates_are_per_second_between_readings_and_none_across_a_gap():
    at, per = charts.rates([0.0, 1.0, 3.0, 4.0, 60.0, 61.0], [0, 100, 500, 50, 50, 150])

    assert at == [1.0, 3.0, 4.0, 61.0]
    assert per == [100.0, 200.0, 0.0, 100.0], "2 s between readings; a restart counts as 0"


def limits(**given) -> ResourceLimits:
    values = dict.fromkeys(
        ("memory", "memory_swap", "memory_reservation", "nano_cpus", "cpu_shares"), 0
    )
    values |= {"cpu_quota": 0, "cpu_period": 0, "cpuset_cpus": "", "pids_limit": 0}
    return ResourceLimits(**(values | given))


def test_chart_limits_come_from_host_config_or_the_host():
    gib = 2**30
    assert stats_limits(limits(), 4, 16 * gib) == StatsLimits(4.0, "host", 16 * gib, "host")
    assert stats_limits(limits(nano_cpus=500_000_000, memory=2**26), 4, gib) == StatsLimits(
        0.5, "cpus", 2**26, "memory"
    )
    assert stats_limits(limits(cpu_quota=150_000, cpu_period=100_000), 4, gib).cpus == 1.5
    assert stats_limits(limits(cpu_quota=50_000), 4, gib).cpus == 0.5, "the default period"
    assert stats_limits(limits(cpuset_cpus="0-1", nano_cpus=3 * 10**9), 4, gib).cpus_by == (
        "cpuset"
    ), "the tightest bound"
    assert stats_limits(limits(nano_cpus=4 * 10**9), 4, gib).cpus_by == "cpus", "a tie: --cpus"
    assert stats_limits(limits(pids_limit=-1), 4, gib).pids == 0
    assert stats_limits(None, 0, 0) == StatsLimits(0.0, "", 0, "")
    assert [cpuset_size(s) for s in ("", "0", "0-2,4", "0,x")] == [0, 1, 4, 0]


def reading(second: int, **values) -> StatsSample:
    fields = dict(cpu_percent=30.0, memory_used=20 * 2**20, memory_limit=64 * 2**20)
    fields |= dict(network_rx=0, network_tx=0, block_read=0, block_write=0, pids=3)
    return StatsSample(f"2026-11-23T14:{second // 60:02d}:{second % 60:02d}.5Z", **fields | values)


def test_the_panels_charts_reach_the_limits_and_say_so():
    history = [reading(s, network_rx=1000 * s) for s in range(44)]

    drawn = panel_charts(history, StatsLimits(0.5, "cpus", 64 * 2**20, "memory"))
    free = panel_charts(history, StatsLimits(2.0, "host", 25_275_990_016, "host"))

    cpu, memory, network = drawn["cpu"], drawn["memory"], drawn["network"]
    assert [t.label for t in cpu.y_ticks] == ["0%", "25%", "50%"]
    assert (cpu.limit, cpu.host) == ("limit --cpus 0.5", False)
    assert cpu.y_ticks[-1].at == charts.TOP_ROOM, "the top tick is the limit's line"
    assert memory.limit == "limit --memory 64MiB" and memory.y_ticks[-1].label == "64MiB"
    assert cpu.x_ticks[0].label == "0s" and cpu.x_ticks[-1].label == "60s"
    assert xs(cpu.lines[0].points)[0] == 0.0, "left edge: the first reading"
    assert network.limit == "" and network.y_ticks[-1].label == "1.5kB/s"
    assert [line.css for line in network.lines] == ["line-a", "line-b"]
    assert (free["cpu"].limit, free["cpu"].host) == ("no limit · 2 CPUs on the host", True)
    assert free["cpu"].y_ticks[-1].label == "200%"
    assert free["memory"].limit == "no limit · 23.54GiB on the host"
    assert "CPU over 43 seconds" in cpu.description and "0% to 50%" in cpu.description


def test_charts_before_any_reading_show_their_axes_and_limits():
    empty = panel_charts([], StatsLimits(0.5, "cpus", 64 * 2**20, "memory"))
    unknown = panel_charts([reading(0)], None)

    assert empty["cpu"].lines == [] and empty["cpu"].limit == "limit --cpus 0.5"
    assert empty["memory"].y_ticks[-1].label == "64MiB"
    assert unknown["cpu"].y_ticks[-1].label == "100%" and unknown["cpu"].limit == ""
    assert unknown["memory"].y_ticks[-1].label == "64MiB", "the limit the engine reported"
