"""Django's ASGI handler, with the thread each request's synchronous code runs on kept
for later requests instead of made and joined per request, and pages taking turns.

Under ASGI, Django runs a request's middleware, view and database calls on a thread of
the request's own (asgiref's ThreadSensitiveContext). By default that is a new thread,
started from the event loop and joined by yet another new thread at the end: two thread
starts per request, each making the event loop wait for the new thread to get the
interpreter, and no database connection outlives its request. Here a request borrows a
one-thread executor from a pool and gives it back when the request is over; the pool
keeps as many as were busy at once, up to KEEP, and lets the rest go. (Measured in
README's Load section.)

A request whose client went away may leave its synchronous code still running (Python
cannot stop a thread); its executor returns to the pool only once that code has finished,
so no later request waits behind it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
import weakref
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.urls import set_script_prefix

from containers_app.docker_service import LOCAL
from engines.paths import PREFIX

KEEP = 64
PATIENCE = 2.0  # seconds a page waits for its turn at most


class RequestExecutor(ThreadPoolExecutor):
    """One thread, and how many calls given to it have not finished yet."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="request")
        self._counting = threading.Lock()
        self.unfinished = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with self._counting:
            self.unfinished += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._finished)  # before asyncio hears of it
        return future

    def _finished(self, _: Future) -> None:
        with self._counting:
            self.unfinished -= 1


class RequestThreads:
    """One-thread executors to lend to requests (thread-safe: a busy one comes back from
    its own thread)."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._idle: collections.deque[RequestExecutor] = collections.deque()

    def borrow(self) -> RequestExecutor:
        try:
            return self._idle.pop()
        except IndexError:
            return RequestExecutor()

    def give_back(self, executor: RequestExecutor) -> None:
        """Back to the pool now if it is idle, else once what was given to it has run."""
        if executor.unfinished:
            executor.submit(self._idle_again, executor)
        else:
            self._idle_again(executor)

    def _idle_again(self, executor: RequestExecutor) -> None:
        if len(self._idle) < self.keep:
            self._idle.append(executor)
        else:
            executor.shutdown(wait=False)

    @property
    def idle(self) -> int:
        return len(self._idle)


class Turns:
    """At most `limit` at a time for each key, the others waiting in order of arrival,
    each for `patience` seconds at most: then in anyway (turns held that long are pages
    stuck on an engine that hangs, and pages that need no engine must not wait for it).
    A key nobody holds or waits for is forgotten. For one event loop's use."""

    def __init__(self, limit: int, patience: float = PATIENCE) -> None:
        self.limit = limit
        self.patience = patience
        self._keys: dict[str, list] = {}  # key -> [Semaphore, holders and waiters]

    @contextlib.asynccontextmanager
    async def turn(self, key: str) -> AsyncIterator[None]:
        entry = self._keys.get(key)
        if entry is None:
            entry = self._keys[key] = [asyncio.Semaphore(self.limit), 0]
        entry[1] += 1
        held = False
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.patience):
                    await entry[0].acquire()
                held = True
            yield
        finally:
            if held:
                entry[0].release()
            entry[1] -= 1
            if not entry[1]:
                del self._keys[key]

    def __len__(self) -> int:
        return len(self._keys)


def path_info(scope) -> str:
    """The path as Django's request.path_info will be (as ASGIRequest makes it)."""
    prefix = get_script_prefix(scope)
    return scope["path"].removeprefix(prefix) if prefix else scope["path"]


def engine_of(path: str) -> str:
    """The engine a path is for (`/e/<name>/…`), as far as the path says."""
    match = PREFIX.match(path)
    return match["name"] if match else LOCAL


class PooledThreadsASGIHandler(ASGIHandler):
    """ASGIHandler whose requests run their synchronous code on pooled threads, at most
    `settings.DOCKSIDE_PAGES_AT_ONCE` reads (GET, HEAD) per engine at a time; the others
    wait their turn in order of arrival. Python runs one thread at a time: fifty pages at
    once all finish late, in an order left to chance, where a few at a time finish in
    turn (more pages a second, and a shorter tail). Actions (POST) never wait behind
    pages, nor pages for one engine behind those for another (an unreachable engine
    slows only its own)."""

    threads = RequestThreads()
    _turns_of: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop -> Turns

    def load_middleware(self, is_async: bool = False) -> None:
        """The middleware chain as one synchronous call (all of Dockside's middleware is
        synchronous): Django's asynchronous chain would run them on the request's thread,
        come back to the event loop for the view's turn and cross again for the view."""
        super().load_middleware(is_async=False)

    async def handle(self, scope, receive, send) -> None:
        """Django's ASGIHandler.handle with the request's synchronous part in one crossing
        to its thread: the request_started signal, making the request, the middleware and
        the view, and for a response held in memory (every page) its close(), which sends
        request_finished. Django crosses three times and runs two tasks per request, one
        of them only to hear a client leave: a page's view cannot be stopped halfway (it
        runs on a thread), so here only a streaming response (logs, downloads) listens,
        and stops when its client has gone."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            limit = settings.DOCKSIDE_PAGES_AT_ONCE
            if limit and scope["method"] in ("GET", "HEAD"):
                async with self._turns(limit).turn(engine_of(path_info(scope))):
                    response = await self._respond(scope, body_file)
            else:
                response = await self._respond(scope, body_file)
            if response.streaming:
                await self._stream(response, receive, send)
            else:
                await self.send_response(response, send)
        finally:
            body_file.close()

    def _turns(self, limit: int) -> Turns:
        loop = asyncio.get_running_loop()
        turns = self._turns_of.get(loop)
        if turns is None or turns.limit != limit:
            turns = self._turns_of[loop] = Turns(limit)
        return turns

    @sync_to_async(thread_sensitive=True)
    def _respond(self, scope, body_file) -> HttpResponseBase:
        """The response; one held in memory is closed already (its content stays)."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response

    async def _stream(self, response: HttpResponseBase, receive, send) -> None:
        """A streaming response sent as Django sends it, stopped if the client leaves."""
        sending = asyncio.create_task(self.send_response(response, send))
        leaving = asyncio.create_task(self.listen_for_disconnect(receive))
        try:
            await asyncio.wait([sending, leaving], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (leaving, sending):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                    await task
            await sync_to_async(response.close)()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.borrow()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give_back(executor)
