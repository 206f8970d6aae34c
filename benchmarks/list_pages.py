"""Time /containers/?all=1 against `docker ps -a` at 100, 500 and 1,000 containers.

Both run in the same process tree on the same engine in the same run: Dockside
is a live Daphne on loopback fetched by an authenticated HTTP client (full
HTML), the CLI is `docker ps -a` run as a process. The containers run `true`
and exit at once (so both list exited containers), carry this run's label
(tests/support.py: RUN_ID), and only they are removed at the end.

    .venv/bin/python benchmarks/list_pages.py [--sizes 100,500,1000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import (
    docker_api,
    import_base_image,
    live_daphne,
    remove_leftovers,
    remove_run_objects,
    start_bench_container,
)


def median_seconds(action, repeat: int) -> float:
    action()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def grow_to(api, count: int, have: int) -> None:
    def create(index: int) -> None:
        start_bench_container(api, ["true"], str(index))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(create, range(have, count)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    api = docker_api()
    remove_leftovers(api)
    import_base_image(api)
    before = len(api.containers(all=True))  # the page lists them all, like docker ps -a
    rows = []
    try:
        with tempfile.TemporaryDirectory() as data_dir, live_daphne(Path(data_dir)) as server:
            session = server.login()
            page_url = f"{server.url}/containers/?all=1"
            have = 0
            for size in sizes:
                grow_to(api, size, have)
                have = size
                total = before + size

                def fetch_page(session=session, page_url=page_url) -> None:
                    response = session.get(page_url, timeout=60)
                    response.raise_for_status()

                def run_cli() -> None:
                    subprocess.run(["docker", "ps", "-a"], check=True, stdout=subprocess.DEVNULL)

                page = median_seconds(fetch_page, args.repeat)
                cli = median_seconds(run_cli, args.repeat)
                rows.append((total, page, cli))
    finally:
        remove_run_objects(api)  # this run's containers and base image, nobody else's

    print(
        f"{'containers':>10} | {'Dockside /containers/?all=1':>28} | {'docker ps -a':>12} | ratio"
    )
    print(f"{'-' * 10}-|-{'-' * 28}-|-{'-' * 12}-|------")
    for total, page, cli in rows:
        print(f"{total:>10} | {page * 1000:>25.1f} ms | {cli * 1000:>9.1f} ms | {page / cli:.2f}")
    print(f"median of {args.repeat} runs each; ratio = Dockside / CLI (<= 1.0: Dockside is faster)")


if __name__ == "__main__":
    main()
