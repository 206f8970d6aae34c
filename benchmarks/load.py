"""Many signed-in users browsing Dockside at once, measured black-box from outside.

Each user is a thread with its own session (signed in before the clock starts) that
asks for list and detail pages one after the other, as fast as answers come (no
pause unless --think), for --seconds, over a kept-alive connection of its own
(http.client: requests cost this process 1.9 ms of the shared CPU per page, against
0.6 ms). Dockside is a live server on loopback: one
Daphne, or `manage.py serve --workers N` (which needs REDIS_URL). With DATABASE_URL
(a PostgreSQL server whose user may create databases) the run gets a fresh database
there, dropped at the end; else SQLite in a temporary data directory. The engine holds
--containers labelled containers of this run (and whatever else it holds), removed at
the end. Besides latencies it prints the CPU time the server's processes, this load
generator and the local engine (dockerd, which shares the cores) spent per request.

    .venv/bin/python benchmarks/load.py [--users 50] [--seconds 60] [--workers 0]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import (
    BASE_IMAGE,
    docker_api,
    fresh_postgres,
    import_base_image,
    live_daphne,
    remove_leftovers,
    remove_run_objects,
    run_labels,
    run_name,
)


def pages(container: str, image: str) -> list[str]:
    return [
        "/containers/",
        "/containers/?all=1",
        f"/containers/{container}/",
        "/images/",
        f"/images/{image}/",
        "/volumes/",
        "/networks/",
        "/stacks/",
        "/events/",
        "/audit/",
    ]


def process_tree(root_pid: int) -> list[int]:
    """A process and its children (the workers)."""
    found, pids = [], [root_pid]
    while pids:
        pid = pids.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        found.append(pid)
        pids += [int(child) for child in children]
    return found


def rss_kib(root_pid: int) -> int:
    """The resident memory of the server's processes, in KiB."""
    total = 0
    for pid in process_tree(root_pid):
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
    return total


def cpu_seconds(root_pid: int) -> float:
    """The CPU time (user and system) the server's processes have used so far."""
    ticks = 0
    for pid in process_tree(root_pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class Browser:
    """One signed-in user's kept-alive connection, sending its session's cookies."""

    def __init__(self, url: str, session: requests.Session) -> None:
        self.address = urlsplit(url)
        self.headers = {
            "Cookie": "; ".join(f"{name}={value}" for name, value in session.cookies.items()),
            "Accept": "text/html",
        }
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.address.hostname, self.address.port, timeout=30)

    def get(self, path: str) -> int:
        """The answer's status, its body read to the end."""
        for attempt in (1, 2):
            try:
                self.connection.request("GET", path, headers=self.headers)
                answer = self.connection.getresponse()
                answer.read()
                if answer.will_close:
                    self.connection.close()
                return answer.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = self._connect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


def local_engine_pid() -> int | None:
    """dockerd's process, when it runs on this machine (its CPU shares the cores)."""
    try:
        return int(Path("/var/run/docker.pid").read_text())
    except (OSError, ValueError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=0, help="0: one plain Daphne")
    parser.add_argument("--think", type=float, default=0.0, help="pause between pages, s")
    parser.add_argument("--containers", type=int, default=20)
    args = parser.parse_args()

    api = docker_api()
    remove_leftovers(api)
    import_base_image(api)
    made = []
    for index in range(args.containers):
        made.append(
            api.create_container(
                BASE_IMAGE,
                command=["sleep", "3600"],
                name=run_name(f"load{index}"),
                labels=run_labels(),
                host_config=api.create_host_config(network_mode="none"),
            )["Id"]
        )
    for container in made[: args.containers // 2]:
        api.start(container)
    image = api.inspect_image(BASE_IMAGE)["Id"][7:19]
    engine_pid = local_engine_pid()
    extra = {key: os.environ[key] for key in ("DATABASE_URL", "REDIS_URL") if key in os.environ}
    database = fresh_postgres(extra["DATABASE_URL"]) if "DATABASE_URL" in extra else nullcontext("")
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    try:
        with (
            tempfile.TemporaryDirectory() as data_dir,
            database as database_url,
            live_daphne(
                Path(data_dir),
                {**extra, "DATABASE_URL": database_url} if database_url else extra,
                workers=args.workers,
            ) as server,
        ):
            browsers = [Browser(server.url, server.login()) for _ in range(args.users)]
            urls = pages(made[0][:12], image)
            start_line = threading.Barrier(args.users + 1)
            stop_at = [0.0]

            def user(browser: Browser, offset: int) -> None:
                mine, failed, index = [], [], offset
                start_line.wait()
                while time.monotonic() < stop_at[0]:
                    url = urls[index % len(urls)]
                    index += 1
                    began = time.monotonic()
                    try:
                        status = browser.get(url)
                        if status != 200:
                            failed.append(f"{status} {url}")
                    except (OSError, http.client.HTTPException) as exc:
                        failed.append(f"{type(exc).__name__} {url}")
                    mine.append(time.monotonic() - began)
                    if args.think:
                        time.sleep(args.think)
                with lock:
                    latencies.extend(mine)
                    errors.extend(failed)

            threads = [
                threading.Thread(target=user, args=(browser, index))
                for index, browser in enumerate(browsers)
            ]
            for thread in threads:
                thread.start()
            stop_at[0] = time.monotonic() + args.seconds
            server_cpu, own_cpu = cpu_seconds(server.process.pid), sum(os.times()[:2])
            engine_cpu = cpu_seconds(engine_pid) if engine_pid else 0.0
            start_line.wait()
            peak = 0
            while any(thread.is_alive() for thread in threads):
                peak = max(peak, rss_kib(server.process.pid))
                time.sleep(0.5)
            for browser in browsers:
                browser.close()
            server_cpu = cpu_seconds(server.process.pid) - server_cpu
            own_cpu = sum(os.times()[:2]) - own_cpu
            engine_cpu = cpu_seconds(engine_pid) - engine_cpu if engine_pid else 0.0
    finally:
        remove_run_objects(api)

    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if ordered else 0.0
    served = "one Daphne" if not args.workers else f"serve --workers {args.workers}"
    database = "PostgreSQL" if "DATABASE_URL" in extra else "SQLite"
    print(f"{args.users} users, {args.seconds:.0f} s, think {args.think} s, {served}, {database}")
    print("| users | requests/s | errors | p50 | p95 | server RSS (peak) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {args.users} | {len(latencies) / args.seconds:.1f} | {len(errors)}"
        f" | {statistics.median(ordered) * 1000:.0f} ms | {p95 * 1000:.0f} ms"
        f" | {peak / 1024:.0f} MiB |"
    )
    if latencies:
        print(
            f"CPU per request: server {server_cpu / len(latencies) * 1000:.1f} ms,"
            f" load generator {own_cpu / len(latencies) * 1000:.1f} ms"
            + (f", engine {engine_cpu / len(latencies) * 1000:.1f} ms" if engine_pid else "")
        )
    if errors:
        print("first errors:", errors[:5])


if __name__ == "__main__":
    main()
