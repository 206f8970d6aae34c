"""Live logs: throughput and latency against the docker CLI, and fan-out to many viewers.

Everything runs in one go on this machine: a live Daphne (as `make run` starts
it) on loopback, real containers (with this run's label, removed at the end),
a websocket client that behaves as the browser does (session cookie, same
origin, one ack per batch), and `docker logs`, measured alternately.

    .venv/bin/python benchmarks/logs.py [--lines 50000,200000] [--repeat 3]
                                        [--fanout-viewers 50] [--fanout-seconds 60]
                                        [--skip-fanout]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets

from tests.support import (
    docker_api,
    import_base_image,
    live_daphne,
    remove_leftovers,
    remove_run_objects,
    start_bench_container,
)


def container(api, command: str, hint: str) -> dict:
    name = f"{hint}-{uuid.uuid4().hex[:6]}"
    return api.inspect_container(start_bench_container(api, ["sh", "-c", command], name))


RECORD = re.compile(r"^\d+ (\S+) (.*)$", re.MULTILINE)  # {stream}{source} {timestamp} {text}


async def follow(server, cookie: str, ref: str, query: str, on_lines, stop=None) -> None:
    """A browser-like viewer: decodes each batch of records into (timestamp, text) lines, then
    acknowledges it, as the log viewer does, until the socket closes or `stop` is set."""
    url = f"ws://127.0.0.1:{server.url.rsplit(':', 1)[1]}/ws/containers/{ref}/logs/?{query}"
    received = 0
    async with websockets.connect(
        url, additional_headers={"Cookie": cookie}, origin=server.url, max_size=None
    ) as socket:
        async for message in socket:
            if isinstance(message, bytes):
                received += 1
                on_lines(RECORD.findall(message.decode("utf-8", "replace")))
                with suppress(websockets.ConnectionClosed):
                    await socket.send(json.dumps({"ack": received}))
            if stop is not None and stop.is_set():
                return


@dataclass
class Throughput:
    lines: int
    cli: list[float]  # seconds per run
    ours: list[float]
    cli_stamped: list[float]  # docker logs -t: every line with its timestamp, as Dockside sends

    @property
    def ratios(self) -> list[float]:
        """Dockside / CLI in lines per second, run by run (each pair measured back to back)."""
        return [cli / ours for cli, ours in zip(self.cli, self.ours, strict=True)]


def throughput(api, server, cookie: str, lines: int, repeat: int) -> Throughput:
    box = container(api, f"seq 1 {lines}", "throughput")
    api.wait(box["Id"], timeout=300)
    name = box["Name"][1:]

    def cli(*flags: str) -> float:
        start = time.perf_counter()
        done = subprocess.run(["docker", "logs", *flags, name], capture_output=True, check=True)
        elapsed = time.perf_counter() - start
        assert done.stdout.count(b"\n") == lines
        return elapsed

    def dockside() -> float:
        received = []
        start = time.perf_counter()
        asyncio.run(follow(server, cookie, box["Id"][:12], "tail=all&follow=0", received.extend))
        elapsed = time.perf_counter() - start
        assert len(received) == lines, len(received)
        assert received[-1][1] == str(lines)
        return elapsed

    result = Throughput(lines, [], [], [])
    for _ in range(repeat):  # alternate, so all see the same machine
        result.cli.append(cli())
        result.ours.append(dockside())
        result.cli_stamped.append(cli("-t"))
    api.remove_container(box["Id"], force=True)
    return result


def stamp_seconds(stamp: str) -> float:
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole + "+00:00").timestamp() + float(f"0.{fraction or 0}")


def latency(api, server, cookie: str, seconds: float) -> tuple[float, float, int]:
    """A line every 10 ms; delay from the daemon's timestamp (taken as the line is written)."""
    box = container(api, "while true; do echo tick; sleep 0.01; done", "latency")
    delays: list[float] = []
    stop = asyncio.Event()

    def on_lines(batch):
        now = time.time()
        delays.extend(now - stamp_seconds(line[0]) for line in batch)

    async def run():
        task = asyncio.create_task(follow(server, cookie, box["Id"][:12], "tail=0", on_lines, stop))
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(run())
    api.remove_container(box["Id"], force=True)
    delays.sort()
    return (
        delays[len(delays) // 2] * 1000,
        delays[int(len(delays) * 0.95)] * 1000,
        len(delays),
    )


def process_stats(pid: int) -> tuple[int, float]:
    """(RSS in KiB, CPU seconds) of a process."""
    rss = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmRSS")
    )
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return rss, ticks / 100


