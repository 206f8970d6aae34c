"""Every container back as the command that makes it: `/run-command/`, `/compose/`, duplicate.

The CLI is the oracle: a container made by the CLI (or by Compose), made again
from its `/run-command/` by the CLI, equals the original field by field.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import uuid

import pytest

from audit.models import AuditEntry
from tests import support
from tests.inspect_compare import comparable, differences
from tests.posting import field_errors, shown_command
from tests.test_run_flags import CASES, ENGINE_REFUSES, fill

pytestmark = pytest.mark.django_db


def compose_tool() -> list[str] | None:
    """`docker compose` (v2) where the host has it, else `docker-compose` (1.29 on Debian)."""
    v2 = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if v2.returncode == 0:
        return ["docker", "compose"]
    return [found] if (found := shutil.which("docker-compose")) else None


COMPOSE = compose_tool()


def cli(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["docker", *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 or not check, done.stderr
    return done


def run_command_lines(client, ref: str, secrets: bool = True) -> list[str]:
    response = client.get(f"/containers/{ref}/run-command/", {"secrets": "1"} if secrets else {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response.content.decode().splitlines()


def make_again(lines: list[str], name: str, again: str) -> None:
    """Run the commands with the docker CLI, for a container called `again` (created, not run)."""
    for number, line in enumerate(lines):
        argv = shlex.split(line)
        if number == 0:
            assert argv[:2] in (["docker", "run"], ["docker", "create"]), line
            argv[argv.index("--name") + 1] = again
            argv = ["docker", "create", *[a for a in argv[2:] if a != "-d"]]
        else:
            argv = [again if part == name else part for part in argv]
        cli(*argv[1:])


def assert_same(docker_api, first: str, second: str) -> None:
    one = comparable(docker_api.inspect_container(first), (first,))
    other = comparable(docker_api.inspect_container(second), (second,))
    assert not differences(one, other)


@pytest.mark.parametrize("case", [c for c in CASES if c not in ENGINE_REFUSES])
def test_a_cli_container_made_again_from_its_run_command_is_the_same(
    admin_client, docker_api, places, case
):
    name = f"{support.NAME_PREFIX}again-{uuid.uuid4().hex[:8]}"
    cli(
        "create", "--name", name, *shlex.split(fill(case, places)), support.BASE_IMAGE, "sleep", "9"
    )

    lines = run_command_lines(admin_client, name)
    make_again(lines, name, f"{name}-2")

    assert lines[0].startswith("docker create "), "never started: docker create"
    assert_same(docker_api, name, f"{name}-2")


def test_a_running_container_comes_back_as_docker_run_d_with_only_what_differs(
    admin_client, docker_api
):
    name = f"{support.NAME_PREFIX}running-{uuid.uuid4().hex[:8]}"
    cli(
        "run", "-d", "--name", name, "--network", "none", "-l", support.RUN_LABEL,
        "-e", "MODE=demo", "--restart", "unless-stopped", "--memory", "64m",
        "-v", "/data", support.BASE_IMAGE, *support.IDLE_COMMAND,
    )  # fmt: skip

    lines = run_command_lines(admin_client, name)
    make_again(lines, name, f"{name}-2")

    assert lines == [
        f"docker run -d --name {name} -e MODE=demo -v /data --network none"
        f" --restart unless-stopped -l {support.RUN_LABEL} --memory 64m {support.BASE_IMAGE}"
        f" sh -c \"trap 'exit 0' TERM; sleep 600 & wait\""
    ]
    assert_same(docker_api, name, f"{name}-2")


def test_image_settings_and_engine_defaults_are_left_out(admin_client, docker_api, tmp_path):
    tag = f"dockside-test/settings:{uuid.uuid4().hex[:6]}"
    (tmp_path / "Dockerfile").write_text(
        f"FROM {support.BASE_IMAGE}\nENV PATH=/bin:/usr/bin COLOR=blue\nWORKDIR /srv\n"
        "USER nobody\nLABEL team=web\nEXPOSE 8080\nVOLUME /cache\nSTOPSIGNAL SIGQUIT\n"
        'HEALTHCHECK --interval=30s CMD ["true"]\nENTRYPOINT ["/bin/sh", "-c"]\n'
        'CMD ["sleep 600"]\n'
    )
    cli("build", "-q", "-t", tag, str(tmp_path))
    name = f"{support.NAME_PREFIX}image-{uuid.uuid4().hex[:8]}"
    cli("create", "--name", name, "-e", "COLOR=red", "--network", "none", tag)

    (line,) = run_command_lines(admin_client, name)
    make_again([line], name, f"{name}-2")

    assert line == f"docker create --name {name} -e COLOR=red --network none {tag}"
    assert_same(docker_api, name, f"{name}-2")


@pytest.mark.skipif(COMPOSE is None, reason="the docker-compose tool is not installed")
def test_a_compose_service_made_again_from_its_run_command_is_the_same(
    admin_client, docker_api, tmp_path
):
    project = f"{support.NAME_PREFIX}proj-{uuid.uuid4().hex[:6]}".replace(".", "")
    (tmp_path / "docker-compose.yml").write_text(
        f"""\
