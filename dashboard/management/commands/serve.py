"""`manage.py serve --workers N`: several Daphne processes behind one address.

The command binds the listening socket and accepts on it itself; each connection goes to
the worker that holds the fewest open ones (dashboard/balancer.py), which serves it as
Daphne would (dashboard/handoff_worker.py). A worker that dies is started again;
SIGTERM or SIGINT stops them all. Several workers share what a
Dockside must share through the database (sessions, the audit log, recorded events,
jobs) and Redis (REDIS_URL: sign-outs and role changes reach every worker's
websockets), so more than one needs REDIS_URL; each worker keeps its own engine
streams (one per container or events feed, per process).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dashboard.balancer import Balancer

RESTART_PAUSE = 1.0  # seconds before a dead worker is started again
CHECK_EVERY = 0.2  # seconds between looks at the workers' processes


class Command(BaseCommand):
    help = "Serve Dockside with several Daphne worker processes on one address."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, bind: str, port: int, workers: int, **options) -> None:
        if workers < 1:
            raise CommandError("--workers is 1 or more")
        if workers > 1 and not settings.REDIS_URL:
            raise CommandError(
                "several workers need REDIS_URL: without it a sign-out in one worker would"
                " not close the websockets another serves"
            )
        family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((bind, port))
        listener.listen(1024)
        env = dict(os.environ)
        if workers > 1:  # /metrics adds up every worker's (prometheus_client multiprocess)
            metrics_dir = Path(settings.DATA_DIR) / "prometheus"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(mode=0o700, parents=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
            # Each worker takes its pages one at a time, first come first served, while
            # the others fill the cores: p95 288-314 against 335-386 ms (README, Load).
            env.setdefault("DOCKSIDE_PAGES_AT_ONCE", "1")

        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        balancer = Balancer(listener, env, workers)
        self.stdout.write(f"Dockside on http://{bind}:{port}/ with {workers} worker(s)")
        try:
            while not stopping:
                balancer.serve_once(CHECK_EVERY)
                if not stopping:
                    balancer.replace_exited(RESTART_PAUSE, self.stderr.write)
        finally:
            balancer.close()
            listener.close()