def fanout(api, server, cookie: str, viewers: int, seconds: float) -> dict:
    box = container(
        api, "i=0; while true; do i=$((i+1)); echo line-$i; sleep 0.002; done", "fanout"
    )
    received = [[] for _ in range(viewers)]
    stop = asyncio.Event()
    rss_samples = []

    async def run():
        tasks = [
            asyncio.create_task(
                follow(server, cookie, box["Id"][:12], "tail=0", received[i].extend, stop)
            )
            for i in range(viewers)
        ]
        await asyncio.sleep(2)  # all connected and following
        rss_start, cpu_start = process_stats(server.process.pid)
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            await asyncio.sleep(1)
            rss_samples.append(process_stats(server.process.pid)[0])
        rss_end, cpu_end = process_stats(server.process.pid)
        api.stop(box["Id"], timeout=0)  # the last lines reach everybody, then nothing more
        await asyncio.sleep(3)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return rss_start, rss_end, (cpu_end - cpu_start) / (time.monotonic() - started)

    rss_start, rss_end, cpu = asyncio.run(run())
    last = int(api.logs(box["Id"], tail=1).decode().strip().removeprefix("line-"))
    counts = []
    complete = 0
    for lines in received:
        numbers = [int(line[1].removeprefix("line-")) for line in lines]
        counts.append(len(numbers))
        if numbers and numbers == list(range(numbers[0], last + 1)):
            complete += 1  # no gap, no repeat, up to the container's very last line
    api.remove_container(box["Id"], force=True)
    return {
        "viewers": viewers,
        "seconds": seconds,
        "lines per viewer (min..max)": f"{min(counts)}..{max(counts)}",
        "viewers with every line to the last, in order": f"{complete}/{viewers}",
        "server RSS start -> end (max)": (
            f"{rss_start // 1024} MiB -> {rss_end // 1024} MiB ({max(rss_samples) // 1024} MiB)"
        ),
        "server CPU (one Daphne process)": f"{cpu * 100:.0f}% of one core",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", default="50000,200000", help="sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-seconds", type=float, default=10)
    parser.add_argument("--fanout-viewers", type=int, default=50)
    parser.add_argument("--fanout-seconds", type=float, default=60)
    parser.add_argument("--skip-fanout", action="store_true")
    args = parser.parse_args()

    api = docker_api()
    remove_leftovers(api)
    import_base_image(api)
    try:
        with tempfile.TemporaryDirectory() as data_dir, live_daphne(Path(data_dir)) as server:
            session = server.login()
            cookie = f"sessionid={session.cookies['sessionid']}"
            sizes = [int(size) for size in args.lines.split(",")]
            results = [throughput(api, server, cookie, size, args.repeat) for size in sizes]
            p50, p95, samples = latency(api, server, cookie, args.latency_seconds)
            spread = None
            if not args.skip_fanout:
                spread = fanout(api, server, cookie, args.fanout_viewers, args.fanout_seconds)
    finally:
        remove_run_objects(api)  # this run's containers and base image, nobody else's

    print(f"Throughput, median of {args.repeat} runs (alternating with the CLI)")
    print(
        f"{'lines':>8} | {'docker logs':>11} | {'docker logs -t':>14} | {'Dockside':>9} | "
        f"{'ratio':>5} | {'ratio -t':>8} | ratio per run"
    )
    print(f"{'-' * 8}-|-{'-' * 11}-|-{'-' * 14}-|-{'-' * 9}-|-{'-' * 5}-|-{'-' * 8}-|-{'-' * 24}")
    for result in results:
        cli, ours = statistics.median(result.cli), statistics.median(result.ours)
        stamped = statistics.median(result.cli_stamped)
        runs = " ".join(f"{ratio:.2f}" for ratio in result.ratios)
        print(
            f"{result.lines:>8,} | {cli:>9.2f} s | {stamped:>12.2f} s | {ours:>7.2f} s | "
            f"{cli / ours:>5.2f} | {stamped / ours:>8.2f} | {runs}"
        )
    print("ratio = Dockside lines/s over docker logs lines/s (>= 1.0: Dockside is faster);")
    print("ratio -t: over docker logs -t, which prints every line's timestamp as Dockside sends it")
    print()
    print(f"Latency, a line every 10 ms for {args.latency_seconds:.0f} s ({samples} lines):")
    print(f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (daemon timestamp -> websocket receipt)")
    if spread:
        print()
        print("Fan-out:")
        for key, value in spread.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
