"""Time Dockside's stack pages and a stack-wide restart against the Compose tool and the
docker CLI on the same engine in the same run.

A two-service stack (the run's own base image, a network and a volume, every object
labelled with this run) is saved and brought up through a live Daphne; the same file is
brought up by the Compose tool under another project name. Dockside's restart is the
form's POST until its run's page says done (polled every 50 ms); the tool's is
`restart` as a process. Everything is taken down at the end.

    .venv/bin/python benchmarks/stacks.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import os
import subprocess

import django

from benchmarks.timing import print_table, samples, until_ended
from tests.stack_files import two_services
from tests.support import (
    docker_api,
    import_base_image,
    live_daphne,
    post,
    remove_leftovers,
    remove_run_objects,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    django.setup()
    from stacks.tool import environment, find_tool  # the host's tool, found as Dockside does

    api = docker_api()
    remove_leftovers(api)
    import_base_image(api)
    tool = find_tool()
    text = two_services()
    ours, theirs = f"bench-{uuid.uuid4().hex[:8]}", f"bench-{uuid.uuid4().hex[:8]}"
    rows = []
    with tempfile.TemporaryDirectory() as data_dir:
        cli_dir = Path(data_dir) / "cli"
        cli_dir.mkdir()
        (cli_dir / "compose.yaml").write_text(text)

        def compose(*words: str) -> None:
            subprocess.run(
                [*tool.argv, "-p", theirs, *words], cwd=cli_dir, env=environment(),
                check=True, capture_output=True,
            )  # fmt: skip

        try:
            with live_daphne(Path(data_dir)) as server:
                session = server.login()

                def run(verb: str) -> None:
                    answer = post(session, f"{server.url}/stacks/{ours}/{verb}/", {})
                    assert "/runs/" in answer.url, answer.url
                    page = until_ended(session, answer.url, "run-progress")
                    assert 'state-running">done' in page, page[-2000:]

                saved = post(session, f"{server.url}/stacks/new/", {"name": ours, "compose": text})
                assert saved.url.endswith(f"/stacks/{ours}/"), saved.url
                run("up")
                compose("up", "-d")

                def page(path: str):
                    return lambda: session.get(f"{server.url}{path}", timeout=60).raise_for_status()

                def cli(*words: str):
                    return lambda: subprocess.run(
                        words, check=True, capture_output=True, env=environment()
                    )

                label = "label=com.docker.compose.project"
                rows.append(
                    (
                        "stacks list / docker ps",
                        samples(page("/stacks/"), args.repeat),
                        samples(cli("docker", "ps", "-a", "--filter", label), args.repeat),
                    )
                )
                rows.append(
                    (
                        "stack page / compose ps",
                        samples(page(f"/stacks/{ours}/"), args.repeat),
                        samples(lambda: compose("ps"), args.repeat),
                    )
                )
                rows.append(
                    (
                        "restart (2 services)",
                        samples(lambda: run("restart"), args.repeat),
                        samples(lambda: compose("restart"), args.repeat),
                    )
                )
                run("down")
        finally:
            subprocess.run(
                [*tool.argv, "-p", theirs, "down", "-v", "--timeout", "1"], cwd=cli_dir,
                env=environment(), capture_output=True, check=False,
            )  # fmt: skip
            remove_run_objects(api)
    print(f"Compose tool: {tool.name} {tool.version}")
    print_table(rows, args.repeat)


if __name__ == "__main__":
    main()
