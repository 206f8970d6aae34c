"""Compose stacks on the real engine and the real Compose tool: a project started from the
CLI is found by its labels, with its services, containers, networks and volumes."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from audit.models import AuditEntry
from stacks.tool import environment, find_tool
from tests import support
from tests.pages import text
from tests.posting import error_at, field_errors, last_entry
from tests.stack_files import two_services

pytestmark = pytest.mark.django_db


def compose(directory: Path, project: str, *args: str) -> subprocess.CompletedProcess:
    tool = find_tool()
    return subprocess.run(
        [*tool.argv, "-p", project, *args],
        cwd=directory,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.fixture
def cli_stack(docker_api, tmp_path):
    """A two-service project started with the Compose CLI, outside Dockside."""
    project = support.run_name("stack").replace(".", "-")
    (tmp_path / "compose.yaml").write_text(two_services())
    compose(tmp_path, project, "up", "-d")
    yield project, tmp_path
    compose(tmp_path, project, "down", "-v", "--timeout", "1")


def test_the_compose_tool_is_the_hosts_own():
    tool = find_tool()

    assert tool.argv[-1] in {"compose", "docker-compose"} or tool.argv[-1].endswith(
        "docker-compose"
    )
    assert shutil.which(tool.argv[0])
    assert tool.version[0].isdigit()
    assert set(environment()) <= {
        "PATH",
        "DOCKER_HOST",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
        "LANG",
        "LC_ALL",
        "HOME",
    }


def test_pages_asking_for_the_tool_at_once_start_it_once(monkeypatch):
    """A busy server's first stack pages once each started `version`, dozens at a time."""
    from stacks import tool as module

    asked = []

    def slow_version(argv):
        asked.append(argv)
        time.sleep(0.2)
        return "2.0.0"

    module._look_for_tool.cache_clear()
    monkeypatch.setattr(module, "_version", slow_version)
    try:
        with ThreadPoolExecutor(8) as pool:
            found = set(pool.map(lambda _: module.find_tool(), range(8)))
    finally:
        module._look_for_tool.cache_clear()

    assert len(found) == 1 and len(asked) == 1


def test_a_stack_started_from_the_cli_is_listed(admin_client, cli_stack):
    project, directory = cli_stack

    page = admin_client.get("/stacks/").content.decode()

    row = next(r for r in page.split("<tr>") if f'href="/stacks/{project}/"' in r)
    assert "running</span>" in row and "2 running, 0 stopped" in text(row)
    assert ">web<" in row and ">worker<" in row
    assert str(directory) in row
    tool = find_tool()
    shown = "docker compose" if len(tool.argv) == 2 else "docker-compose"
    assert f'<code title="{tool.name}">{shown}</code> {tool.version}' in page


def test_a_stack_page_shows_its_services_and_what_it_made(admin_client, cli_stack, docker_api):
    project, _ = cli_stack

    page = admin_client.get(f"/stacks/{project}/").content.decode()

    assert 'id="service-web"' in page and 'id="service-worker"' in page
    assert f"{project}_web_1" in page or f"{project}-web-1" in page
    assert f"{project}_back" in page and f"{project}_data" in page
    assert f'href="/logs/?project={project}"' in page
    assert "as a <code>docker run</code>" in page


def test_a_stopped_container_makes_the_stack_partly_running(admin_client, cli_stack):
    project, directory = cli_stack
    compose(directory, project, "stop", "-t", "1", "worker")

    page = admin_client.get("/stacks/").content.decode()

    row = next(r for r in page.split("<tr>") if f'href="/stacks/{project}/"' in r)
    assert ">partly</span>" in row and "1 running, 1 stopped" in text(row)


def test_an_unknown_stack_is_a_404(admin_client, docker_api):
    response = admin_client.get("/stacks/no-such-project-here/")

    assert response.status_code == 404


# --- stacks Dockside manages: files, config, policy, up and down ------------------------


