"""Time Dockside's build, save and layers pages against `docker build`, `docker save` and
`docker history` on the same engine in the same run.

Dockside is a live Daphne on loopback driven by an authenticated HTTP client: a build is
the form's POST until its page says "built" (polled every 50 ms, as no browser would be
faster), a save is the whole tar downloaded, the layers page is its full HTML. The CLI runs
as a process (`DOCKER_BUILDKIT=0`: the classic builder, as Dockside's /build uses). Every
image made carries this run's label and is removed at the end.

    .venv/bin/python benchmarks/images.py [--repeat 7] [--blob-mb 64]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import print_table, samples, until_ended
from tests.support import (
    BASE_IMAGE,
    IMAGE_LABEL,
    RUN_ID,
    docker_api,
    import_base_image,
    live_daphne,
    post,
    remove_leftovers,
    remove_run_objects,
)

LABEL = f"{IMAGE_LABEL}={RUN_ID}"
CLI_ENV = {**os.environ, "DOCKER_BUILDKIT": "0"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--blob-mb", type=int, default=64)
    args = parser.parse_args()

    api = docker_api()
    remove_leftovers(api)
    import_base_image(api)
    big = f"dockside-bench/blob-{uuid.uuid4().hex[:8]}:1"
    blob = f"FROM {BASE_IMAGE}\nRUN head -c {args.blob_mb * 1024 * 1024} /dev/urandom > /blob\n"
    for _ in api.build(
        fileobj=io.BytesIO(blob.encode()),
        tag=big,
        labels={IMAGE_LABEL: RUN_ID},
        network_mode="none",
        rm=True,
    ):
        pass
    dockerfile = f'FROM {BASE_IMAGE}\nARG NONCE\nRUN echo $NONCE > /nonce\nCMD ["cat", "/nonce"]\n'
    rows = []
    try:
        with tempfile.TemporaryDirectory() as data_dir, live_daphne(Path(data_dir)) as server:
            session = server.login()

            def dockside_build() -> None:
                answer = post(
                    session,
                    f"{server.url}/images/build/",
                    {
                        "source": "dockerfile",
                        "dockerfile": dockerfile,
                        "tags": f"dockside-bench/ours:{uuid.uuid4().hex[:8]}",
                        "build_args": f"NONCE={uuid.uuid4().hex}",
                        "labels": LABEL,
                        "network": "none",
                    },
                )
                assert "/images/build/" in answer.url, answer.url
                page = until_ended(session, answer.url, "build-progress")
                assert re.search(r'state-running">built', page), page[-2000:]

            context = Path(data_dir) / "context"
            context.mkdir()
            (context / "Dockerfile").write_text(dockerfile)

            def cli_build() -> None:
                subprocess.run(
                    ["docker", "build", "-t", f"dockside-bench/theirs:{uuid.uuid4().hex[:8]}",
                     "--build-arg", f"NONCE={uuid.uuid4().hex}", "--label", LABEL,
                     "--network", "none", "."],
                    cwd=context, env=CLI_ENV, check=True, capture_output=True,
                )  # fmt: skip

            def dockside_save() -> None:
                answer = post(session, f"{server.url}/images/save/", {"images": big}, stream=True)
                answer.raise_for_status()
                for _ in answer.iter_content(256 * 1024):
                    pass

            def cli_save() -> None:
                with open(os.devnull, "wb") as sink:
                    subprocess.run(["docker", "save", big], stdout=sink, check=True)

            image_id = api.inspect_image(big)["Id"][7:19]

            def dockside_layers() -> None:
                session.get(
                    f"{server.url}/images/{image_id}/layers/", timeout=60
                ).raise_for_status()

            def cli_history() -> None:
                subprocess.run(["docker", "history", big], check=True, stdout=subprocess.DEVNULL)

            rows.append(
                (
                    "build (classic builder, 1 RUN)",
                    samples(dockside_build, args.repeat),
                    samples(cli_build, args.repeat),
                )
            )
            rows.append(
                (
                    f"save {args.blob_mb} MiB image",
                    samples(dockside_save, args.repeat),
                    samples(cli_save, args.repeat),
                )
            )
            rows.append(
                (
                    "layers page / docker history",
                    samples(dockside_layers, args.repeat),
                    samples(cli_history, args.repeat),
                )
            )
    finally:
        remove_run_objects(api)

    print_table(rows, args.repeat)


if __name__ == "__main__":
    main()
