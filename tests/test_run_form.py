"""The run form against the real engine: what it does, and what it refuses."""

from __future__ import annotations

import contextlib
import re
import uuid
from html import unescape
from urllib.parse import quote, unquote

import docker
import pytest
import requests

from audit.models import AuditEntry
from containers_app import docker_service
from containers_app.docker_service import DockerServiceError
from containers_app.forms import RunForm
from containers_app.views.run import PASTE_LIMIT
from tests import support
from tests.pages import text
from tests.posting import field_errors, last_entry, preview, run_data, shown_command

pytestmark = pytest.mark.django_db


def unique(hint: str) -> str:
    return f"{support.NAME_PREFIX}{hint}-{uuid.uuid4().hex[:8]}"


def test_run_form_publishes_port(admin_client, docker_api):
    port = support.free_port()
    name = unique("web")
    data = run_data(
        name=name,
        mode="detach",
        network="",
        command="httpd -f -p 80",
        ports=f"127.0.0.1:{port}:80",
    )

    response = admin_client.post("/containers/run/", data)

    assert response.status_code == 302
    container = docker_api.inspect_container(name)
    assert response["Location"] == f"/containers/{container['Id'][:12]}/"
    assert container["State"]["Running"]
    answer = requests.get(f"http://127.0.0.1:{port}/", timeout=5)
    assert answer.status_code == 404, "busybox httpd answers through the published port"
    listing = text(admin_client.get("/containers/").content.decode())
    assert f"127.0.0.1:{port}->80/tcp" in listing


def test_create_only_does_not_start(admin_client, docker_api):
    name = unique("created")

    admin_client.post("/containers/run/", run_data(name=name, mode="create"))

    assert docker_api.inspect_container(name)["State"]["Status"] == "created"
    assert last_entry("create").command.startswith("docker create ")


def test_foreground_run_with_rm_leaves_nothing_behind(admin_client, docker_api):
    name = unique("oneoff")

    response = admin_client.post(
        "/containers/run/",
        run_data(name=name, mode="foreground", remove="on", command="echo bye"),
    )

    assert response.status_code == 200
    assert "bye" in response.content.decode()
    assert "exit code 0" in text(response.content.decode())
    with pytest.raises(docker.errors.NotFound):
        docker_api.inspect_container(name)


def test_run_pulls_a_missing_image_from_the_registry_first(admin_client, docker_api, registry):
    reference = f"{registry}/dockside-test/busybox:latest"
    with contextlib.suppress(docker.errors.ImageNotFound):
        docker_api.remove_image(reference)
    name = unique("pulled")

    response = admin_client.post(
        "/containers/run/", run_data(name=name, image=reference, pull="missing", mode="create")
    )

    assert response.status_code == 302
    assert docker_api.inspect_container(name)["Config"]["Image"] == reference
    pull, create = AuditEntry.objects.order_by("-id")[1], AuditEntry.objects.order_by("-id")[0]
    assert (pull.action, pull.command, pull.outcome) == (
        "pull",
        f"docker pull {reference}",
        "succeeded",
    )
    assert create.action == "create" and "--pull" not in create.command


def test_missing_image_with_pull_never_offers_to_pull(admin_client, docker_api):
    before = support.engine_state(docker_api)

    response = admin_client.post(
        "/containers/run/", run_data(image=f"{support.REGISTRY}/dockside-test/absent:v9")
    )

    html = response.content.decode()
    assert response.status_code == 404
    absent = f"{support.REGISTRY}/dockside-test/absent:v9"
    assert field_errors(html) == [
        f"The image {absent} is not on this engine. Pull it first, or choose"
        " “Pull the image: if missing” in the run form."
    ]
    assert "/images/pull/?image=" in html
    assert support.engine_state(docker_api) == before


def test_name_in_use_is_a_conflict_and_creates_nothing(admin_client, docker_api, make_container):
    existing = make_container(hint="taken")
    before = support.engine_state(docker_api)

    response = admin_client.post("/containers/run/", run_data(name=existing["Name"][1:]))

    assert response.status_code == 409
    html = response.content.decode()
    name, short = existing["Name"][1:], existing["Id"][:12]
    assert field_errors(html) == [
        f"The name {name} is taken: container {short} already has it. Choose another name,"
        f" or rename or remove that container first (docker rm {short})."
    ]
    engine = html[html.index('<details class="engine-message">') :]
    assert f"is already in use by container &quot;{existing['Id']}&quot;" in engine
    assert support.engine_state(docker_api) == before
    assert last_entry("create").outcome == "failed"


