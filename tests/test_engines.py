"""Several engines: a second dockerd of the run's own (its own socket, data root, exec
root, pid file and bridge subnet, and a TLS port), added by an admin through the form,
then worked on under /e/<name>/: lists, actions, audit, commands the real CLI runs,
jobs, websockets, and an unreachable engine that fails alone."""

from __future__ import annotations

import asyncio
import glob
import json
import os
import subprocess
import time
import uuid

import docker
import pytest
from asgiref.sync import async_to_sync

from audit.models import AuditEntry
from containers_app import cli, docker_service
from containers_app.docker_service import LogOptions
from containers_app.models import Build, EngineEvent
from engines import lookup
from engines.models import Engine
from tests import support
from tests.builds import build_data, build_state, last_fragment, wait_for_build
from tests.posting import error_at, last_entry
from tests.second_engine import another_client
from tests.stack_files import two_services
from tests.test_stacks import wait_for_run
from tests.viewers import connect_to

pytestmark = pytest.mark.django_db(transaction=True)


def started_container(
    api: docker.APIClient, hint: str, command: list[str] = support.IDLE_COMMAND
) -> dict:
    """A running container of the run's own on engine `api` (idle unless told)."""
    container = api.create_container(
        support.BASE_IMAGE,
        command=command,
        name=support.run_name(hint),
        labels=support.run_labels(),
        host_config=api.create_host_config(network_mode="none"),
    )
    api.start(container["Id"])
    return api.inspect_container(container["Id"])


def add_engine(name: str, url: str, tls=None) -> Engine:
    engine = Engine(name=name, url=url)
    if tls is not None:
        engine.tls_ca, engine.tls_cert = tls.ca, tls.cert
        engine.set_key(tls.key)
    engine.save()
    return engine


def engine_name(hint: str) -> str:
    return f"{hint}-{uuid.uuid4().hex[:6]}"


def test_an_admin_adds_an_engine_and_its_pages_show_its_own_containers(
    admin_client, second_engine, docker_api, make_container
):
    there = started_container(second_engine.api, "there")
    here = make_container(hint="here")
    name = engine_name("second")
    form = {"name": name, "url": second_engine.socket_url}

    preview = admin_client.post("/engines/add/", {**form, "_preview": "1"}).content.decode()
    response = admin_client.post("/engines/add/", form)

    assert f"docker context create {name} --docker host={second_engine.socket_url}" in preview
    assert response.status_code == 302
    entry = last_entry("add_engine")
    assert entry.outcome == "succeeded" and entry.target_name == name
    assert entry.command == f"docker context create {name} --docker host={second_engine.socket_url}"
    listed = admin_client.get(f"/e/{name}/containers/?all=1").content.decode()
    assert there["Name"].lstrip("/") in listed
    assert here["Name"].lstrip("/") not in listed
    assert f'href="/e/{name}/containers/{there["Id"][:12]}/"' in listed, "links keep the engine"
    assert f"Engine <b>{name}</b>" in listed
    assert f'ws-connect="/e/{name}/ws/events/' in listed
    assert f'<a href="/e/{name}/images/">Images</a>' in listed, "the header's links too"
    local = admin_client.get("/containers/?all=1").content.decode()
    assert here["Name"].lstrip("/") in local and there["Name"].lstrip("/") not in local
    assert '<a href="/images/">Images</a>' in local, "and the local header's stay local"
    assert f'<a href="/e/{name}/containers/">{name}</a>' in local, "the switcher offers it"


def test_an_action_on_the_second_engine_is_audited_with_it_and_the_cli_agrees(
    admin_client, second_engine, tmp_path
):
    name = engine_name("second")
    add_engine(name, second_engine.socket_url)
    container = started_container(second_engine.api, "stopme")
    short = container["Id"][:12]

    response = admin_client.post(f"/e/{name}/containers/{short}/stop/", {"timeout": "0"})

    assert response.status_code == 302 and response["Location"].startswith(f"/e/{name}/")
    assert not second_engine.api.inspect_container(short)["State"]["Running"]
    entry = last_entry("stop")
    assert entry.endpoint == name and entry.outcome == "succeeded"
    assert entry.command.startswith(f"docker --context {name} stop ")
    # The engines page's context command and the entry's command, run by the real CLI.
    listed = admin_client.get("/engines/").content.decode()
    assert f"docker context create {name} --docker host={second_engine.socket_url}" in listed
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path)}
    run = {"env": env, "check": True, "capture_output": True, "text": True}
    host = f"host={second_engine.socket_url}"
    subprocess.run(["docker", "context", "create", name, "--docker", host], **run)
    second_engine.api.start(short)
    subprocess.run(entry.command.split(), **run)
    assert not second_engine.api.inspect_container(short)["State"]["Running"]
    listed = subprocess.run(["docker", "--context", name, "ps", "-aq", "--no-trunc"], **run)
    assert container["Id"] in listed.stdout.split()


