"""A Daphne worker that serves the connections `manage.py serve` hands it, instead of
accepting them itself.

    python -m dashboard.handoff_worker -e handoff:fileno=N [options] dashboard.asgi:application

All of Daphne's options apply; an endpoint `handoff:fileno=N` names the worker's end of a
SOCK_SEQPACKET socket pair with `serve` (dashboard/balancer.py). Each message from serve
is one byte, `4` or `6` (the address family), carrying one accepted connection's file
descriptor; the worker serves it as if it had accepted it. The worker says `r` once its
server runs (serve hands a worker nothing before) and `x` each time a connection closes,
so serve knows how many each worker holds. When serve goes away, the worker stops.
"""

from __future__ import annotations

import contextlib
import os
import socket

from daphne.cli import CommandLineInterface
from daphne.server import Server  # installs Twisted's asyncio reactor: import it first
from twisted.internet import reactor
from twisted.internet.interfaces import IReadDescriptor
from zope.interface import implementer

SCHEME = "handoff:fileno="
FAMILIES = {b"4": socket.AF_INET, b"6": socket.AF_INET6}
CLOSED = b"x"  # sent back to serve for each connection that closes
READY = b"r"  # sent to serve once the server runs


@implementer(IReadDescriptor)
class Handoff:
    """The worker's end of the pair with serve, read by Twisted's reactor."""

    def __init__(self, control: socket.socket, factory) -> None:
        self.control = control
        self.factory = factory

    def fileno(self) -> int:
        return self.control.fileno()

    def logPrefix(self) -> str:
        return "handoff"

    def doRead(self) -> None:
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self.control, 16, 1)
            except BlockingIOError:
                return None
            except OSError:
                message, fds = b"", []
            if not message:  # serve has gone: so does its worker
                reactor.removeReader(self)
                reactor.stop()
                return None
            for fd in fds:
                self._adopt(fd, FAMILIES.get(message[:1], socket.AF_INET))

    def _adopt(self, fd: int, family: int) -> None:
        try:
            os.set_blocking(fd, False)
            transport = reactor.adoptStreamConnection(fd, family, self.factory)
        except OSError:  # the client left before its turn came
            transport = None
        finally:
            os.close(fd)  # Twisted keeps a duplicate of its own
        if transport is None:
            self._report_closed()
            return
        lost = transport.connectionLost

        def connection_lost(reason) -> None:
            try:
                lost(reason)
            finally:
                self._report_closed()

        transport.connectionLost = connection_lost

    def _report_closed(self) -> None:
        with contextlib.suppress(OSError):
            self.control.send(CLOSED)

    def connectionLost(self, reason) -> None:
        self.control.close()


class HandoffServer(Server):
    """Daphne's server, whose `handoff:` endpoints are pairs with serve, not listeners."""

    def run(self) -> None:
        handoffs = [e for e in self.endpoints if str(e).startswith(SCHEME)]
        self.endpoints = [e for e in self.endpoints if e not in handoffs]
        for endpoint in handoffs:
            control = socket.socket(fileno=int(str(endpoint).removeprefix(SCHEME)))
            control.setblocking(False)
            reactor.callWhenRunning(self._receive, control)
        super().run()

    def _receive(self, control: socket.socket) -> None:
        reactor.addReader(Handoff(control, self.http_factory))
        control.send(READY)


class HandoffCommandLine(CommandLineInterface):
    server_class = HandoffServer


if __name__ == "__main__":
    HandoffCommandLine.entrypoint()
