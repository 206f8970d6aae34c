"""An unreachable engine is a clear 503 page on every route, and pages recover without a restart."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from containers_app import docker_service
from containers_app.middleware import EngineUnavailableMiddleware
from tests import support
from tests.pages import text

pytestmark = pytest.mark.django_db

ENGINE_PAGES = [
    "/containers/",
    "/containers/?all=1",
    "/containers/abc/",
    "/containers/abc/logs/",
    "/containers/abc/terminal/",
    "/containers/abc/stats/",
    "/containers/abc/top/",
    "/containers/prune/",
    "/images/",
    "/images/x/",
    "/images/prune/",
    "/logs/",
    "/stats/",
]


def real_engine_socket() -> str:
    host = os.environ.get("DOCKER_HOST", "") or docker_service.DEFAULT_ENDPOINT
    assert host.startswith("unix://"), "these tests proxy the engine's unix socket"
    return host.removeprefix("unix://")


class UnixSocketProxy:
    """A socket that forwards to the real engine until stopped: a daemon we can stop and start."""

    def __init__(self, path: Path, target: str):
        self.path = path
        self.target = target
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.path))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self) -> None:
        self.listener.close()
        self.path.unlink()
        with self.lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self._forward(client, b"")

    def _forward(self, client: socket.socket, first: bytes) -> None:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(self.target)
        with self.lock:
            self.connections.append(upstream)
        upstream.sendall(first)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


class MisbehavingEngine(UnixSocketProxy):
    """The real engine, except that log requests get `answer` (None: no answer at all)."""

    def __init__(self, path: Path, target: str, answer: bytes | None):
        super().__init__(path, target)
        self.answer = answer

    def _serve(self, client: socket.socket) -> None:
        first = client.recv(65536)
        if b"/logs?" not in first:
            self._forward(client, first)
        elif self.answer is not None:
            client.sendall(self.answer)
            client.close()


@pytest.mark.parametrize("path", ENGINE_PAGES)
def test_dead_socket_gives_503_with_endpoint_and_cause(admin_client, settings, tmp_path, path):
    endpoint = f"unix://{tmp_path}/no-docker.sock"
    settings.DOCKER_HOST = endpoint

    response = admin_client.get(path)

    assert response.status_code == 503
    page = text(response.content.decode())
    assert "The Docker engine is unreachable" in page
    assert endpoint in page
    assert "the socket does not exist" in page
    assert "Traceback" not in page
    assert response["Retry-After"] == "5"


def test_socket_nobody_listens_on_says_connection_refused(admin_client, settings, tmp_path):
    path = tmp_path / "stale.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))
    stale.close()
    settings.DOCKER_HOST = f"unix://{path}"

    response = admin_client.get("/containers/")

    assert response.status_code == 503
    assert "connection refused" in text(response.content.decode())


def test_closed_tcp_port_says_connection_refused(admin_client, settings):
    settings.DOCKER_HOST = f"tcp://127.0.0.1:{support.free_port()}"

    response = admin_client.get("/images/")

    assert response.status_code == 503
    assert "connection refused" in text(response.content.decode())


def test_pages_recover_when_the_engine_comes_back(
    admin_client, settings, tmp_path, docker_api, make_container
):
    container = make_container(hint="recover")
    proxy = UnixSocketProxy(tmp_path / "engine.sock", real_engine_socket())
    settings.DOCKER_HOST = f"unix://{proxy.path}"
    proxy.start()
    assert container["Name"][1:] in text(admin_client.get("/containers/").content.decode())

    proxy.stop()
    down = admin_client.get("/containers/")
    assert down.status_code == 503
    assert "the socket does not exist" in text(down.content.decode())

    proxy.start()
    try:
        containers = admin_client.get("/containers/")
        images = admin_client.get("/images/")
    finally:
        proxy.stop()
    assert containers.status_code == images.status_code == 200
    assert container["Name"][1:] in text(containers.content.decode()), "the list is back"
    assert "The Docker engine is unreachable" not in text(containers.content.decode())
    assert support.BASE_IMAGE.split(":")[1] in text(images.content.decode())


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/no-such-page/", 404),
        ("/audit/", 200),  # the database's own record
        ("/events/", 200),  # what Dockside saw before the engine went away
        ("/containers/run/", 200),  # the form still teaches the command; submitting is a 503
        ("/images/pull/", 200),
    ],
)
def test_pages_without_engine_calls_still_show_the_engine_banner(
    client, settings, tmp_path, path, status
):
    settings.DOCKER_HOST = f"unix://{tmp_path}/none.sock"
    client.force_login(support.user_with_role("operator"))

    response = client.get(path)

    assert response.status_code == status
    page = text(response.content.decode())
    assert "Engine unreachable" in page
    assert "The Docker engine is unreachable" in page


def test_fragment_requests_reload_the_page_to_show_the_engine_error(
    admin_client, settings, tmp_path
):
    settings.DOCKER_HOST = f"unix://{tmp_path}/none.sock"

    preview = admin_client.post(
        "/containers/web/stop/", {"_preview": "1"}, headers={"HX-Request": "true"}
    )
    boosted = admin_client.post(
        "/containers/web/stop/", {}, headers={"HX-Request": "true", "HX-Boosted": "true"}
    )

    assert preview.status_code == boosted.status_code == 503
    assert preview["HX-Refresh"] == "true"
    assert "HX-Refresh" not in boosted, "a boosted page swaps the explanation in whole"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (docker_service.Conflict("container is paused"), 409),
        (docker_service.InvalidRequest("bad"), 400),
        (docker_service.DockerServiceError("the engine answered 500"), 502),
    ],
)
def test_engine_refusals_no_view_handled_are_an_error_page_not_a_traceback(
    admin_user, rf, error, status
):
    request = rf.get("/containers/")
    request.user = admin_user

    response = EngineUnavailableMiddleware(lambda r: None).process_exception(request, error)

    assert response.status_code == status
    assert "The Docker engine answered with an error" in text(response.content.decode())
    assert str(error) in response.content.decode()


@pytest.mark.parametrize(
    ("answer", "cause"),
    [(None, "no answer within 1 s"), (b"SSH-2.0-OpenSSH\r\n\r\n", "not HTTP")],
)
@pytest.mark.timing
def test_a_hung_or_garbled_engine_fails_a_log_stream_in_time_with_its_cause(
    settings, tmp_path, answer, cause
):
    engine = MisbehavingEngine(tmp_path / "engine.sock", real_engine_socket(), answer)
    settings.DOCKER_HOST = f"unix://{engine.path}"
    settings.DOCKER_TIMEOUT = 1
    engine.start()
    try:
        started = time.monotonic()
        with pytest.raises(docker_service.EngineUnavailable) as failure:
            docker_service.open_logs("anything", docker_service.LogOptions())
        assert time.monotonic() - started < 3
    finally:
        engine.stop()
    assert cause in str(failure.value)