@pytest.fixture
def stacks_home(settings, tmp_path):
    """The data directory (where stacks' files live) of this test alone."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def managed(stacks_home, docker_api):
    """A project name for a stack made through Dockside, taken down at the end."""
    project = support.run_name("managed").replace(".", "-")
    yield project
    directory = stacks_home / "stacks" / project
    if directory.is_dir():
        compose(directory, project, "down", "-v", "--timeout", "1")


def stack_files() -> str:
    return two_services()


def wait_for_run(client, url: str) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        fragment = client.get(
            url, headers={"HX-Request": "true", "HX-Target": "run-progress"}
        ).content.decode()
        if "hx-trigger" not in fragment:
            return fragment
        time.sleep(0.2)
    raise AssertionError("the run did not end")


@pytest.mark.django_db(transaction=True)
def test_a_stack_is_made_brought_up_and_taken_down_with_its_volume(
    admin_client, managed, stacks_home, docker_api
):
    response = admin_client.post(
        "/stacks/new/", {"name": managed, "compose": stack_files(), "env": "TAG=1\n"}
    )

    assert response.status_code == 302, field_errors(response.content.decode())
    directory = stacks_home / "stacks" / managed
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / "compose.yaml").stat().st_mode) == 0o600
    assert (directory / ".env").read_text() == "TAG=1\n"
    saved = last_entry("stack_save")
    files_named = "-f compose.yaml --env-file .env"
    assert saved.outcome == "succeeded"
    assert saved.command.endswith(f"-p {managed} {files_named} config --quiet")
    assert saved.parameters["env_keys"] == ["TAG"]

    up = admin_client.post(f"/stacks/{managed}/up/", {})
    assert up.status_code == 302
    log = wait_for_run(admin_client, up["Location"])
    assert ">done</span>" in log, log[-2000:]
    assert "Creating" in log or "Created" in log
    assert last_entry("stack_up").outcome == "succeeded"
    page = admin_client.get(f"/stacks/{managed}/").content.decode()
    assert 'id="service-web"' in page and "2 of 2" not in page and "1 of 1 running" in page

    form = admin_client.get(f"/stacks/{managed}/down/").content.decode()
    assert f"{managed}_data" in form and "and its data" in form
    down = admin_client.post(f"/stacks/{managed}/down/", {"volumes": "on"})
    assert ">done</span>" in wait_for_run(admin_client, down["Location"])
    entry = last_entry("stack_down_volumes")
    assert entry.outcome == "succeeded"
    assert entry.command.endswith(f"-p {managed} {files_named} down -v")
    assert not docker_api.containers(
        all=True, filters={"label": f"com.docker.compose.project={managed}"}
    )
    assert not docker_api.volumes(filters={"name": f"{managed}_data"}).get("Volumes")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"compose": "services:\n  web:\n    image: x\n   bad: [\n"}, "compose", "line 4"),
        ({"compose": "services:\n  web:\n    imag: x\n"}, "compose", "Unsupported config option"),
        ({"name": "Shop"}, "name", "lowercase letters"),
        ({"name": "../etc"}, "name", "lowercase letters"),
        ({"env": "JUSTAWORD\n"}, "env", "line 1: write NAME=value"),
    ],
)
def test_bad_files_are_refused_at_their_field_and_nothing_is_written(
    admin_client, stacks_home, data, field, message
):
    fields = {
        "name": "dockside-bad",
        "compose": "services:\n  web:\n    image: x\n",
        "env": "",
        **data,
    }

    response = admin_client.post("/stacks/new/", fields)

    assert response.status_code == 400
    assert message in error_at(response.content.decode(), field)
    assert last_entry("stack_save").outcome == "failed"
    assert not (stacks_home / "stacks" / fields["name"]).exists()


@pytest.mark.parametrize(
    ("service", "named"),
    [
        ("    privileged: true\n", "service web: privileged"),
        ('    volumes: ["/etc:/host-etc"]\n', "service web: volumes: /etc is a host directory"),
        ('    volumes: ["/var/run/docker.sock:/s"]\n', "holds the Docker socket"),
        ("    network_mode: host\n", "service web: network_mode: host"),
        ("    cap_add: [SYS_ADMIN]\n", "service web: cap_add: SYS_ADMIN"),
        ("    env_file: ../../secret_key\n", "env_file: ../../secret_key is outside the stack"),
        ("    build: ../..\n", "service web: build: ../.. is outside the stack"),
        ("    env_file: ${HOME}/x\n", "is named by a variable"),
        ('    volumes_from: ["container:other"]\n', "takes another container's mounts"),
        ('    device_cgroup_rules: ["b 8:* rmw"]\n', "device_cgroup_rules"),
        (
            "volumes:\n  root:\n    driver_opts: {type: none, o: bind, device: /}\n",
            "volume root: / holds the Docker socket",
        ),
    ],
)
def test_the_policy_names_the_service_and_key(operator_client, stacks_home, service, named):
    compose_text = f"services:\n  web:\n    image: {support.BASE_IMAGE}\n{service}"

    response = operator_client.post(
        "/stacks/new/", {"name": "dockside-risky", "compose": compose_text}
    )

    assert response.status_code == 403
    assert named in error_at(response.content.decode(), "compose")
    assert not (stacks_home / "stacks" / "dockside-risky").exists()


def test_the_secret_key_next_door_is_never_read(admin_client, stacks_home, settings):
    (stacks_home / "secret_key").write_text("THE-SERVER-SECRET\n")
    compose_text = (
        f"services:\n  web:\n    image: {support.BASE_IMAGE}\n    env_file: ../../secret_key\n"
    )

    response = admin_client.post("/stacks/new/", {"name": "dockside-peek", "compose": compose_text})

    assert response.status_code == 403, "refused before the tool reads the file"
    assert "THE-SERVER-SECRET" not in response.content.decode()
    assert "THE-SERVER-SECRET" not in str(last_entry("stack_save").__dict__)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "new"}, "name", "names a page of Dockside's"),
        ({"env": "COMPOSE_FILE=/etc/other.yaml\n"}, "env", "COMPOSE_FILE would change which files"),
        ({"env": "DOCKER_HOST=tcp://elsewhere:2375\n"}, "env", "DOCKER_HOST would change"),
    ],
)
def test_names_and_tool_settings_are_refused(admin_client, stacks_home, data, field, message):
    fields = {"name": "dockside-ok", "compose": "services:\n  web:\n    image: x\n", **data}

    response = admin_client.post("/stacks/new/", fields)

    assert response.status_code == 400
    assert message in error_at(response.content.decode(), field)


def test_a_refused_form_keeps_the_env_values_out_of_the_audit_log(admin_client, stacks_home):
    fields = {
        "name": "Bad Name",
        "compose": "services: {}\n",
        "env": "DB_PASSWORD=hunter2\nTAG=1\n",
    }

    assert admin_client.post("/stacks/new/", fields).status_code == 400

    entry = last_entry("stack_save")
    assert "hunter2" not in str(entry.parameters) and "DB_PASSWORD" in str(entry.parameters)


def test_a_project_started_elsewhere_keeps_its_name(admin_client, cli_stack, stacks_home):
    project, _ = cli_stack

    response = admin_client.post("/stacks/new/", {"name": project, "compose": "services: {}\n"})

    assert response.status_code == 400
    assert "started elsewhere" in error_at(response.content.decode(), "name")


def test_an_admins_override_is_in_the_audit_log(admin_client, stacks_home):
    compose_text = f"services:\n  web:\n    image: {support.BASE_IMAGE}\n    privileged: true\n"
    data = {"name": "dockside-override", "compose": compose_text, "override_policy": "on"}

    response = admin_client.post("/stacks/new/", data)

    assert response.status_code == 302
    entry = last_entry("stack_save")
    assert entry.outcome == "succeeded"
    assert "service web: privileged" in str(entry.parameters["policy_override"])


def test_a_viewer_may_not_write_a_stack(viewer_client, stacks_home):
    response = viewer_client.post(
        "/stacks/new/", {"name": "dockside-v", "compose": "services: {}\n"}
    )

    assert response.status_code == 403
    assert not (stacks_home / "stacks" / "dockside-v").exists()


# --- running stacks: scale, restart, stop and start, edit and redeploy, one run at a time


def save_and_up(client, project: str, compose_text: str) -> None:
    saved = client.post("/stacks/new/", {"name": project, "compose": compose_text, "env": ""})
    assert saved.status_code == 302, field_errors(saved.content.decode())
    up = client.post(f"/stacks/{project}/up/", {})
    assert up.status_code == 302, field_errors(up.content.decode())
    assert ">done</span>" in wait_for_run(client, up["Location"])


def service_containers(api, project: str, service: str) -> list[dict]:
    labels = [f"com.docker.compose.project={project}", f"com.docker.compose.service={service}"]
    return api.containers(all=True, filters={"label": labels})


@pytest.mark.django_db(transaction=True)
def test_a_running_stack_is_scaled_restarted_stopped_started_and_redeployed(
    admin_client, managed, docker_api
):
    save_and_up(admin_client, managed, stack_files())
    first_worker = service_containers(docker_api, managed, "worker")[0]["Id"]

    form = admin_client.get(f"/stacks/{managed}/services/web/scale/").content.decode()
    assert 'value="1"' in form, "the form starts at the count running now"
    scaled = admin_client.post(f"/stacks/{managed}/services/web/scale/", {"replicas": "2"})
    assert scaled.status_code == 302, field_errors(scaled.content.decode())
    assert ">done</span>" in wait_for_run(admin_client, scaled["Location"])
    webs = service_containers(docker_api, managed, "web")
    assert len(webs) == 2 and all(c["State"] == "running" for c in webs)
    entry = last_entry("stack_scale")
    assert entry.outcome == "succeeded"
    assert entry.command.endswith("up -d --no-recreate --scale web=2 web")
    page = admin_client.get(f"/stacks/{managed}/").content.decode()
    assert "2 of 2 running" in page
    logs = admin_client.get(f"/logs/?project={managed}&service=web").content.decode()
    followed = re.search(r"/ws/logs/\?([^\"]*)", logs).group(1).replace("&amp;", "&")
    assert sorted(followed.split("&")) == sorted(f"containers={c['Id'][:12]}" for c in webs)

    started = docker_api.inspect_container(webs[0]["Id"])["State"]["StartedAt"]
    restarted = admin_client.post(f"/stacks/{managed}/services/web/restart/", {})
    assert ">done</span>" in wait_for_run(admin_client, restarted["Location"])
    assert docker_api.inspect_container(webs[0]["Id"])["State"]["StartedAt"] != started
    assert last_entry("stack_restart").command.endswith("restart web")

    stopped = admin_client.post(f"/stacks/{managed}/stop/", {})
    assert ">done</span>" in wait_for_run(admin_client, stopped["Location"])
    assert not docker_api.containers(filters={"label": f"com.docker.compose.project={managed}"})
    assert ">stopped</span>" in admin_client.get("/stacks/").content.decode()
    started_again = admin_client.post(f"/stacks/{managed}/start/", {})
    assert ">done</span>" in wait_for_run(admin_client, started_again["Location"])
    running = docker_api.containers(filters={"label": f"com.docker.compose.project={managed}"})
    assert len(running) == 3

    worker = f"  worker:\n    image: {support.BASE_IMAGE}\n"
    edited = stack_files().replace(worker, f"{worker}    environment: {{GREETING: hello}}\n")
    assert edited != stack_files()
    saved = admin_client.post(f"/stacks/{managed}/edit/", {"compose": edited, "env": ""})
    assert saved.status_code == 302, field_errors(saved.content.decode())
    up = admin_client.post(f"/stacks/{managed}/up/", {})
    assert ">done</span>" in wait_for_run(admin_client, up["Location"])
    worker = service_containers(docker_api, managed, "worker")
    assert len(worker) == 1 and worker[0]["Id"] != first_worker, "the changed service is new"
    assert "GREETING=hello" in docker_api.inspect_container(worker[0]["Id"])["Config"]["Env"]
    assert len(service_containers(docker_api, managed, "web")) == 1, "up: back to the file's 1"


@pytest.mark.django_db(transaction=True)
def test_one_run_at_a_time_per_stack(admin_client, managed, docker_api):
    from stacks import files

    saved = admin_client.post("/stacks/new/", {"name": managed, "compose": stack_files()})
    assert saved.status_code == 302

    with files.locked(managed):
        response = admin_client.post(f"/stacks/{managed}/up/", {})
        edit = admin_client.post(f"/stacks/{managed}/edit/", {"compose": stack_files()})

    assert response.status_code == 409
    assert "is busy" in response.content.decode()
    assert last_entry("stack_up").outcome == "failed"
    assert edit.status_code == 409 and last_entry("stack_save").outcome == "failed"
    assert not docker_api.containers(
        all=True, filters={"label": f"com.docker.compose.project={managed}"}
    )


def test_service_actions_need_a_service_of_the_stack(admin_client, stacks_home, docker_api):
    saved = admin_client.post(
        "/stacks/new/",
        {
            "name": "dockside-svc",
            "compose": f"services:\n  web:\n    image: {support.BASE_IMAGE}\n",
        },
    )
    assert saved.status_code == 302, field_errors(saved.content.decode())

    assert admin_client.get("/stacks/dockside-svc/services/nope/scale/").status_code == 404
    assert admin_client.get("/stacks/dockside-svc/services/web/scale/").status_code == 200
    assert admin_client.get("/stacks/dockside-svc/services/web/kill/").status_code == 404
    bad = admin_client.post("/stacks/dockside-svc/services/web/scale/", {"replicas": "99"})
    assert bad.status_code == 400 and "less than or equal to 20" in error_at(
        bad.content.decode(), "replicas"
    )
    assert last_entry("stack_scale").outcome == "failed"


def test_a_viewer_may_not_scale(viewer_client, admin_client, stacks_home, docker_api):
    admin_client.post(
        "/stacks/new/",
        {"name": "dockside-vs", "compose": f"services:\n  web:\n    image: {support.BASE_IMAGE}\n"},
    )

    response = viewer_client.post("/stacks/dockside-vs/services/web/scale/", {"replicas": "2"})

    assert response.status_code == 403


TAUGHT_FILE = """\
services:
  web:
    image: {image}
    entrypoint: ["/bin/sh", "-c"]
    command: ["sleep 600"]
    working_dir: /srv
    user: "1000:1000"
    hostname: webhost
    environment: {{GREETING: hello, API_TOKEN: s3cret, PRICE: "5$$"}}
    labels: {{{label}: "{run}"}}
    ports: ["127.0.0.1::8080"]
    volumes: ["data:/data", {{type: tmpfs, target: /run/cache}}]
    restart: unless-stopped
    stop_signal: SIGKILL
    stop_grace_period: 5s
    cap_drop: [NET_RAW]
    read_only: true
    init: true
    extra_hosts: ["db.local:127.0.0.2"]
    healthcheck: {{test: ["CMD-SHELL", "true"], interval: 30s, retries: 2}}
    networks: {{back: {{aliases: [www]}}}}
