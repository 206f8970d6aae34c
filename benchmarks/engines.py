"""Time Dockside's container list on a second engine (by its socket and over TLS) against
`docker --context NAME ps` on the same engine in the same run, and the local list beside.

A second dockerd of the run's own is started as the tests start it (its own namespace,
socket, data root, subnet and TLS port; tests/second_engine.py) with 20 of the run's
containers; the contexts are made in a throwaway DOCKER_CONFIG from the commands the
engines page shows. Everything goes at the end.

    .venv/bin/python benchmarks/engines.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import print_table, samples
from tests.second_engine import second_engine
from tests.support import (
    IDLE_COMMAND,
    docker_api,
    import_base_image,
    live_daphne,
    post,
    remove_leftovers,
    remove_run_objects,
    start_bench_container,
)

CONTAINERS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    api = docker_api()
    remove_leftovers(api)
    import_base_image(api)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "engine").mkdir()
        (folder / "cli").mkdir()
        try:
            with second_engine(folder / "engine") as engine:
                for n in range(CONTAINERS):
                    start_bench_container(engine.api, IDLE_COMMAND, f"e{n}-{uuid.uuid4().hex[:6]}")
                    start_bench_container(api, IDLE_COMMAND, f"l{n}-{uuid.uuid4().hex[:6]}")
                rows = measure(folder, engine, args.repeat)
                remove_run_objects(engine.api)
        finally:
            remove_run_objects(api)
    print(f"{CONTAINERS} running containers on each engine")
    print_table(rows, args.repeat)


def measure(folder: Path, engine, repeat: int) -> list:
    tls_dir = folder / "cli" / "tls"
    tls_dir.mkdir()
    for name, text in (("ca", engine.client.ca), ("cert", engine.client.cert)):
        (tls_dir / f"{name}.pem").write_text(text)
    (tls_dir / "key.pem").write_text(engine.client.key)
    env = {**os.environ, "DOCKER_CONFIG": str(folder / "cli")}

    def cli(*words: str):
        return lambda: subprocess.run(["docker", *words], env=env, check=True, capture_output=True)

    pems = ",".join(f"{part}={tls_dir}/{part}.pem" for part in ("ca", "cert", "key"))
    host = f"host={engine.tls_url},{pems}"
    cli("context", "create", "two-socket", "--docker", f"host={engine.socket_url}")()
    cli("context", "create", "two-tls", "--docker", host)()
    with live_daphne(folder / "data") as server:
        session = server.login()
        for name, url, tls in (
            ("two-socket", engine.socket_url, {}),
            (
                "two-tls",
                engine.tls_url,
                {"tls_ca": engine.client.ca, "tls_cert": engine.client.cert},
            ),
        ):
            form = {"name": name, "url": url, **tls}
            if tls:
                form["tls_key"] = engine.client.key
            added = post(session, f"{server.url}/engines/add/", form)
            assert added.url.endswith("/engines/"), added.url

        def page(path: str):
            return lambda: session.get(f"{server.url}{path}", timeout=60).raise_for_status()

        return [
            ("local list / docker ps", samples(page("/containers/"), repeat),
             samples(cli("ps"), repeat)),
            ("socket engine / --context ps", samples(page("/e/two-socket/containers/"), repeat),
             samples(cli("--context", "two-socket", "ps"), repeat)),
            ("TLS engine / --context ps", samples(page("/e/two-tls/containers/"), repeat),
             samples(cli("--context", "two-tls", "ps"), repeat)),
        ]  # fmt: skip


if __name__ == "__main__":
    main()