def test_port_already_allocated_removes_the_created_container(admin_client, docker_api):
    port = support.free_port()
    first, second = unique("holder"), unique("clash")
    publish = {
        "network": "",
        "mode": "detach",
        "ports": f"127.0.0.1:{port}:80",
        "command": "sleep 600",
    }
    assert admin_client.post("/containers/run/", run_data(name=first, **publish)).status_code == 302

    response = admin_client.post("/containers/run/", run_data(name=second, **publish))

    html = response.content.decode()
    assert response.status_code == 409
    errors = field_errors(html)
    assert errors == [
        f"Host port {port} on 127.0.0.1 is already published by another container. Choose"
        " another host port, or stop the container that has it. The container Docker had"
        " created was removed again."
    ]
    assert "port is already allocated" in html, "the engine's message is there too"
    assert not docker_api.containers(all=True, filters={"name": second})
    entry = last_entry("run")
    assert entry.outcome == "failed" and "port is already allocated" in entry.error


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"image": "UPPER/case"}, "image", "repository name must be lowercase"),
        ({"image": "a::b"}, "image", "invalid reference format"),
        ({"image": ""}, "image", "This field is required"),
        ({"image": "busybox", "pull": "missing"}, "image", "not allowed here"),
        ({"name": "café"}, "name", "invalid container name"),
        ({"name": "x"}, "name", "at least 2 characters"),
        ({"ports": "99999:80"}, "ports", "out of range"),
        ({"ports": "80:0"}, "ports", "out of range"),
        ({"ports": "8080:80/icmp"}, "ports", "protocol must be one of"),
        ({"ports": "abc"}, "ports", "must be a number"),
        ({"env": "=value"}, "env", "expected KEY=VALUE"),
        ({"env": "JUSTAKEY"}, "env", "give a value"),
        ({"volumes": "relative:path"}, "volumes", "must be absolute"),
        ({"volumes": "./here:/data"}, "volumes", "give the host path in full"),
        ({"volumes": "/a:/b:rx"}, "volumes", "unknown option"),
        ({"memory": "lots"}, "memory", "write the memory limit as a number with a unit"),
        ({"memory": "1m"}, "memory", "smallest memory limit"),
        ({"cpus": "-1"}, "cpus", "more than 0"),
        ({"cpus": "0.0000000001"}, "cpus", "at most 9 decimal places"),
        ({"workdir": "relative"}, "workdir", "absolute path"),
        ({"command": "echo 'unclosed"}, "command", "close the quote"),
        ({"hostname": "bad_host!"}, "hostname", "invalid hostname"),
        ({"network": "bad net"}, "network", "invalid network name"),
        ({"restart_retries": "-1", "restart": "on-failure"}, "restart_retries", "greater than"),
        ({"env": "BIG=" + "x" * 70_000}, "env", "at most 65536 characters"),
        ({"command": "x" * 4097}, "command", "the program name is 4,097 characters long"),
        ({"entrypoint": "/" + "x" * 4096}, "entrypoint", "Linux allows at most 4,096"),
        ({"workdir": "/" + "x" * 4096}, "workdir", "Linux allows at most 4,096"),
        ({"user": "u" * 4097}, "user", "the user is 4,097 characters long"),
        ({"volumes": "/" + "x" * 4096}, "volumes", "the container path is 4,097 characters"),
        ({"volumes": "/" + "x" * 4096 + ":/data"}, "volumes", "the host path is 4,097"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_changes_nothing(
    admin_client, docker_api, fields, field, message
):
    before = support.engine_state(docker_api)

    response = admin_client.post("/containers/run/", run_data(**{"name": unique("bad"), **fields}))

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'id="id_{field}"' in html and 'aria-invalid="true"' in html
    assert support.engine_state(docker_api) == before
    entry = last_entry("run")
    assert entry.outcome == "failed" and entry.error.startswith("rejected:")
    assert len(str(entry.parameters)) < 10_000, "huge inputs are cut in the audit log"


def test_a_long_first_argument_is_fine_after_an_entrypoint():
    form = RunForm(run_data(entrypoint="echo", command="x" * 5000))

    assert form.is_valid(), form.errors
    assert form.spec.command == ("x" * 5000,)


def test_rm_with_a_restart_policy_is_refused(admin_client):
    response = admin_client.post(
        "/containers/run/", run_data(remove="on", restart="always", name=unique("conflict"))
    )

    assert response.status_code == 400
    assert "--rm and a restart policy exclude each other" in response.content.decode()


def test_non_ascii_values_are_fine_where_docker_takes_them(admin_client, docker_api):
    name = unique("unicode")

    response = admin_client.post(
        "/containers/run/",
        run_data(name=name, env="GREETING=grüß dich ☀", labels=f"{support.RUN_LABEL}\nnote=été"),
    )

    assert response.status_code == 302
    config = docker_api.inspect_container(name)["Config"]
    assert "GREETING=grüß dich ☀" in config["Env"]
    assert config["Labels"]["note"] == "été"


def test_preview_follows_the_fields(admin_client):
    first = preview(admin_client, "/containers/run/", run_data(mode="detach", name="web-1"))
    second = preview(
        admin_client,
        "/containers/run/",
        run_data(mode="detach", name="web-1", ports="127.0.0.1:8080:80", env="A=b c"),
    )

    assert first == (
        f"docker run -d --name web-1 --pull never --network none -l {support.RUN_LABEL}"
        f" {support.BASE_IMAGE}"
    )
    assert second == (
        "docker run -d --name web-1 --pull never -p 127.0.0.1:8080:80 -e 'A=b c'"
        f" --network none -l {support.RUN_LABEL} {support.BASE_IMAGE}"
    )


def test_preview_of_invalid_input_lists_what_to_fix(admin_client):
    response = admin_client.post(
        "/containers/run/",
        run_data(ports="99999:80", _preview="1"),
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert shown_command(html) == "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]"
    assert "out of range" in html
    assert not AuditEntry.objects.filter(action="run").exists(), "previews are not actions"


def test_pasted_command_fills_the_form_and_names_unsupported_flags(admin_client):
    pasted = (
        "docker run -d --name web -p 127.0.0.1:8080:80 -e MODE=demo --cap-add NET_ADMIN"
        " --isolation hyperv -v /srv/www:/usr/share/nginx/html:ro --restart always nginx:1.27"
    )

    response = admin_client.post("/containers/run/", {"_paste": "1", "pasted": pasted})

    html = response.content.decode()
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="run").exists(), "pasting runs nothing"
    assert shown_command(html) == (
        "docker run -d --name web -p 127.0.0.1:8080:80 -e MODE=demo"
        " -v /srv/www:/usr/share/nginx/html:ro --restart always --cap-add NET_ADMIN nginx:1.27"
    )
    assert "--isolation hyperv" in text(html)
    assert 'value="nginx:1.27"' in html
    assert "127.0.0.1:8080:80</textarea>" in html


def test_a_link_with_a_command_fills_the_form_from_an_address_without_it(admin_client):
    pasted = "docker run -e DB_PASSWORD=hunter2 --name linked nginx:1.27"

    response = admin_client.get("/containers/run/", {"command": pasted})

    assert response.status_code == 302 and response["Location"] == "/containers/run/?pasted=1"
    page = admin_client.get(response["Location"]).content.decode()
    assert shown_command(page) == "docker run --name linked -e DB_PASSWORD=hunter2 nginx:1.27"
    again = admin_client.get(response["Location"]).content.decode()
    assert "hunter2" not in again, "the session's copy is read once"


def test_pull_it_first_comes_back_to_the_form_without_the_command_in_the_address(
    admin_client, docker_api
):
    absent = f"{support.REGISTRY}/dockside-test/absent:v9"
    response = admin_client.post(
        "/containers/run/", run_data(image=absent, env="TOKEN=s3cret", pull="never")
    )

    html = response.content.decode()
    hrefs = [unquote(unescape(href)) for href in re.findall(r'href="([^"]*)"', html)]
    assert response.status_code == 404 and not any("s3cret" in href for href in hrefs)
    back = "/containers/run/?pasted=1"
    assert f"next={quote(back)}" in html
    assert "TOKEN=s3cret" in shown_command(admin_client.get(back).content.decode())


def test_pasted_command_that_is_not_docker_run_says_why(admin_client):
    response = admin_client.post("/containers/run/", {"_paste": "1", "pasted": "docker ps -a"})

    assert "only docker run and docker create can fill this form" in text(response.content.decode())


@pytest.mark.parametrize("by", ["box", "link"])
def test_pasted_command_over_64_kb_is_refused_whole_not_cut(admin_client, by):
    # Cut at 64 KB, this would read as a whole command naming the image busybox:lates.
    head, tail = "docker run --name kept ", "busybox:latest"
    pasted = head + " " * (PASTE_LIMIT + 1 - len(head) - len(tail)) + tail

    if by == "box":
        response = admin_client.post("/containers/run/", {"_paste": "1", "pasted": pasted})
    else:
        response = admin_client.get("/containers/run/", {"command": pasted})

    html = response.content.decode()
    assert response.status_code == 400
    problems = re.search(
        r'<div class="banner error" role="alert" id="paste-problems">(.*?)</div>', html, re.S
    )
    assert problems, "the refusal is shown by the paste box"
    assert f"the box takes at most {PASTE_LIMIT:,}" in text(problems.group(1))
    assert 'aria-describedby="paste-problems"' in html
    assert shown_command(html) == "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]", (
        "nothing was read"
    )
    read = re.sub(r'<datalist id="local-images">.*?</datalist>', "", html, flags=re.S)
    assert "busybox:lates" not in read and 'value="kept"' not in read
    assert len(html) < PASTE_LIMIT, "the refused text is not sent back"


def test_a_created_container_docker_would_not_remove_is_named_as_left_behind(
    admin_client, docker_api, monkeypatch
):
    # A healthy engine always removes the container; only a refused removal reaches this path.
    def refuse_removal(container_id, **options):
        raise DockerServiceError(f"removal of {container_id} refused")

    monkeypatch.setattr(docker_service, "remove_container", refuse_removal)
    name = unique("left")

    response = admin_client.post(
        "/containers/run/", run_data(name=name, mode="detach", command="no-such-program")
    )

    left = f"Docker left the created container {name} behind (docker rm {name})."
    errors = field_errors(response.content.decode())
    assert response.status_code == 400
    assert any("There is no program no-such-program" in e and e.endswith(left) for e in errors)
    entry = last_entry("run")
    assert entry.outcome == "failed" and entry.error.endswith(left)
    container = docker_api.inspect_container(name)
    assert not container["State"]["Running"], "it is there, as the page says, and never ran"
    docker_api.remove_container(container["Id"], force=True)