def test_a_tls_engine_is_added_with_its_key_sealed_and_streams_over_tls(
    admin_client, second_engine
):
    name = engine_name("tls")
    client = second_engine.client
    form = {
        "name": name,
        "url": second_engine.tls_url,
        "tls_ca": client.ca,
        "tls_cert": client.cert,
        "tls_key": client.key,
    }
    response = admin_client.post("/engines/add/", form)
    assert response.status_code == 302
    stored = Engine.objects.get(name=name)
    rows = json.dumps(list(Engine.objects.values()), default=str)
    assert "PRIVATE KEY" not in rows and client.key not in rows, "the key is kept sealed"
    assert stored.key_text() == client.key.strip()
    assert "PRIVATE KEY" not in last_entry("add_engine").parameters.__repr__()
    edit = admin_client.get(f"/engines/{name}/edit/").content.decode()
    assert "PRIVATE KEY" not in edit, "the key is never shown back"
    container = started_container(second_engine.api, "tls")

    page = admin_client.get(f"/e/{name}/containers/").content.decode()
    logs = admin_client.get(f"/e/{name}/containers/{container['Id'][:12]}/logs/")

    assert container["Name"].lstrip("/") in page
    assert logs.status_code == 200
    checked = admin_client.post(f"/engines/{name}/check/", follow=True).content.decode()
    assert f"{name} answers: Docker" in checked


async def test_the_events_websocket_follows_the_engine_in_its_path(second_engine, cookie):
    name = engine_name("tls-ws")
    await asyncio.to_thread(add_engine, name, second_engine.tls_url, second_engine.client)
    page = connect_to(f"/e/{name}/ws/events/?page=containers&all=1", cookie)
    connected, _ = await page.connect()
    assert connected
    seen = ""
    while 'id="live-state"' not in seen:
        seen += (await page.receive_output(timeout=5))["text"]

    container = await asyncio.to_thread(started_container, second_engine.api, "ws")
    short = container["Id"][:12]
    deadline = time.monotonic() + 5
    while f'id="c-{short}"' not in seen:
        assert time.monotonic() < deadline, seen[-500:]
        seen += (await page.receive_output(timeout=5))["text"]
    await page.disconnect()

    assert f'href="/e/{name}/containers/{short}/"' in seen, "the row's links keep the engine"

    kept = EngineEvent.objects.filter(actor_id=container["Id"])
    recorded = await asyncio.to_thread(lambda: set(kept.values_list("endpoint", flat=True)))
    assert recorded == {name}, "the event is kept as the second engine's"


async def test_an_unknown_engine_in_a_websocket_path_is_refused(cookie):
    page = connect_to("/e/no-such-engine/ws/events/?page=containers", cookie)
    connected, _ = await page.connect()
    assert not connected
    await page.disconnect()


def test_a_build_on_the_second_engine_runs_there_and_its_record_says_so(
    admin_client, second_engine, docker_api
):
    name = engine_name("second")
    add_engine(name, second_engine.socket_url)
    image = f"dockside-test/engine-build-{uuid.uuid4().hex[:8]}:1"
    data = build_data(f"FROM {support.BASE_IMAGE}\nRUN echo built-on-two\n", image)

    response = admin_client.post(f"/e/{name}/images/build/", data)

    assert response.status_code == 302 and response["Location"].startswith(f"/e/{name}/")
    log = wait_for_build(admin_client, response["Location"])
    assert build_state(log) == "built", last_fragment(log)
    assert second_engine.api.inspect_image(image)
    with pytest.raises(docker.errors.ImageNotFound):
        docker_api.inspect_image(image)
    build = Build.objects.order_by("-started_at").first()
    assert build.endpoint == name and build.command.startswith(f"docker --context {name} build")


