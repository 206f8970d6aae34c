"""Compose stacks on the real engine and the real Compose tool: a project started from the
CLI is found by its labels, with its services, containers, networks and volumes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from stacks.tool import environment, find_tool
from tests import support
from tests.pages import text

pytestmark = pytest.mark.django_db

COMPOSE_FILE = """\
services:
  web:
    image: {image}
    command: ["sleep", "600"]
    stop_signal: SIGKILL
    labels: {{{label}: "{run}"}}
    networks: [back]
    volumes: ["data:/data"]
  worker:
    image: {image}
    command: ["sleep", "600"]
    stop_signal: SIGKILL
    labels: {{{label}: "{run}"}}
    networks: [back]
networks:
  back:
    labels: {{{label}: "{run}"}}
volumes:
  data:
    labels: {{{label}: "{run}"}}
"""


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
    (tmp_path / "compose.yaml").write_text(
        COMPOSE_FILE.format(image=support.BASE_IMAGE, label=support.TEST_LABEL, run=support.RUN_ID)
    )
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


def test_a_stack_started_from_the_cli_is_listed(admin_client, cli_stack):
    project, directory = cli_stack

    page = admin_client.get("/stacks/").content.decode()

    row = next(r for r in page.split("<tr>") if f'href="/stacks/{project}/"' in r)
    assert "running</span>" in row and "2 running, 0 stopped" in text(row)
    assert ">web<" in row and ">worker<" in row
    assert str(directory) in row
    tool = find_tool()
    assert f"{tool.name}</code> {tool.version}" in page


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