networks:
  back:
    labels: {{{label}: "{run}"}}
volumes:
  data:
    labels: {{{label}: "{run}"}}
"""


def _compared(inspected: dict, project: str) -> dict:
    """What must be the same in a container made by Compose and one made by the CLI (the
    project's name taken out of the names of what it uses)."""
    config, host = inspected["Config"], inspected["HostConfig"]
    networks = inspected["NetworkSettings"]["Networks"]
    return {
        "config": {
            key: config.get(key)
            for key in (
                "Image",
                "WorkingDir",
                "User",
                "Hostname",
                "StopSignal",
                "StopTimeout",
                "Healthcheck",
                "ExposedPorts",
            )
        },
        "runs": [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])],
        "env": sorted(config["Env"]),
        "label": config["Labels"].get(support.TEST_LABEL),
        "host": {
            key: host.get(key)
            for key in (
                "RestartPolicy",
                "ReadonlyRootfs",
                "Init",
                "ExtraHosts",
                "Tmpfs",
            )
        },
        "caps": sorted(c.removeprefix("CAP_") for c in host.get("CapDrop") or []),
        "ports": {
            port: [binding["HostIp"] for binding in bindings]
            for port, bindings in (host.get("PortBindings") or {}).items()
        },
        "mounts": sorted(
            (m["Type"], m["Destination"], m["RW"], m.get("Name", "").replace(project, "P"))
            for m in inspected["Mounts"]
        ),
        "networks": {
            name.replace(project, "P"): sorted(
                set(settings["Aliases"] or []) - {inspected["Id"][:12]}
            )
            for name, settings in networks.items()
        },
    }


