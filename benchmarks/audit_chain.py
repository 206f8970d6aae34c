"""What the audit log's hash chain costs: sealing per action, and checking the whole log.

In a fresh SQLite data directory (as `make run` keeps it), the same entries are
written as Dockside writes them (pending, then finished and sealed) and, for
comparison, finished without the chain (one UPDATE, as before it). Beside them,
in the same run, what an action itself costs: `docker container inspect` of this
run's own container (labelled, removed at the end), the cheapest engine call an
action makes, run as the CLI. Then `verify_audit`'s walk over everything written.

    .venv/bin/python benchmarks/audit_chain.py [--entries 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import (
    docker_api,
    import_base_image,
    remove_leftovers,
    remove_run_objects,
    start_bench_container,
)


def setup(data_dir: str) -> None:
    os.environ["DOCKSIDE_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def per_entry_ms(write, count: int) -> float:
    start = time.perf_counter()
    for number in range(count):
        write(number)
    return (time.perf_counter() - start) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup(tempfile.mkdtemp(prefix="dockside-chain-"))

    from django.utils import timezone

    from audit.actors import Actor
    from audit.models import AuditEntry
    from audit.verify import check_chain

    actor = Actor(None, "127.0.0.1")
    fields = {
        "target_kind": "container",
        "target_name": "web",
        "parameters": {"container": "web", "timeout": 10, "env": [["A", "b"]]},
        "command": "docker stop -t 10 web",
    }

    def sealed(_):
        AuditEntry.begin(actor, "stop", **fields).finish(AuditEntry.Outcome.SUCCEEDED)

    def unsealed(_):
        entry = AuditEntry.begin(actor, "stop", **fields)
        now = timezone.now()
        AuditEntry.objects.filter(pk=entry.pk).update(
            finished_at=now, duration=now - entry.started_at, outcome="succeeded"
        )

    api = docker_api()
    remove_leftovers(api)
    import_base_image(api)
    try:
        container = start_bench_container(api, ["sleep", "600"], "audit-chain")
        rows, inspect_ms = [], []
        for _ in range(args.repeat):
            rows.append((per_entry_ms(sealed, args.entries), per_entry_ms(unsealed, args.entries)))
            start = time.perf_counter()
            subprocess.run(["docker", "container", "inspect", container], capture_output=True)
            inspect_ms.append((time.perf_counter() - start) * 1000)
    finally:
        remove_run_objects(api)  # this run's container and base image, nobody else's
    start = time.perf_counter()
    result = check_chain()
    walk = time.perf_counter() - start
    assert result.ok, result.problem

    def spread(values) -> str:
        return f"{statistics.median(values):.2f} ms ({min(values):.2f} to {max(values):.2f})"

    print(f"{args.repeat} runs of {args.entries} entries each, SQLite file, WAL")
    print(f"finish, sealed into the chain : {spread([r[0] for r in rows])} per entry")
    print(f"finish, without the chain     : {spread([r[1] for r in rows])} per entry")
    print(f"docker container inspect (CLI): {spread(inspect_ms)}")
    print(f"verify_audit over {result.entries} entries: {walk:.2f} s")


if __name__ == "__main__":
    main()
