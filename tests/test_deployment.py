"""The deployment files: docker-compose.yml read by the real Compose tool (`config`), and
the Dockerfile's shape. (Building the image needs the python and node base images, which
no registry here can give: see README, "Production".)"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import yaml

from stacks.tool import environment, find_tool
from tests.support import ROOT


def compose_config(directory, env_text: str) -> subprocess.CompletedProcess:
    shutil.copy(ROOT / "docker-compose.yml", directory / "docker-compose.yml")
    shutil.copy(ROOT / "Dockerfile", directory / "Dockerfile")
    (directory / ".env").write_text(env_text)
    return subprocess.run(
        [*find_tool().argv, "-f", "docker-compose.yml", "config"],
        cwd=directory, env=environment(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_the_compose_file_is_valid_with_its_secrets_from_the_env_file(tmp_path):
    done = compose_config(tmp_path, "SECRET_KEY=the-key\nPOSTGRES_PASSWORD=pw-42\n")

    assert done.returncode == 0, done.stderr
    config = yaml.safe_load(done.stdout)
    services = config["services"]
    assert set(services) == {"dockside", "db", "redis"}
    dockside = services["dockside"]
    assert dockside["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert all("healthcheck" in service for service in services.values())
    assert dockside["environment"]["DATABASE_URL"] == "postgres://dockside:pw-42@db:5432/dockside"
    assert dockside["environment"]["SECRET_KEY"] == "the-key"
    assert set(config["volumes"]) == {"dockside-data", "dockside-db"}
    published = [str(port) for port in dockside["ports"]]
    assert all("127.0.0.1" in port for port in published), "loopback only"


def test_the_compose_file_refuses_to_start_without_its_secrets(tmp_path):
    done = compose_config(tmp_path, "")

    assert done.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in done.stderr + done.stdout


def test_the_dockerfile_copies_every_package_runs_unprivileged_and_checks_health():
    dockerfile = (ROOT / "Dockerfile").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]

    for package in packages:
        assert f"COPY {package} ./{package}\n" in dockerfile, f"{package} is not in the image"
    assert re.search(r"^USER dockside$", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "manage.py migrate --noinput && exec python manage.py serve" in dockerfile
    assert ".env" in (ROOT / ".gitignore").read_text().split()
