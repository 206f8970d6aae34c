"""Requests run their synchronous code on pooled threads (dashboard/request_threads.py):
one after another, they run on one thread; a thread still busy with a request whose
client left is not lent to the next one; pages take turns, a few at a time per engine;
a page goes out whole with its headers and cookies, a download stops when its client goes."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from django.core.signals import request_finished

from containers_app.views.streaming import streamed
from dashboard.asgi import django_asgi_app
from dashboard.request_threads import (
    PooledThreadsASGIHandler,
    RequestThreads,
    Turns,
    engine_of,
    path_info,
)


async def get(path: str) -> int:
    """Ask the ASGI application for `path` as a server would: the status it answers."""
    return (await exchange(path))[0]["status"]


async def exchange(path: str, root_path: str = "") -> list[dict]:
    """Ask the ASGI application for `path` as a server would: the messages it sends."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": root_path,
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    pending = [{"type": "http.request", "body": b"", "more_body": False}]
    finished = asyncio.Event()
    sent = []

    async def receive():
        if pending:
            return pending.pop()
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await django_asgi_app(scope, receive, send)
    finished.set()
    return sent


@pytest.mark.django_db(transaction=True)
async def test_a_page_goes_out_whole_with_its_headers_and_cookies():
    start, body = await exchange("/accounts/login/")
    assert start["type"] == "http.response.start" and start["status"] == 200
    headers = dict(start["headers"])
    assert headers[b"Content-Type"] == b"text/html; charset=utf-8"
    assert b"csrftoken=" in headers[b"Set-Cookie"]
    assert body["type"] == "http.response.body" and not body.get("more_body")
    assert len(body["body"]) == int(headers[b"Content-Length"])
    assert b'name="csrfmiddlewaretoken"' in body["body"]


@pytest.mark.django_db(transaction=True)
async def test_links_keep_the_prefix_dockside_is_served_under():
    start, body = await exchange("/dockside/accounts/login/", root_path="/dockside")
    assert start["status"] == 200
    assert b'action="/dockside/accounts/login/' in body["body"]


def test_the_path_django_sees_is_the_path_past_the_prefix():
    assert path_info({"path": "/dockside/e/two/containers/", "root_path": "/dockside"}) == (
        "/e/two/containers/"
    )
    assert path_info({"path": "/containers/", "root_path": ""}) == "/containers/"


@pytest.mark.django_db(transaction=True)  # closing it sends request_finished
async def test_a_download_stops_and_closes_its_source_when_its_client_goes():
    class Endless:
        closed = threading.Event()

        def __iter__(self):
            return self

        def __next__(self) -> bytes:
            return b"line\n"

        def close(self) -> None:
            self.closed.set()

    source = Endless()
    blocks = []
    gone = asyncio.Event()

    async def receive():
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.body":
            blocks.append(message["body"])
            if len(blocks) == 3:
                gone.set()

    handler = PooledThreadsASGIHandler()
    await asyncio.wait_for(handler._stream(streamed(source, "text/plain"), receive, send), 5)
    assert source.closed.is_set()
    assert 3 <= len(blocks) < 100


@pytest.mark.django_db(transaction=True)
async def test_requests_one_after_another_run_on_one_thread():
    ran_on = []

    def finished(**_):  # sent from the request's thread, as its response closes
        ran_on.append(threading.current_thread())

    request_finished.connect(finished)
    try:
        for _ in range(20):
            assert await get("/accounts/login/") == 200
    finally:
        request_finished.disconnect(finished)

    assert len(ran_on) == 20 and len(set(ran_on)) == 1


def test_a_busy_thread_is_lent_again_only_once_its_work_is_done():
    threads = RequestThreads(keep=4)
    first = threads.borrow()
    release = threading.Event()
    first.submit(release.wait)  # a request's code still running after its client left

    threads.give_back(first)
    assert threads.borrow() is not first

    release.set()
    deadline = time.monotonic() + 5
    while threads.idle == 0:
        assert time.monotonic() < deadline, "the executor never came back"
        time.sleep(0.01)
    assert threads.borrow() is first


def test_the_pool_keeps_no_more_than_it_may():
    threads = RequestThreads(keep=2)
    lent = [threads.borrow() for _ in range(4)]
    for executor in lent:
        executor.submit(lambda: None).result(timeout=5)
        threads.give_back(executor)
    assert threads.idle == 2
    assert [executor._shutdown for executor in lent] == [False, False, True, True]


async def test_turns_let_a_few_at_a_time_per_engine_in_order_of_arrival():
    turns = Turns(limit=2)
    inside: list[str] = []
    most = {"local": 0, "two": 0}
    order: list[int] = []
    go = asyncio.Event()

    async def page(engine: str, number: int) -> None:
        async with turns.turn(engine):
            order.append(number)
            inside.append(engine)
            most[engine] = max(most[engine], inside.count(engine))
            await go.wait()
            inside.remove(engine)

    local = [asyncio.create_task(page("local", number)) for number in range(6)]
    other = asyncio.create_task(page("two", 99))
    while len(order) < 3:
        await asyncio.sleep(0)
    assert sorted(order) == [0, 1, 99]  # the other engine's page did not wait its turn
    go.set()
    await asyncio.gather(*local, other)

    assert most == {"local": 2, "two": 1}
    assert [number for number in order if number != 99] == [0, 1, 2, 3, 4, 5]
    assert len(turns) == 0  # nothing kept for engines nobody asks for now


def test_the_engine_of_a_path():
    assert engine_of("/containers/") == "local"
    assert engine_of("/e/build-box/containers/abc/") == "build-box"
    assert engine_of("/e/../containers/") == "local"


async def test_a_page_waits_for_its_turn_only_so_long():
    turns = Turns(limit=1, patience=0.1)
    stuck = asyncio.Event()  # a page held up by an engine that hangs
    release = asyncio.Event()

    async def hung() -> None:
        async with turns.turn("local"):
            stuck.set()
            await release.wait()

    holder = asyncio.create_task(hung())
    await stuck.wait()
    began = time.monotonic()
    async with turns.turn("local"):  # the audit log, say: it needs no engine
        waited = time.monotonic() - began
    assert 0.1 <= waited < 1

    release.set()
    await holder
    assert len(turns) == 0
    began = time.monotonic()
    async with turns.turn("local"):  # the turn the hung page held is free again
        assert time.monotonic() - began < 0.05