def test_an_unreachable_engine_fails_alone(admin_client, client, second_engine, tmp_path):
    gone = engine_name("gone")
    add_engine(gone, f"unix://{tmp_path}/no.sock")
    name = engine_name("second")
    add_engine(name, second_engine.socket_url)

    down = admin_client.get(f"/e/{gone}/containers/")
    began = time.monotonic()
    up = admin_client.get(f"/e/{name}/containers/")
    local = admin_client.get("/containers/")
    took = time.monotonic() - began
    ready = admin_client.get("/readyz")

    assert down.status_code == 503
    assert f"Engine {gone} is unreachable" in down.content.decode()
    assert up.status_code == 200 and local.status_code == 200
    assert took < 2, f"the others answered in {took:.2f} s"
    body = ready.json()
    assert ready.status_code == 503 and f"engine:{gone}" in body["not_ready"]
    assert body["engines"][name] == {"ok": True} and body["engine"] == {"ok": True}
    assert str(tmp_path) not in ready.content.decode(), "no addresses in /readyz"
    anonymous = client.get("/readyz")
    assert anonymous.status_code == 503 and "engines" in anonymous.json()["not_ready"]
    assert gone not in anonymous.content.decode(), "no engine names for anyone"
    assert anonymous.json()["engines"]["of"] == Engine.objects.count()


def test_commands_get_the_context_outside_quotes_only():
    with docker_service.using(docker_service.Endpoint("two", "unix:///x.sock")):
        both = cli.on_engine_text("docker ps -aq && docker rm -f x")
        inner = cli.on_engine_text("docker --context two run img sh -c 'echo; docker ps'")
        escaped = cli.on_engine_text('docker run img sh -c "a \\" ; docker ps"')

    assert both == "docker --context two ps -aq && docker --context two rm -f x"
    assert inner == "docker --context two run img sh -c 'echo; docker ps'"
    assert escaped == 'docker --context two run img sh -c "a \\" ; docker ps"'


def test_bad_engine_input_is_refused_at_the_field_and_audited(admin_client, second_engine):
    cases = [
        ({"name": "Bad Name", "url": "unix:///x.sock"}, "name", "lower-case"),
        ({"name": "local", "url": "unix:///x.sock"}, "name", "taken"),
        ({"name": engine_name("e"), "url": "http://x:2375"}, "url", "unix://, tcp:// or ssh://"),
        ({"name": engine_name("e"), "url": "tcp://10.1.2.3"}, "url", "the port too"),
        (
            {"name": engine_name("e"), "url": "unix:///x.sock", "tls_cert": "junk"},
            "tls_cert",
            "not a PEM certificate",
        ),
        (
            {
                "name": engine_name("e"),
                "url": second_engine.tls_url,
                "tls_ca": second_engine.client.ca,
                "tls_cert": second_engine.client.cert,
                "tls_key": another_client().key,
            },
            "tls_key",
            "not the certificate's",
        ),
        (
            {
                "name": engine_name("e"),
                "url": second_engine.tls_url,
                "tls_cert": second_engine.client.cert,
            },
            "tls_ca",
            "takes all three",
        ),
    ]
    for form, field, words in cases:
        before = AuditEntry.objects.count()
        response = admin_client.post("/engines/add/", form)
        html = response.content.decode()
        assert response.status_code == 400, form
        assert words in error_at(html, field), (form, error_at(html, field))
        assert AuditEntry.objects.count() == before + 1
        assert last_entry("add_engine").outcome == "failed"
    assert Engine.objects.count() == 0


def test_a_wrong_certificate_says_so_without_a_500(admin_client, second_engine):
    name = engine_name("badca")
    add_engine(name, second_engine.tls_url, another_client())

    page = admin_client.get(f"/e/{name}/containers/")
    checked = admin_client.post(f"/engines/{name}/check/", follow=True).content.decode()

    assert page.status_code == 503
    assert f"{name} does not answer" in checked


def test_only_admins_manage_engines_and_an_unknown_engine_is_404(
    operator_client, admin_client, second_engine
):
    name = engine_name("second")
    add_engine(name, second_engine.socket_url)

    added = operator_client.post("/engines/add/", {"name": "mine", "url": "unix:///x.sock"})
    removed = operator_client.post(f"/engines/{name}/remove/")
    unknown = admin_client.get("/e/no-such-engine/containers/")

    assert added.status_code == 403 and removed.status_code == 403
    assert last_entry("add_engine").outcome == "failed"
    assert Engine.objects.filter(name=name).exists() and not Engine.objects.filter(name="mine")
    assert unknown.status_code == 404
    listed = operator_client.get("/engines/").content.decode()
    assert name in listed and f"/engines/{name}/remove/" not in listed

    gone = admin_client.post(f"/engines/{name}/remove/")

    assert gone.status_code == 302 and not Engine.objects.filter(name=name).exists()
    assert last_entry("remove_engine").command == f"docker context rm {name}"
    assert admin_client.get(f"/e/{name}/containers/").status_code == 404


