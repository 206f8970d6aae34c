"""`/containers/` and `/containers/<ref>/` against the real engine."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import re
import socket
import threading
from collections import Counter

import pytest

from containers_app import docker_service
from tests import support
from tests.pages import row_for, table, text
from tests.test_engine_unavailable import UnixSocketProxy, real_engine_socket

pytestmark = pytest.mark.django_db


def test_container_list_shows_running_container_with_docker_ps_columns(
    admin_client, make_container
):
    container = make_container(["sleep", "600"], hint="list")
    name = container["Name"].lstrip("/")

    html = admin_client.get("/containers/").content.decode()

    headers, _ = table(html, "container-table")
    assert headers == ["Container ID", "Image", "Command", "Created", "Status", "Ports", "Name"]
    row = row_for(html, "container-table", name)
    assert row is not None and not row.hidden
    short_id, image, command, created, status, ports, shown_name = row.cells
    assert short_id == container["Id"][:12]
    assert image == support.BASE_IMAGE
    assert command == "sleep 600"
    assert created.endswith(" ago")
    assert status.startswith("Up ")
    assert ports == ""
    assert shown_name == name
    assert f"/containers/{container['Id'][:12]}/" in row.links


def test_container_list_hides_exited_container_unless_all(admin_client, make_container):
    exited = make_container(["sh", "-c", "exit 3"], hint="exited", wait=True)
    name = exited["Name"].lstrip("/")

    running_page = admin_client.get("/containers/").content.decode()
    all_page = admin_client.get("/containers/?all=1").content.decode()

    assert row_for(running_page, "container-table", name) is None
    row = row_for(all_page, "container-table", name)
    assert row is not None
    assert re.fullmatch(r"Exited \(3\) .+ ago", row.cells[4])
    assert "docker ps -a" in text(all_page)
    assert "docker ps -a" not in text(running_page)


def test_container_list_shows_paused_status(admin_client, make_container, docker_api):
    container = make_container(hint="paused")
    docker_api.pause(container["Id"])
    try:
        html = admin_client.get("/containers/").content.decode()
    finally:
        docker_api.unpause(container["Id"])
    row = row_for(html, "container-table", container["Name"].lstrip("/"))
    assert row.cells[4].endswith("(Paused)")


def test_container_list_shows_published_port_like_docker_ps(admin_client, make_container):
    port = support.free_port()
    container = make_container(
        ["httpd", "-f", "-p", "80"],
        hint="ports",
        ports=[80],
        host_config={"network_mode": "bridge", "port_bindings": {80: ("127.0.0.1", port)}},
    )

    html = admin_client.get("/containers/").content.decode()

    row = row_for(html, "container-table", container["Name"].lstrip("/"))
    assert row.cells[5] == f"127.0.0.1:{port}->80/tcp"


def test_container_list_search_hides_rows_that_do_not_match(admin_client, make_container):
    wanted = make_container(hint="needle")
    other = make_container(hint="hay")
    needle = wanted["Name"].lstrip("/")

    html = admin_client.get(f"/containers/?all=1&q={needle.upper()}").content.decode()

    assert not row_for(html, "container-table", needle).hidden
    assert row_for(html, "container-table", other["Name"].lstrip("/")).hidden
    by_id = admin_client.get(f"/containers/?q={wanted['Id'][:16]}").content.decode()
    assert not row_for(by_id, "container-table", needle).hidden
    assert row_for(by_id, "container-table", other["Name"].lstrip("/")).hidden


def test_container_list_sorts_by_name_both_ways(admin_client, make_container):
    names = sorted(make_container(hint=f"sort{i}")["Name"].lstrip("/") for i in range(3))

    def order(query: str) -> list[str]:
        html = admin_client.get(f"/containers/?{query}").content.decode()
        shown = [row.cells[6] for row in table(html, "container-table")[1]]
        return [name for name in shown if name in names]

    assert order("sort=name") == names
    assert order("sort=-name") == names[::-1]
    html = admin_client.get("/containers/?sort=name").content.decode()
    assert 'aria-sort="ascending"' in html
    assert "?sort=-name" in html


def test_container_list_sorts_by_status_running_before_exited(admin_client, make_container):
    running = make_container(hint="status-up")["Name"][1:]
    exited = make_container(["true"], hint="status-exited", wait=True)["Name"][1:]

    def order(query: str) -> list[str]:
        html = admin_client.get(f"/containers/?all=1&{query}").content.decode()
        shown = [row.cells[6] for row in table(html, "container-table")[1]]
        return [name for name in shown if name in (running, exited)]

    assert order("sort=-status") == [running, exited]
    assert order("sort=status") == [exited, running]


def test_container_list_escapes_what_docker_returns(admin_client, make_container):
    payload = "<img src=x onerror=alert(1)>"
    container = make_container(["echo", payload], hint="xss", start=False)

    html = admin_client.get("/containers/?all=1").content.decode()

    assert payload not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert row_for(html, "container-table", container["Name"].lstrip("/")) is not None


def test_container_detail_shows_configuration(admin_client, make_container, docker_api, tmp_path):
    volume = docker_api.create_volume(
        name=f"{support.NAME_PREFIX}vol-detail", labels=support.run_labels()
    )
    container = make_container(
        ["sh", "-c", "sleep 600"],
        hint="detail",
        environment={"GREETING": "hello", "DB_PASSWORD": "hunter2-secret", "MODE": "demo"},
        labels={"com.example.team": "learners"},
        working_dir="/tmp",
        hostname="detail-host",
        volumes=["/data", "/host"],
        host_config={
            "binds": [f"{volume['Name']}:/data:rw", f"{tmp_path}:/host:ro"],
            "mem_limit": "64m",
            "nano_cpus": 500_000_000,
            "restart_policy": {"Name": "on-failure", "MaximumRetryCount": 3},
        },
    )
    name = container["Name"].lstrip("/")

    by_name = admin_client.get(f"/containers/{name}/")
    by_id = admin_client.get(f"/containers/{container['Id'][:12]}/")

    assert by_name.status_code == by_id.status_code == 200
    html = by_name.content.decode()
    page = text(html)
    assert f"docker container inspect {name}" in page
    assert f"PID on the host {container['State']['Pid']}" in page
    assert "Cmd sh -c 'sleep 600'" in page
    assert "Working dir /tmp" in page
    assert "Hostname detail-host" in page
    assert "Restart policy on-failure:3" in page
    assert "Memory 64MiB --memory" in page
    assert "CPUs 0.5 --cpus" in page
    assert "GREETING hello" in page
    assert "com.example.team learners" in page
    assert "volume " + volume["Name"] + " /data read-write" in page
    assert f"bind {tmp_path} /host read-only" in page
    assert "Networks none" in page
    assert "hunter2-secret" not in html, "a secret-looking value reached the page"
    assert "DB_PASSWORD ••••••" in page
    raw = re.search(r'<pre class="json">(.*?)</pre>', html, re.S).group(1)
    assert "<details" in html and json.loads(raw.replace("&quot;", '"'))["Id"] == container["Id"]
    assert f"docker container inspect {name}" in text(by_id.content.decode())


def test_container_detail_of_a_stopped_container_shows_the_ports_it_will_publish(
    admin_client, make_container
):
    container = make_container(
        ports=[8080, 9090, 7070],
        start=False,
        host_config={
            "network_mode": "bridge",
            "port_bindings": {8080: ("127.0.0.1", 18089), 9090: ("127.0.0.1",)},
        },
        hint="ports",
    )

    page = text(admin_client.get(f"/containers/{container['Id']}/").content.decode())

    assert "8080/tcp 127.0.0.1:18089" in page
    assert "9090/tcp 127.0.0.1: a free port, when it runs" in page
    assert "7070/tcp not published" in page
    assert "these are the ports it publishes when it starts" in page


def test_a_stopped_container_made_with_publish_all_shows_free_ports(admin_client, make_container):
    container = make_container(
        ports=[7071],
        start=False,
        host_config={"network_mode": "bridge", "publish_all_ports": True},
        hint="publish-all",
    )

    page = text(admin_client.get(f"/containers/{container['Id']}/").content.decode())

    assert "7071/tcp 0.0.0.0: a free port, when it runs" in page


def test_container_detail_of_exited_container_shows_exit_code(admin_client, make_container):
    container = make_container(["sh", "-c", "exit 7"], hint="exit7", wait=True)

    page = text(admin_client.get(f"/containers/{container['Id']}/").content.decode())

    assert "Exit code 7" in page
    assert "Finished" in page
    assert "PID on the host" not in page


def test_container_detail_of_unknown_container_is_404(admin_client, docker_api):
    response = admin_client.get(f"/containers/{support.NAME_PREFIX}no-such-container/")

    assert response.status_code == 404
    assert "No such container" in text(response.content.decode())


def test_header_shows_the_engine_identity_and_counts_of_its_info(
    admin_client, docker_api, make_container, settings, tmp_path
):
    make_container(hint="header")
    make_container(["true"], hint="header-stopped", wait=True)
    engine = RecordingEngine(tmp_path / "engine.sock", real_engine_socket())
    engine.start()
    settings.DOCKER_HOST = f"unix://{engine.path}"
    try:
        admin_client.get("/containers/")  # the first request may negotiate the API version
        engine.clear()
        docker_service.engine_changed()  # as an event or an action would: asked afresh
        page = text(admin_client.get("/containers/").content.decode())
    finally:
        engine.stop()

    info = json.loads(engine.answer("GET /info"))
    assert f"Docker {info['ServerVersion']} · API {docker_api.api_version}" in page
    assert f"{info['OSType']}/{info['Architecture']}" in page
    assert info["ContainersRunning"] >= 1 and info["ContainersStopped"] >= 1, "ours among them"
    assert re.search(r"(\d+) running", page).group(1) == str(info["ContainersRunning"])
    assert re.search(r"(\d+) stopped", page).group(1) == str(info["ContainersStopped"])
    assert re.search(r"(\d+) images", page).group(1) == str(info["Images"])


class RecordingEngine(UnixSocketProxy):
    """The real engine, behind a proxy that notes every request and keeps every answer."""

    REQUEST = re.compile(rb"(GET|HEAD|POST|PUT|DELETE) (/[^ ?]*)[^ ]* HTTP/1\.[01]\r\n")

    def __init__(self, path, target):
        super().__init__(path, target)
        self.requests: list[str] = []
        self.answers: list[tuple[list[str], bytearray]] = []  # per connection

    def clear(self) -> None:
        """Forget what was asked and answered so far (connections stay open for later ones)."""
        self.requests.clear()
        for asked, answered in self.answers:
            asked.clear()
            answered.clear()

    def answer(self, request: str) -> bytes:
        """The body of the answer to the one `request` ("GET /info") made since the last clear."""
        bodies = [
            body
            for asked, answered in self.answers
            for made, body in zip(asked, http_bodies(bytes(answered)), strict=False)
            if made == request
        ]
        assert len(bodies) == 1, (request, self.requests)
        return bodies[0]

    def _serve(self, client) -> None:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(self.target)
        asked: list[str] = []
        answered = bytearray()
        with self.lock:
            self.connections += [client, upstream]
            self.answers.append((asked, answered))
        threading.Thread(target=self._note, args=(client, upstream, asked), daemon=True).start()
        threading.Thread(target=self._keep, args=(upstream, client, answered), daemon=True).start()

    def _note(self, client, upstream, asked: list[str]) -> None:
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                for method, path in self.REQUEST.findall(data):
                    request = f"{method.decode()} {re.sub(r'^/v[0-9.]+', '', path.decode())}"
                    self.requests.append(request)
                    asked.append(request)
                upstream.sendall(data)
        upstream.close()

    @staticmethod
    def _keep(upstream, client, answered: bytearray) -> None:
        with contextlib.suppress(OSError):
            while data := upstream.recv(65536):
                answered += data
                client.sendall(data)
        client.close()


def http_bodies(data: bytes) -> list[bytes]:
    """The bodies of the HTTP answers one connection carried, in order (chunked or not)."""

    class Stream(io.BytesIO):
        def close(self) -> None:  # each answer "closes" it; the next one goes on reading
            pass

    class Recorded:
        def __init__(self, stream):
            self.stream = stream

        def makefile(self, mode):
            return self.stream

    stream = Stream(data)
    bodies = []
    while stream.tell() < len(data):
        answer = http.client.HTTPResponse(Recorded(stream))
        answer.begin()
        bodies.append(answer.read())
    return bodies


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("/containers/?all=1", {"GET /containers/json": 1}),
        ("/images/", {"GET /images/json": 1, "GET /containers/json": 1}),
        ("/volumes/", {"GET /volumes": 1, "GET /containers/json": 1}),
        ("/networks/", {"GET /networks": 1, "GET /containers/json": 1}),
        ("/volumes/?sizes=1", {"GET /volumes": 1, "GET /containers/json": 1, "GET /system/df": 1}),
    ],
)
def test_list_pages_make_one_engine_call_for_their_list_and_none_per_row(
    admin_client, make_container, settings, tmp_path, page, allowed
):
    for index in range(5):  # each with a volume of its own, for the volume list's rows
        binds = {support.run_name(f"calls{index}"): {"bind": "/data", "mode": "rw"}}
        make_container(hint=f"calls{index}", start=False, host_config={"binds": binds})
    engine = RecordingEngine(tmp_path / "engine.sock", real_engine_socket())
    engine.start()
    settings.DOCKER_HOST = f"unix://{engine.path}"
    try:
        admin_client.get(page)  # the first request may negotiate the API version
        engine.requests.clear()
        assert admin_client.get(page).status_code == 200
    finally:
        engine.stop()

    made = Counter(engine.requests)
    assert made == Counter(allowed), made


@pytest.mark.django_db(transaction=True)
def test_the_headers_info_is_asked_again_only_after_a_change(
    admin_client, make_container, settings, tmp_path
):
    """The header's `docker info` is kept between pages; an action (or an event) makes the
    next page ask again, so its counts are the engine's."""
    container = make_container(hint="info-kept", start=False)
    engine = RecordingEngine(tmp_path / "engine.sock", real_engine_socket())
    engine.start()
    settings.DOCKER_HOST = f"unix://{engine.path}"
    try:
        admin_client.get("/containers/?all=1")
        engine.requests.clear()
        admin_client.get("/containers/?all=1")
        admin_client.get("/images/")
        kept = Counter(engine.requests)["GET /info"]
        started = admin_client.post(f"/containers/{container['Id'][:12]}/start/")
        assert started.status_code in (200, 302)
        engine.clear()
        page = text(admin_client.get("/containers/?all=1").content.decode())
        asked = Counter(engine.requests)["GET /info"]
        running = json.loads(engine.answer("GET /info"))["ContainersRunning"]
    finally:
        engine.stop()

    assert kept == 0, "two pages, no new /info"
    assert asked == 1, "after the start, asked again once"
    assert re.search(r"(\d+) running", page).group(1) == str(running)


def test_processes_tab_lists_the_container_processes(admin_client, make_container):
    container = make_container(["sh", "-c", "sleep 4242"], hint="top")

    page = admin_client.get(f"/containers/{container['Id'][:12]}/top/")
    fragment = admin_client.get(
        f"/containers/{container['Id'][:12]}/top/", headers={"HX-Request": "true"}
    )

    html = page.content.decode()
    assert "sleep 4242" in text(html)
    assert f"docker top {container['Name'][1:]}" in text(html)
    assert fragment.content.decode().lstrip().startswith('<section id="processes"')
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
