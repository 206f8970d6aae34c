"""`manage.py serve --workers N`: several Daphne processes behind one address.

The command binds the listening socket itself and hands it to each worker (`daphne
--fd`): the kernel gives each new connection to one of them. A worker that dies is
started again; SIGTERM or SIGINT stops them all. Several workers share what a
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
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

RESTART_PAUSE = 1.0  # seconds before a dead worker is started again


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
        listener.set_inheritable(True)
        fd = listener.fileno()
        argv = [sys.executable, "-m", "daphne", "--fd", str(fd), "dashboard.asgi:application"]

        env = dict(os.environ)
        if workers > 1:  # /metrics adds up every worker's (prometheus_client multiprocess)
            metrics_dir = Path(settings.DATA_DIR) / "prometheus"
            shutil.rmtree(metrics_dir, ignore_errors=True)
            metrics_dir.mkdir(mode=0o700, parents=True)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)

        def spawn() -> subprocess.Popen:
            return subprocess.Popen(argv, pass_fds=(fd,), env=env)

        running = [spawn() for _ in range(workers)]
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"Dockside on http://{bind}:{port}/ with {workers} worker(s)")
        try:
            while not stopping:
                for index, process in enumerate(running):
                    if process.poll() is not None and not stopping:
                        self.stderr.write(
                            f"worker {process.pid} exited ({process.returncode}); starting another"
                        )
                        time.sleep(RESTART_PAUSE)
                        running[index] = spawn()
                time.sleep(0.2)
        finally:
            for process in running:
                process.terminate()
            for process in running:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
            listener.close()
