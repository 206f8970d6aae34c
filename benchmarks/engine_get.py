"""The CPU one engine GET costs Dockside: docker-py's path through requests against the
fast path (containers_app/docker_service/fast_get.py), with the docker CLI's wall time
for the same question beside them.

The engine holds --containers of this run's containers (exited, labelled, removed at
the end). Each call is timed in CPU seconds of this process (what it takes from the
pages a server renders beside it) and in wall time.

    .venv/bin/python benchmarks/engine_get.py [--calls 500] [--containers 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import docker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from containers_app.docker_service.fast_get import FastGetAPIClient
from tests.support import (
    BASE_IMAGE,
    RUN_LABEL,
    docker_api,
    import_base_image,
    remove_leftovers,
    remove_run_objects,
    start_bench_container,
)


def per_call(action, calls: int) -> tuple[float, float]:
    """CPU and wall milliseconds per call, after a warm-up."""
    action()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(calls):
        action()
    return (
        (time.process_time() - cpu) / calls * 1000,
        (time.perf_counter() - wall) / calls * 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--containers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    api = docker_api()
    remove_leftovers(api)
    import_base_image(api)
    try:
        for index in range(args.containers):
            start_bench_container(api, ["true"], f"get{index}")
        mine = {"label": RUN_LABEL}
        clients = {"docker-py": docker.APIClient(version="auto"), "fast": FastGetAPIClient()}
        clients["fast"]._version = clients["docker-py"]._version
        for client in clients.values():
            client.trust_env = False
        questions = {
            "containers (docker ps -a)": (
                lambda client: client.containers(all=True, filters=mine),
                ["docker", "ps", "-a", "--filter", f"label={RUN_LABEL}"],
            ),
            "image inspect": (
                lambda client: client.inspect_image(BASE_IMAGE),
                ["docker", "image", "inspect", BASE_IMAGE],
            ),
            "volumes (docker volume ls)": (
                lambda client: client.volumes(),
                ["docker", "volume", "ls"],
            ),
        }
        print(
            f"{'question':<28} | {'docker-py CPU':>14} | {'fast CPU':>14}"
            f" | {'fast wall':>10} | {'docker CLI wall':>15}"
        )
        print(f"{'-' * 28}-|-{'-' * 14}-|-{'-' * 14}-|-{'-' * 10}-|-{'-' * 15}")
        for question, (ask, command) in questions.items():
            found = {name: [] for name in clients}
            walls = []
            for _ in range(args.rounds):
                for name, client in clients.items():
                    cpu, wall = per_call(lambda client=client, ask=ask: ask(client), args.calls)
                    found[name].append(cpu)
                    if name == "fast":
                        walls.append(wall)
            cli = []
            for _ in range(5):
                began = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                cli.append((time.perf_counter() - began) * 1000)
            print(
                f"{question:<28} | {statistics.median(found['docker-py']):11.3f} ms"
                f" | {statistics.median(found['fast']):11.3f} ms"
                f" | {statistics.median(walls):7.2f} ms | {statistics.median(cli):12.1f} ms"
            )
        print(
            f"median of {args.rounds} rounds of {args.calls} calls; the CLI's over 5 runs"
            " (a process start each)"
        )
    finally:
        remove_run_objects(api)


if __name__ == "__main__":
    main()
