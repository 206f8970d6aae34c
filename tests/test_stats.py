"""Live stats: numbers as `docker stats` computes them, one shared reader per container."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess

import pytest
from channels.testing import WebsocketCommunicator

from containers_app.hubs import stats_hub
from containers_app.stats_math import sample_from
from tests.viewers import ORIGIN, application

pytestmark = pytest.mark.django_db(transaction=True)

BUSY = ["sh", "-c", "trap 'exit 0' TERM; while :; do :; done & wait"]


def raw_sample(**memory_stats) -> dict:
    return {
        "read": "2026-11-23T14:00:01Z",
        "cpu_stats": {
            "cpu_usage": {"total_usage": 3_000_000_000},
            "system_cpu_usage": 110_000_000_000,
            "online_cpus": 2,
        },
        "precpu_stats": {
            "cpu_usage": {"total_usage": 2_500_000_000},
            "system_cpu_usage": 108_000_000_000,
        },
        "memory_stats": {"usage": 50 * 2**20, "limit": 64 * 2**20, **memory_stats},
        "networks": {
            "eth0": {"rx_bytes": 1500, "tx_bytes": 500},
            "eth1": {"rx_bytes": 10, "tx_bytes": 0},
        },
        "blkio_stats": {
            "io_service_bytes_recursive": [
                {"op": "Read", "value": 4096},
                {"op": "Write", "value": 8192},
                {"op": "read", "value": 4096},
            ]
        },
        "pids_stats": {"current": 7},
    }


def test_numbers_follow_the_docker_cli_formulas():
    v1 = sample_from(raw_sample(stats={"total_inactive_file": 10 * 2**20, "inactive_file": 1}))
    v2 = sample_from(raw_sample(stats={"inactive_file": 20 * 2**20}))

    assert v1.cpu_percent == pytest.approx(0.5 / 2 * 2 * 100)  # delta / system delta * CPUs
    assert v1.memory_used == 40 * 2**20, "cgroup v1: usage minus total_inactive_file"
    assert v2.memory_used == 30 * 2**20, "cgroup v2: usage minus inactive_file"
    assert v1.memory_text == "40MiB / 64MiB" and v1.memory_percent_text == "62.50%"
    assert (v1.network_rx, v1.network_tx) == (1510, 500)
    assert (v1.block_read, v1.block_write, v1.pids) == (8192, 8192, 7)
    assert v1.cpu_text == "50.00%"


async def read_panel(communicator, predicate, timeout=15.0) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        html = (await communicator.receive_output(timeout=deadline - loop.time()))["text"]
        if predicate(html):
            return html


def figure(html: str, name: str) -> str:
    return re.search(rf'data-stat="{name}">([^<]*)', html).group(1).strip()


def viewer(path: str, cookie: str) -> WebsocketCommunicator:
    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", ORIGIN), (b"cookie", cookie.encode())]
    return WebsocketCommunicator(application, path, headers=headers)


async def test_stats_panel_is_close_to_docker_stats(cookie, make_container):
    container = make_container(
        BUSY, hint="stats", host_config={"mem_limit": "64m", "nano_cpus": 500_000_000}
    )
    page = viewer(f"/ws/containers/{container['Id'][:12]}/stats/", cookie)
    await page.connect()

    html = await read_panel(page, lambda h: 'data-stat="cpu"' in h and "<polyline" in h)
    html = await read_panel(page, lambda h: 'data-stat="cpu"' in h)  # a second reading
    cli = json.loads(
        (
            await asyncio.to_thread(
                subprocess.run,
                ["docker", "stats", "--no-stream", "--format", "{{json .}}", container["Id"]],
                capture_output=True,
                text=True,
                check=True,
            )
        ).stdout
    )
    await page.disconnect()

    ours_cpu = float(figure(html, "cpu").rstrip("%"))
    assert abs(ours_cpu - float(cli["CPUPerc"].rstrip("%"))) < 15, (html, cli)
    assert 35 < ours_cpu < 65, "--cpus 0.5 of a busy loop"
    assert figure(html, "memory").endswith("/ 64MiB")
    assert cli["MemUsage"].endswith("/ 64MiB")
    assert figure(html, "pids") == cli["PIDs"]


async def test_viewers_share_one_reader_which_stops_when_they_leave(
    cookie, make_container, docker_api
):
    container = make_container(hint="shared")
    first = viewer(f"/ws/containers/{container['Id'][:12]}/stats/", cookie)
    second = viewer(f"/ws/containers/{container['Id'][:12]}/stats/", cookie)
    table = viewer("/ws/stats/?sort=cpu", cookie)
    before = stats_hub.feeds()

    for page in (first, second, table):
        await page.connect()
    await read_panel(first, lambda h: 'data-stat="cpu"' in h)
    rows = await read_panel(table, lambda h: container["Name"][1:] in h)
    during = stats_hub.feeds()
    running = len(await asyncio.to_thread(docker_api.containers))
    for page in (first, second, table):
        await page.disconnect()
    await asyncio.sleep(0.2)

    assert during - before == running, "one reader per running container, however many viewers"
    assert stats_hub.feeds() == before, "no reader is left when nobody watches"
    assert f'id="stats-{container["Id"][:12]}"' in rows


async def test_stats_of_a_stopped_container_say_so(cookie, make_container):
    container = make_container(["true"], hint="stopstats", wait=True)
    page = viewer(f"/ws/containers/{container['Id'][:12]}/stats/", cookie)
    await page.connect()

    html = await read_panel(page, lambda h: "not running" in h)
    await page.disconnect()

    assert "exit code 0" in html