services:
  web:
    image: {support.BASE_IMAGE}
    command: ["sleep", "600"]
    environment:
      MODE: compose
    labels:
      {support.TEST_LABEL}: "{support.RUN_ID}"
    ports: ["127.0.0.1::8080"]
    volumes: ["data:/data", "/anonymous"]
    cap_add: [NET_ADMIN]
    mem_limit: 64m
    restart: on-failure
    healthcheck:
      test: ["CMD-SHELL", "true"]
      interval: 5s
networks:
  default:
    labels:
      {support.TEST_LABEL}: "{support.RUN_ID}"
volumes:
  data:
    name: {project}-data
    labels:
      {support.TEST_LABEL}: "{support.RUN_ID}"
"""
    )
    compose = [*COMPOSE, "-p", project, "-f", str(tmp_path / "docker-compose.yml")]
    subprocess.run([*compose, "up", "--no-start"], check=True, capture_output=True, timeout=120)
    try:
        (container,) = docker_api.containers(
            all=True, filters={"label": f"com.docker.compose.project={project}"}
        )
        name = container["Names"][0].lstrip("/")

        lines = run_command_lines(admin_client, name)
        make_again(lines, name, f"{name}-2")

        assert f"--network {project}_default --network-alias web" in lines[0]
        assert_same(docker_api, name, f"{name}-2")
    finally:
        cli("rm", "-f", f"{name}-2", check=False)
        subprocess.run([*compose, "down", "-v"], capture_output=True, timeout=120)


def test_secret_looking_values_are_hidden_unless_asked_for(admin_client, docker_api):
    name = f"{support.NAME_PREFIX}secret-{uuid.uuid4().hex[:8]}"
    cli(
        "create", "--name", name, "--network", "none", "-l", support.RUN_LABEL,
        "-e", "DB_PASSWORD=hunter2", "-e", "URL=postgres://app:pw123@db/app",
        support.BASE_IMAGE, "true",
    )  # fmt: skip

    hidden = run_command_lines(admin_client, name, secrets=False)[0]
    shown = run_command_lines(admin_client, name)[0]
    compose = admin_client.get(f"/containers/{name}/compose/").content.decode()
    page = admin_client.get(f"/containers/{name}/").content.decode()

    assert "hunter2" not in hidden and "pw123" not in hidden
    assert "'DB_PASSWORD=••••••'" in hidden and "postgres://app:••••••@db/app" in hidden
    assert "DB_PASSWORD=hunter2" in shown and "pw123" in shown
    assert "hunter2" not in compose and "pw123" not in compose
    assert "hunter2" not in page
    assert 'id="run-command"' in page and "DB_PASSWORD=••••••" in page


@pytest.mark.skipif(COMPOSE is None, reason="the docker-compose tool is not installed")
@pytest.mark.parametrize(
    "case",
    ["ports", "memory", "limits", "devices and groups", "process basics", "health and logs",
     "dns and hosts", "volumes"],
)  # fmt: skip
def test_the_compose_service_makes_the_same_container(
    admin_client, docker_api, places, tmp_path, case
):
    name = f"{support.NAME_PREFIX}composed-{uuid.uuid4().hex[:8]}"
    cli(
        "create", "--name", name, *shlex.split(fill(case, places)), support.BASE_IMAGE, "sleep", "9"
    )
    response = admin_client.get(f"/containers/{name}/compose/", {"secrets": "1"})
    assert response.status_code == 200
    text = response.content.decode().replace(f"container_name: {name}", f"container_name: {name}-c")
    (tmp_path / "compose.yaml").write_text(text)
    compose = [*COMPOSE, "-p", f"{name}-p".replace(".", ""), "-f", str(tmp_path / "compose.yaml")]

    checked = subprocess.run([*compose, "config", "-q"], capture_output=True, text=True)
    made = subprocess.run([*compose, "up", "--no-start"], capture_output=True, text=True)
    try:
        assert checked.returncode == 0, checked.stderr
        assert made.returncode == 0, made.stderr
        one = comparable(docker_api.inspect_container(name), (name,))
        other = comparable(docker_api.inspect_container(f"{name}-c"), (f"{name}-c",))
        compose_adds = {"config.Labels", "host.NetworkMode", "networks.bridge", "networks.none"}
        compose_adds |= {f"networks.{network}" for network in other["networks"]}
        found = {k: v for k, v in differences(one, other).items() if k not in compose_adds}
        assert not found
    finally:
        cli("rm", "-f", f"{name}-c", check=False)


def test_the_container_page_shows_its_command_and_links(admin_client, docker_api):
    name = f"{support.NAME_PREFIX}page-{uuid.uuid4().hex[:8]}"
    cli("create", "--name", name, "--network", "none", "-l", support.RUN_LABEL,
        "--cap-add", "NET_ADMIN", support.BASE_IMAGE, "true")  # fmt: skip

    page = admin_client.get(f"/containers/{name}/").content.decode()

    assert (
        f"docker create --name {name} --network none -l {support.RUN_LABEL} --cap-add NET_ADMIN"
        f" {support.BASE_IMAGE} true"
    ) in page
    assert f'href="/containers/run/?from={docker_api.inspect_container(name)["Id"][:12]}"' in page
    assert "/run-command/?secrets=1" in page and "/compose/" in page


def entries_since(first_id: int) -> list[tuple[str, str, str]]:
    return [
        (entry.action, entry.outcome, entry.command)
        for entry in AuditEntry.objects.filter(id__gt=first_id).order_by("id")
    ]


def last_id() -> int:
    newest = AuditEntry.objects.order_by("-id").first()
    return newest.id if newest else 0


def test_duplicate_fills_the_form_and_replace_takes_the_old_ones_place(admin_client, docker_api):
    name = f"{support.NAME_PREFIX}dup-{uuid.uuid4().hex[:8]}"
    cli("run", "-d", "--name", name, "--network", "none", "-l", support.RUN_LABEL,
        "-e", "VERSION=1", support.BASE_IMAGE, *support.IDLE_COMMAND)  # fmt: skip
    old_id = docker_api.inspect_container(name)["Id"]

    page = admin_client.get("/containers/run/", {"from": name})
    html = page.content.decode()
    form_values = {
        "image": support.BASE_IMAGE, "name": name, "mode": "detach", "network": "none",
        "env": "VERSION=2", "labels": f"{support.TEST_LABEL}={support.RUN_ID}",
        "command": shlex.join(support.IDLE_COMMAND), "restart": "no", "pull": "never",
        "replaces": name, "replace": "on",
    }  # fmt: skip
    first = last_id()
    response = admin_client.post("/containers/run/", form_values)

    assert page.status_code == 200
    assert shown_command(html).startswith(f"docker run -d --name {name} -e VERSION=1")
    assert 'name="replace"' in html and f'value="{name}"' in html
    assert response.status_code == 302, field_errors(response.content.decode())
    new = docker_api.inspect_container(name)
    assert new["Id"] != old_id and new["State"]["Running"]
    assert "VERSION=2" in new["Config"]["Env"]
    assert not docker_api.containers(all=True, filters={"id": old_id})
    aside = f"{name}-replaced-{old_id[:12]}"
    assert [(a, o) for a, o, _ in entries_since(first)] == [
        ("stop", "succeeded"),
        ("rename", "succeeded"),
        ("run", "succeeded"),
        ("remove_container", "succeeded"),
    ]
    assert [c for _, _, c in entries_since(first)][1] == f"docker rename {name} {aside}"


def test_a_replacement_that_cannot_start_leaves_the_old_container_as_it_was(
    admin_client, docker_api
):
    name = f"{support.NAME_PREFIX}keep-{uuid.uuid4().hex[:8]}"
    cli("run", "-d", "--name", name, "--network", "none", "-l", support.RUN_LABEL,
        support.BASE_IMAGE, *support.IDLE_COMMAND)  # fmt: skip
    old_id = docker_api.inspect_container(name)["Id"]
    first = last_id()

    response = admin_client.post(
        "/containers/run/",
        {
            "image": support.BASE_IMAGE, "name": name, "mode": "detach", "network": "none",
            "labels": support.RUN_LABEL, "command": "/no/such/program", "restart": "no",
            "pull": "never", "replaces": name, "replace": "on",
        },
    )  # fmt: skip

    assert response.status_code == 400
    kept = docker_api.inspect_container(name)
    assert kept["Id"] == old_id and kept["State"]["Running"]
    actions = [(a, o) for a, o, _ in entries_since(first)]
    assert actions == [
        ("stop", "succeeded"),
        ("rename", "succeeded"),
        ("run", "failed"),
        ("rename", "succeeded"),
        ("start", "succeeded"),
    ]


def test_duplicate_offers_the_images_other_tags_for_a_rollback(admin_client, docker_api):
    repository = f"dockside-test/rollback-{uuid.uuid4().hex[:6]}"
    for tag in ("1.0", "1.1"):
        docker_api.tag(support.BASE_IMAGE, repository, tag)
    name = f"{support.NAME_PREFIX}tags-{uuid.uuid4().hex[:8]}"
    cli("create", "--name", name, "--network", "none", f"{repository}:1.1", "true")

    html = admin_client.get("/containers/run/", {"from": name}).content.decode()
    older = admin_client.get("/containers/run/", {"from": name, "image": f"{repository}:1.0"})

    assert f"{repository}:1.0</code></a>" in html
    assert f"image={repository}%3A1.0" in html
    assert shown_command(older.content.decode()).endswith(f" {repository}:1.0 true")


def test_the_page_and_the_text_agree_on_a_secret_the_image_sets(admin_client, docker_api, tmp_path):
    tag = f"dockside-test/secret-env:{uuid.uuid4().hex[:6]}"
    (tmp_path / "Dockerfile").write_text(f"FROM {support.BASE_IMAGE}\nENV DB_PASSWORD=baked\n")
    cli("build", "-q", "-t", tag, str(tmp_path))
    name = f"{support.NAME_PREFIX}baked-{uuid.uuid4().hex[:8]}"
    cli("create", "--name", name, "--network", "none", "-l", support.RUN_LABEL,
        "--label", "api_token=sekret", "--log-opt", "max-size=1m", tag, "true")  # fmt: skip

    page = admin_client.get(f"/containers/{name}/").content.decode()
    (line,) = run_command_lines(admin_client, name, secrets=False)

    assert "DB_PASSWORD" not in line, "the image's own value is not the container's to say"
    assert "api_token=••••••" in line and "sekret" not in page
    assert line.replace("'", "&#x27;") in page


def test_a_container_that_runs_with_rm_is_not_replaced(admin_client, docker_api):
    name = f"{support.NAME_PREFIX}rm-{uuid.uuid4().hex[:8]}"
    cli("run", "-d", "--rm", "--name", name, "--network", "none", "-l", support.RUN_LABEL,
        support.BASE_IMAGE, *support.IDLE_COMMAND)  # fmt: skip
    first = last_id()

    response = admin_client.post(
        "/containers/run/",
        {
            "image": support.BASE_IMAGE, "name": name, "mode": "detach", "network": "none",
            "labels": support.RUN_LABEL, "command": "true", "restart": "no", "pull": "never",
            "replaces": name, "replace": "on",
        },
    )  # fmt: skip

    assert response.status_code == 400
    errors = field_errors(response.content.decode())
    assert any("runs with --rm" in error for error in errors), errors
    assert docker_api.inspect_container(name)["State"]["Running"]
    assert [a for a, _, _ in entries_since(first)] == ["run"], "refused before any step"