@pytest.mark.django_db(transaction=True)
def test_each_service_as_docker_run_makes_the_same_container(admin_client, managed, docker_api):
    """The stack page's `docker run` of a service, run by the real CLI under another project
    name, makes a container configured as Compose's is."""
    from stacks.as_run import as_run
    from stacks.forms import tool_name
    from stacks.resolved import resolved_config

    taught = TAUGHT_FILE.format(
        image=support.BASE_IMAGE, label=support.TEST_LABEL, run=support.RUN_ID
    )
    save_and_up(admin_client, managed, taught)
    page = admin_client.get(f"/stacks/{managed}/").content.decode()
    assert 'id="as-run-web"' in page and "API_TOKEN=••••••" in page and "s3cret" not in page
    assert "docker volume create" in page and f"{managed}_data" in page

    other = f"{managed}-cli"
    made = as_run(resolved_config(managed), other, tool_name() == "docker compose")
    (web,) = made.services
    names = [args[-1] for args in made.before]
    try:
        for args in made.before:
            label = ["--label", f"{support.TEST_LABEL}={support.RUN_ID}"]
            subprocess.run([*args[:3], *label, *args[3:]], check=True, capture_output=True)
        ran = subprocess.run(web.argv, capture_output=True, text=True, check=False)
        assert ran.returncode == 0, ran.stderr
        for args in web.after:
            subprocess.run(args, check=True, capture_output=True)
        composed = service_containers(docker_api, managed, "web")[0]["Id"]
        by_hand = docker_api.inspect_container(web.container)

        assert _compared(by_hand, other) == _compared(
            docker_api.inspect_container(composed), managed
        )
    finally:
        subprocess.run(["docker", "rm", "-f", web.container], capture_output=True, check=False)
        for name in names:
            kind = "volume" if name.endswith("_data") else "network"
            subprocess.run(["docker", kind, "rm", name], capture_output=True, check=False)


