"""`manage.py serve`'s side of the hand-off: it accepts each connection on the one
address and hands it to the worker holding the fewest open connections.

Workers that all wait on one shared listening socket share connections by chance: one
wakes first and takes a batch, and a browser keeps its connection for many pages, so
one worker ends up with half as many again as another and its pages wait longer (with
50 users on two workers, 29 against 21). Handing each connection to the least busy
worker keeps them even. The worker's side is dashboard/handoff_worker.py.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from dashboard.handoff_worker import CLOSED, READY, SCHEME


@dataclass
class Worker:
    process: subprocess.Popen
    control: socket.socket  # serve's end of the pair
    open: int = 0  # connections handed to it and not yet closed
    ready: bool = False  # it has said its server runs
    alive: bool = True

    @property
    def usable(self) -> bool:
        return self.ready and self.alive


def start_worker(env: dict) -> Worker:
    """A Daphne worker (dashboard/handoff_worker.py) and serve's end of the pair with it."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setblocking(False)
    with theirs:
        theirs.set_inheritable(True)
        argv = [sys.executable, "-m", "dashboard.handoff_worker"]
        argv += ["-e", f"{SCHEME}{theirs.fileno()}", "dashboard.asgi:application"]
        process = subprocess.Popen(argv, pass_fds=(theirs.fileno(),), env=env)
    return Worker(process, ours)


class Balancer:
    """Accepts on `listener` and hands each connection to the least busy live worker of
    `count`, started with `env`; a worker that exits is started again."""

    def __init__(self, listener: socket.socket, env: dict, count: int) -> None:
        self.listener = listener
        self.env = env
        self.family = b"6" if listener.family == socket.AF_INET6 else b"4"
        self.selector = selectors.DefaultSelector()
        listener.setblocking(False)
        self.listening = False
        self.workers = [self._started(slot) for slot in range(count)]
        self._restart_at: dict[int, float] = {}  # slot -> when its exited worker is replaced

    def _started(self, slot: int) -> Worker:
        worker = start_worker(self.env)
        self.selector.register(worker.control, selectors.EVENT_READ, slot)
        return worker

    def replace_exited(self, pause: float, report: Callable[[str], None]) -> None:
        """Start again, `pause` seconds after it exited, each worker that has exited."""
        for slot, worker in enumerate(self.workers):
            if worker.process.poll() is None:
                continue
            if slot not in self._restart_at:
                report(
                    f"worker {worker.process.pid} exited ({worker.process.returncode});"
                    " starting another"
                )
                worker.alive = False
                self._restart_at[slot] = time.monotonic() + pause
            elif time.monotonic() >= self._restart_at[slot]:
                del self._restart_at[slot]
                with contextlib.suppress(KeyError, ValueError):
                    self.selector.unregister(worker.control)
                worker.control.close()
                self.workers[slot] = self._started(slot)

    def serve_once(self, timeout: float) -> None:
        """Accept and hand off what has arrived, and count closes, for up to `timeout`.
        While no worker is ready, connections wait in the listening socket's queue."""
        self._listen(any(worker.usable for worker in self.workers))
        arrived = False
        for key, _ in self.selector.select(timeout):  # closes first: they change the choice
            if key.fileobj is self.listener:
                arrived = True
            else:
                self._read(self.workers[key.data])
        if arrived:
            self._accept_all()

    def _listen(self, on: bool) -> None:
        if on != self.listening:
            if on:
                self.selector.register(self.listener, selectors.EVENT_READ)
            else:
                self.selector.unregister(self.listener)
            self.listening = on

    def _accept_all(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # none waiting, the client left already, or out of files
                return
            with connection:
                self._hand_off(connection)

    def _hand_off(self, connection: socket.socket) -> None:
        for worker in sorted((w for w in self.workers if w.usable), key=lambda w: w.open):
            try:
                socket.send_fds(worker.control, [self.family], [connection.fileno()])
            except BlockingIOError:  # that worker is not reading its socket: try the next
                continue
            except OSError:  # that worker is gone: the process check restarts it
                worker.alive = False
                continue
            worker.open += 1
            return

    def _read(self, worker: Worker) -> None:
        """What a worker says: that it is ready, or that a connection closed."""
        while True:
            try:
                message = worker.control.recv(16)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                message = b""
            if message == READY:
                worker.ready = True
                continue
            if message != CLOSED:  # its worker has gone: the process check restarts it
                worker.alive = False
                with contextlib.suppress(KeyError, ValueError):
                    self.selector.unregister(worker.control)
                return
            worker.open = max(0, worker.open - 1)

    def close(self, patience: float = 10) -> None:
        """Stop the workers (killed after `patience` seconds) and let go of their pairs."""
        for worker in self.workers:
            worker.process.terminate()
        for worker in self.workers:
            try:
                worker.process.wait(timeout=patience)
            except subprocess.TimeoutExpired:
                worker.process.kill()
            worker.control.close()
        self.selector.close()