def test_a_stack_runs_on_the_tls_engine_with_its_certificates_only_for_the_run(
    admin_client, second_engine, settings, tmp_path
):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    name = engine_name("tls-stack")
    add_engine(name, second_engine.tls_url, second_engine.client)
    project = support.run_name("engstack").replace(".", "-")
    made = admin_client.post(f"/e/{name}/stacks/new/", {"name": project, "compose": two_services()})
    assert made.status_code == 302, made.content.decode()[-500:]

    up = admin_client.post(f"/e/{name}/stacks/{project}/up/", {})

    assert up.status_code == 302 and up["Location"].startswith(f"/e/{name}/")
    assert ">done</span>" in wait_for_run(admin_client, up["Location"])
    label = {"label": f"com.docker.compose.project={project}"}
    assert len(second_engine.api.containers(filters=label)) == 2
    entry = last_entry("stack_up")
    assert entry.endpoint == name and f"--context {name} " in entry.command
    assert not glob.glob("/dev/shm/dockside-tls-*"), "the PEM files live for the run only"
    down = admin_client.post(f"/e/{name}/stacks/{project}/down/", {"volumes": "on"})
    assert ">done</span>" in wait_for_run(admin_client, down["Location"])
    assert not second_engine.api.containers(all=True, filters=label)


def test_an_ssh_engine_answers_pages_and_streams_through_dial_stdio(
    admin_client, second_engine, ssh_gateway, monkeypatch
):
    monkeypatch.setenv("PATH", f"{ssh_gateway.bin_dir}:{os.environ['PATH']}")
    name = engine_name("ssh")
    container = started_container(
        second_engine.api, "ssh", ["sh", "-c", "echo hello over ssh; sleep 600"]
    )

    added = admin_client.post("/engines/add/", {"name": name, "url": ssh_gateway.url})
    page = admin_client.get(f"/e/{name}/containers/").content.decode()

    assert added.status_code == 302
    assert container["Id"][:12] in page
    with docker_service.using(lookup.named(name)):
        stream = docker_service.open_logs(container["Id"], LogOptions(follow=False))
        said = b""
        while chunk := stream.read():
            said += chunk
        stream.close()
    assert b"hello over ssh" in said, "the log stream came through ssh"


def test_an_unknown_engine_is_told_only_to_someone_signed_in(client, admin_client):
    anonymous = client.get("/e/no-such-engine/containers/")
    signed_in = admin_client.get("/e/no-such-engine/containers/")

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert signed_in.status_code == 404
    page = signed_in.content.decode()
    assert "There is no engine named no-such-engine" in page and 'href="/engines/"' in page


def test_a_download_on_the_second_engine_is_read_from_it(admin_client, second_engine):
    name = engine_name("second")
    add_engine(name, second_engine.socket_url)
    container = started_container(
        second_engine.api, "dl", ["sh", "-c", "echo written on two; sleep 600"]
    )
    deadline = time.monotonic() + 10
    while b"written on two" not in second_engine.api.logs(container["Id"]):
        assert time.monotonic() < deadline, "the container said nothing"
        time.sleep(0.05)

    response = admin_client.get(f"/e/{name}/containers/{container['Id'][:12]}/logs/download")

    async def body() -> bytes:  # read after the view and the middleware have returned
        return b"".join([chunk async for chunk in response.streaming_content])

    assert response.status_code == 200
    assert b"written on two" in async_to_sync(body)()


async def test_a_websocket_on_another_engine_checks_origin_and_sign_in(second_engine, cookie):
    name = engine_name("ws-guard")
    await asyncio.to_thread(add_engine, name, second_engine.socket_url)
    path = f"/e/{name}/ws/events/?page=containers"
    foreign = connect_to(path, cookie, origin=b"http://127.0.0.1:9")  # another port: another site
    connected, _ = await foreign.connect()
    assert not connected
    anonymous = connect_to(path, None)
    await anonymous.connect()
    closing = await anonymous.receive_output(timeout=5)
    assert closing["type"] == "websocket.close" and closing["code"] == 4401, "sign in first"
    await anonymous.disconnect()
    allowed = connect_to(path, cookie)
    connected, _ = await allowed.connect()
    assert connected, "the same socket, from the site and signed in, is let in"
    await allowed.disconnect()