# --- a new stack started from a container or a pasted docker run ------------------------


def textarea(html: str, name: str) -> str:
    from html import unescape

    found = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert found, f"no textarea {name}"
    return unescape(found.group(1))


def test_a_stack_starts_from_a_container_with_its_secrets_in_env(
    admin_client, stacks_home, make_container
):
    container = make_container(hint="start", environment=["API_TOKEN=s3cret", "MODE=fast"])

    page = admin_client.get(f"/stacks/new/?container={container['Id'][:12]}")

    assert page.status_code == 200
    html = page.content.decode()
    compose_text, env = textarea(html, "compose"), textarea(html, "env")
    assert 'API_TOKEN: "${API_TOKEN}"' in compose_text and "MODE: fast" in compose_text
    assert "s3cret" not in compose_text and env == "API_TOKEN=s3cret\n"
    assert "container_name" not in compose_text.split("services:")[1]
    assert "network_mode: none" in compose_text
    saved = admin_client.post(
        "/stacks/new/", {"name": "dockside-started", "compose": compose_text, "env": env}
    )
    assert saved.status_code == 302, field_errors(saved.content.decode())
    assert not AuditEntry.objects.filter(parameters__icontains="s3cret").exists()


def test_a_stack_starts_from_a_pasted_docker_run(admin_client, stacks_home, docker_api):
    pasted = (
        f"docker run -d --name shop-web -e DB_PASSWORD=hunter2 -p 127.0.0.1:8080:80"
        f" --restart unless-stopped {support.BASE_IMAGE} sleep 600"
    )

    page = admin_client.post("/stacks/new/", {"_paste": "1", "pasted": pasted})

    assert page.status_code == 200
    html = page.content.decode()
    compose_text = textarea(html, "compose")
    assert "  shop-web:\n" in compose_text and "127.0.0.1:8080:80" in compose_text
    assert (
        'DB_PASSWORD: "${DB_PASSWORD}"' in compose_text
        and "restart: unless-stopped" in compose_text
    )
    assert textarea(html, "env") == "DB_PASSWORD=hunter2\n"
    assert 'value="shop-web"' in html, "the stack's name offered from the service's"
    assert not (stacks_home / "stacks" / "shop-web").exists(), "filled in, not saved"


