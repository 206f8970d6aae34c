"""`manage.py serve --workers N` accepts each connection itself and hands it to the
worker holding the fewest open connections (dashboard/balancer.py,
dashboard/handoff_worker.py): connections stay even, a worker that closes some gets the
next ones, websockets and client addresses survive the hand-off, and a worker that dies
is replaced while the others go on answering.

Several workers need Redis (DOCKSIDE_TEST_REDIS_URL; .ci/run starts it)."""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import websockets

from tests import support


@pytest.fixture
def served(tmp_path):
    """Dockside under `serve --workers 2` on SQLite and the test Redis."""
    _, redis = support.backend_urls()
    with support.live_daphne(tmp_path, {"REDIS_URL": redis}, workers=2) as server:
        yield server


def workers_of(server: support.LiveServer) -> list[int]:
    pid = server.process.pid
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def server_sockets(server: support.LiveServer, client_port: int) -> dict[str, str]:
    """The server's ends of connections from `client_port`: their inode -> TCP state
    (01 established, 08 waiting for the server to close)."""
    server_port = urlsplit(server.url).port
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state = fields[1], fields[2], fields[3]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == (
            client_port
        ):
            found[fields[9]] = state
    return found


def holder(server: support.LiveServer, connection: http.client.HTTPConnection) -> int:
    """The worker holding the server's end of a connection (found through /proc)."""
    client_port = connection.sock.getsockname()[1]
    inodes = [
        inode for inode, state in server_sockets(server, client_port).items() if state == "01"
    ]
    assert inodes, f"no server socket for client port {client_port}"
    for pid in workers_of(server):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inodes[0]}]":
                    return pid
            except OSError:
                continue
    raise AssertionError(f"no worker holds the connection from port {client_port}")


def opened(server: support.LiveServer, count: int) -> list[http.client.HTTPConnection]:
    """`count` kept-alive connections, each having had one answer."""
    address = urlsplit(server.url)
    connections = []
    for _ in range(count):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.request("GET", "/healthz")
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
        connections.append(connection)
    return connections


def wait_until(condition, what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.05)


def test_connections_go_to_the_worker_holding_fewest(served):
    first = opened(served, 6)
    held = Counter(holder(served, connection) for connection in first)
    assert sorted(held.values()) == [3, 3], held

    busy = next(iter(held))
    leaving = [c for c in first if holder(served, c) == busy]
    ports = [c.sock.getsockname()[1] for c in leaving]
    for connection in leaving:
        connection.close()
    wait_until(
        lambda: (
            not any(
                state in ("01", "08")
                for port in ports
                for state in server_sockets(served, port).values()
            )
        ),
        "the worker has closed its ends of the connections that left",
    )

    again = opened(served, 3)
    assert [holder(served, connection) for connection in again] == [busy] * 3


def test_websockets_and_client_addresses_survive_the_hand_off(served):
    session = served.login()
    audit = session.get(f"{served.url}/audit/", timeout=10).text
    assert '<span class="muted mono">127.0.0.1</span>' in audit, "the sign-in's source address"

    async def first_message() -> str:
        async with websockets.connect(
            f"ws://{urlsplit(served.url).netloc}/ws/events/?page=events",
            origin=served.url,
            additional_headers={"Cookie": f"sessionid={session.cookies['sessionid']}"},
        ) as socket:
            return await asyncio.wait_for(socket.recv(), 10)

    assert "live-state" in asyncio.run(first_message())


def test_a_worker_that_dies_is_replaced_while_the_other_answers(served):
    victim, survivor = workers_of(served)
    os.kill(victim, signal.SIGKILL)
    wait_until(lambda: victim not in workers_of(served), "serve has seen its worker die")

    meanwhile = opened(served, 4)
    assert {holder(served, connection) for connection in meanwhile} == {survivor}

    wait_until(lambda: len(workers_of(served)) == 2, "a new worker has been started")
    (replacement,) = set(workers_of(served)) - {survivor}
    wait_until(
        lambda: holder(served, opened(served, 1)[0]) == replacement,
        "the new worker, holding fewest, gets the next connection",
        seconds=30,
    )


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_stop_when_serve_is_killed(served):
    workers = workers_of(served)
    assert len(workers) == 2 and all(running(pid) for pid in workers)

    served.process.kill()
    served.process.wait(10)

    wait_until(lambda: not any(running(pid) for pid in workers), "its workers have stopped")
