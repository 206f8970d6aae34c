"""Live stats: numbers as `docker stats` computes them, one shared reader per container."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import threading
from html.parser import HTMLParser

import pytest

from containers_app.live.stats_math import sample_from
from containers_app.pages.formatting import human_bytes
from tests import support
from tests.pages import row_for
from tests.viewers import connect_to
from tests.waiting import eventually

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


async def test_stats_panel_is_close_to_docker_stats(cookie, make_container):
    container = make_container(
        BUSY, hint="stats", host_config={"mem_limit": "64m", "nano_cpus": 500_000_000}
    )
    page = connect_to(f"/ws/containers/{container['Id'][:12]}/stats/", cookie)
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


async def test_viewers_share_one_reader_which_stops_when_they_leave(cookie, make_container):
    container = make_container(hint="shared")
    first = connect_to(f"/ws/containers/{container['Id'][:12]}/stats/", cookie)
    second = connect_to(f"/ws/containers/{container['Id'][:12]}/stats/", cookie)
    table = connect_to("/ws/stats/?sort=cpu", cookie)

    for page in (first, second, table):
        await page.connect()
    await read_panel(first, lambda h: 'data-stat="cpu"' in h)
    await read_panel(second, lambda h: 'data-stat="cpu"' in h)
    rows = await read_panel(table, lambda h: reading(h, container["Id"][:12]) is not None)
    during = len(stats_readers(container["Id"]))
    for page in (first, second, table):
        await page.disconnect()
    await eventually(lambda: not stats_readers(container["Id"]), what="readers gone")

    assert during == 1, "one reader for the container, however many viewers"
    assert f'id="stats-{container["Id"][:12]}"' in rows


async def test_stats_of_a_stopped_container_say_so(cookie, make_container):
    container = make_container(["true"], hint="stopstats", wait=True)
    page = connect_to(f"/ws/containers/{container['Id'][:12]}/stats/", cookie)
    await page.connect()

    html = await read_panel(page, lambda h: "not running" in h)
    await page.disconnect()

    assert "exit code 0" in html


UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
ROW = re.compile(
    r'<tr id="stats-(?P<id>\w{12})">.*?data-label="CPU">(?P<cpu>[\d.]+)%</td>'
    r'<td data-label="Memory">(?P<memory>[\d.]+)(?P<unit>[KMGT]?i?B) /',
    re.S,
)


def table_rows(html: str) -> list[tuple[str, float, float]]:
    """(short id, CPU %, memory bytes) of each row of a /stats/ table fragment, in order."""
    rows = ROW.finditer(html)
    return [(m["id"], float(m["cpu"]), float(m["memory"]) * UNITS[m["unit"]]) for m in rows]


def reading(html: str, short_id: str) -> tuple[float, float] | None:
    return next(((cpu, memory) for row, cpu, memory in table_rows(html) if row == short_id), None)


async def test_the_table_sorts_the_busy_container_first_by_cpu_and_the_large_first_by_memory(
    cookie, make_container
):
    idle = make_container(hint="aidle")["Id"][:12]  # first by name, last by CPU and memory
    busy = make_container(BUSY, hint="busy")["Id"][:12]
    large = make_container(
        ["sh", "-c", f"dd if=/dev/zero of=/big/f bs=1M count=48 && {support.IDLE_COMMAND[-1]}"],
        hint="large",
        host_config={"tmpfs": {"/big": "size=64m"}},
    )["Id"][:12]
    by_cpu = connect_to("/ws/stats/?sort=cpu", cookie)
    by_memory = connect_to("/ws/stats/?sort=memory", cookie)
    await by_cpu.connect()
    await by_memory.connect()

    def measured(html: str) -> bool:
        busy_reading, large_reading = reading(html, busy), reading(html, large)
        return (
            reading(html, idle) is not None
            and busy_reading is not None
            and large_reading is not None
            and busy_reading[0] > 50  # a whole core's loop, past its first reading
            and large_reading[1] >= 48 * 2**20  # the file is written
        )

    cpu_rows = table_rows(await read_panel(by_cpu, measured))
    memory_rows = table_rows(await read_panel(by_memory, measured))
    await by_cpu.disconnect()
    await by_memory.disconnect()

    cpu_order = [row for row, _, _ in cpu_rows]
    memory_order = [row for row, _, _ in memory_rows]
    assert cpu_order.index(busy) < min(cpu_order.index(large), cpu_order.index(idle))
    assert [cpu for _, cpu, _ in cpu_rows] == sorted((cpu for _, cpu, _ in cpu_rows), reverse=True)
    assert memory_order.index(large) < min(memory_order.index(busy), memory_order.index(idle))
    memory = [value for _, _, value in memory_rows]
    assert memory == sorted(memory, reverse=True)


def stats_readers(container_id: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"stats-{container_id}" and t.is_alive()]


async def test_two_table_viewers_share_one_reader_per_container(cookie, make_container):
    containers = [make_container(hint=f"tablepair{n}")["Id"] for n in range(2)]
    tables = [connect_to(f"/ws/stats/?sort={sort}", cookie) for sort in ("cpu", "name")]

    for table in tables:
        await table.connect()
    for table in tables:
        await read_panel(table, lambda h: all(f"stats-{c[:12]}" in h for c in containers))
    readers = [len(stats_readers(c)) for c in containers]
    for table in tables:
        await table.disconnect()

    assert readers == [1, 1], "one engine stats stream per container for both tables"
    assert not any(stats_readers(c) for c in containers), "no reader is left once both leave"


def test_the_stats_page_lists_running_containers_on_its_first_response(
    admin_client, make_container
):
    running = make_container(hint="statsrow")
    stopped = make_container(["true"], hint="statsrow-stopped", wait=True)

    html = admin_client.get("/stats/").content.decode()

    row = row_for(html, "stats-table", running["Name"][1:])
    assert row is not None, "the row is there before any websocket"
    assert row.cells == [running["Name"][1:], running["Id"][:12], *["…"] * 6]
    assert row_for(html, "stats-table", stopped["Name"][1:]) is None, "docker stats: running only"


class _Charts(HTMLParser):
    """The stats charts of a page or fragment: tick labels, the limit's label, the lines."""

    TEXTS = {"y-tick": "y", "x-tick": "x", "limit-label": "limit"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.charts: dict[str, dict] = {}
        self.chart: dict | None = None
        self.text: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg" and "data-chart" in attributes:
            self.chart = {"y": [], "x": [], "limit": [], "lines": []}
            self.charts[attributes["data-chart"]] = self.chart
        elif self.chart is not None and tag == "text":
            self.text = self.TEXTS.get((attributes.get("class") or "").split()[0])
            if self.text:
                self.chart[self.text].append("")
        elif self.chart is not None and tag == "polyline":
            pairs = (pair.split(",") for pair in attributes["points"].split())
            self.chart["lines"].append([(float(x), float(y)) for x, y in pairs])

    def handle_data(self, data):
        if self.text:
            self.chart[self.text][-1] += data

    def handle_endtag(self, tag):
        if tag == "text":
            self.text = None


def charts_of(html: str) -> dict[str, dict]:
    parser = _Charts()
    parser.feed(html)
    return parser.charts


LIMITED = {"mem_limit": "64m", "nano_cpus": 500_000_000}


def test_the_stats_page_draws_axes_up_to_the_limits_before_any_reading(
    admin_client, make_container, docker_api
):
    limited = make_container(hint="axes", host_config=LIMITED)
    free = make_container(hint="axes-free")
    host = docker_api.info()

    drawn = charts_of(admin_client.get(f"/containers/{limited['Id'][:12]}/stats/").content.decode())
    unlimited = charts_of(
        admin_client.get(f"/containers/{free['Id'][:12]}/stats/").content.decode()
    )

    cpu, memory = drawn["cpu"], drawn["memory"]
    assert cpu["y"] == ["0%", "25%", "50%"] and cpu["limit"] == ["limit --cpus 0.5"]
    assert memory["y"][-1] == "64MiB" and memory["limit"] == ["limit --memory 64MiB"]
    assert cpu["x"] == ["0s", "10s", "20s", "30s", "40s", "50s", "60s"]
    assert cpu["lines"] == [], "no reading yet: the axes alone"
    assert set(drawn) == {"cpu", "memory", "network", "block", "pids"}
    cores = host["NCPU"]
    assert unlimited["cpu"]["y"][-1] == f"{cores * 100}%"
    assert unlimited["cpu"]["limit"] == [
        f"no limit · {cores} CPU{'s' if cores != 1 else ''} on the host"
    ]
    assert unlimited["memory"]["y"][-1] == human_bytes(host["MemTotal"])


def samples_in(html: str) -> int:
    found = re.search(r'data-samples="(\d+)"', html)
    return int(found.group(1)) if found else 0


async def test_the_live_panel_draws_from_the_left_edge_on_scales_up_to_the_limits(
    cookie, make_container
):
    container = make_container(BUSY, hint="axeslive", host_config=LIMITED)
    page = connect_to(f"/ws/containers/{container['Id'][:12]}/stats/", cookie)
    await page.connect()

    html = await read_panel(page, lambda h: samples_in(h) >= 3)
    await page.disconnect()

    drawn = charts_of(html)
    cpu, memory = drawn["cpu"], drawn["memory"]
    assert cpu["limit"] == ["limit --cpus 0.5"] and cpu["y"][-1] == "50%"
    assert memory["limit"] == ["limit --memory 64MiB"] and memory["y"][-1] == "64MiB"
    assert cpu["x"][0] == "0s"
    (line,) = cpu["lines"]
    assert line[0][0] == 0.0, "the first reading is at the left edge"
    assert 0 < line[-1][0] < 300 * 10 / 60, "a few seconds in: the line grows to the right"
    assert min(y for _, y in line[1:]) < 80 * 0.4, "a busy loop at --cpus 0.5 is near the top"
    assert all(0 < y <= 80 for _, y in memory["lines"][0]), "busybox sh: far below 64MiB"