@pytest.mark.parametrize(
    ("pasted", "said"),
    [
        ("docker run -v $PWD:/src busybox", "a shell would fill it in"),
        ("docker ps", "docker run"),
        ("docker run --cpus lots busybox", "cpus"),
    ],
)
def test_a_paste_that_cannot_fill_the_files_says_why(admin_client, stacks_home, pasted, said):
    page = admin_client.post("/stacks/new/", {"_paste": "1", "pasted": pasted})

    assert page.status_code == 400
    problems = re.search(r'id="paste-problems">(.*?)</div>', page.content.decode(), re.S)
    assert said in problems.group(1)


@pytest.mark.parametrize(
    ("user", "refused"), [("", True), ('    user: "0"\n', True), ('    user: "1000"\n', False)]
)
def test_root_with_host_directories_follows_the_policy(
    operator_client, stacks_home, tmp_path, docker_api, user, refused
):
    from access.models import HostPolicy

    shared = tmp_path / "shared"
    shared.mkdir()
    HostPolicy.objects.update_or_create(pk=1, defaults={"bind_roots": str(shared)})
    compose_text = (
        f"services:\n  web:\n    image: {support.BASE_IMAGE}\n"
        f'    volumes: ["{shared}:/data"]\n{user}'
    )

    response = operator_client.post(
        "/stacks/new/", {"name": "dockside-root", "compose": compose_text}
    )

    if refused:
        assert response.status_code == 403
        assert "service web: user: root (user 0)" in error_at(response.content.decode(), "compose")
    else:
        assert response.status_code == 302, field_errors(response.content.decode())


@pytest.mark.django_db(transaction=True)
def test_a_run_is_seen_from_its_record_where_the_process_does_not_hold_it(
    admin_client, managed, docker_api
):
    """What a page served by another Dockside process shows: the run's record, written as
    it went; and a run whose process stopped writing reads as ended, not running forever."""
    from datetime import UTC, datetime, timedelta

    from containers_app.jobs import store
    from containers_app.models import JobRecord

    saved = admin_client.post("/stacks/new/", {"name": managed, "compose": stack_files()})
    assert saved.status_code == 302
    up = admin_client.post(f"/stacks/{managed}/up/", {})
    assert ">done</span>" in wait_for_run(admin_client, up["Location"])
    job_id = up["Location"].rstrip("/").rsplit("/", 1)[1]
    with store._lock:
        del store._jobs[job_id]  # as in another process: only the record is there

    page = admin_client.get(up["Location"]).content.decode()
    assert ">done</span>" in page and f"-p {managed}" in page
    assert re.search(r"Creat(ing|ed)", page)
    assert (
        f"/stacks/{managed}/runs/{job_id}/"
        in admin_client.get(f"/stacks/{managed}/").content.decode()
    )

    JobRecord.objects.filter(id=job_id).update(
        done=False, heartbeat=datetime.now(UTC) - timedelta(minutes=1)
    )
    record = JobRecord.objects.get(id=job_id)
    record.data = {**record.data, "finished": None}
    record.save()
    stale = admin_client.get(up["Location"]).content.decode()
    assert ">failed</span>" in stale and "stopped before it ended" in stale
