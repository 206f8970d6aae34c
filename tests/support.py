"""What the tests and the benchmarks share: this run's objects, a registry, a live Daphne.

Several runs may share one engine (two suites, a suite and a benchmark, CI
beside a developer). Each run labels what it makes with its own value,
RUN_ID (when it started, its process, its host), imports its own base image
(so every image built from it, and every container made from those, carries
the run's value too: images pass their labels on), starts its own registry on
a free port, and at the end removes what carries its value. Snapshots and
counts look at the run's own objects only. Leftovers of another run are
removed only when that run started before this one and is over (its process
is gone) or started hours ago.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import docker
import requests

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
BUSYBOX = Path("/bin/busybox")


def _host() -> str:
    """This host and PID namespace: a process id means something only within both."""
    name = re.sub(r"[^a-z0-9]", "", socket.gethostname().lower())[:20] or "host"
    try:
        return f"{name}n{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return name


HOST = _host()
RUN_STARTED = time.time()
RUN_ID = f"{int(RUN_STARTED)}-{os.getpid()}-{HOST}"
RUN_KEY = hashlib.sha256(RUN_ID.encode()).hexdigest()[:6]  # short, for names
STALE_AFTER = 6 * 3600  # a run that started longer ago than this is over, whatever its process
# Containers, volumes and networks a run makes carry TEST_LABEL=RUN_ID; images carry
# IMAGE_LABEL=RUN_ID, and pass it on to the containers made from them. The keys differ so
# that a container made by the Docker CLI or a form, unlabelled, is still known as the run's.
TEST_LABEL = "dockside.test"
IMAGE_LABEL = "dockside.test.image"
RUN_LABEL = f"{TEST_LABEL}={RUN_ID}"
BASE_IMAGE = f"dockside-test/busybox:{RUN_ID}"
NAME_PREFIX = f"dockside-test-{RUN_KEY}-"
ASGI_APP = "dashboard.asgi:application"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "dockside-admin-pw-9"


# A long-running test process that ends at once on SIGTERM (PID 1 ignores it otherwise).
IDLE_COMMAND = ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]


def docker_api() -> docker.APIClient:
    kwargs = docker.utils.kwargs_from_env()
    return docker.APIClient(version="auto", timeout=120, max_pool_size=32, **kwargs)


def busybox_rootfs_tar() -> bytes:
    """A root file system holding the static busybox and a link per applet."""
    if not BUSYBOX.exists():
        raise RuntimeError("/bin/busybox is missing: apt-get install -y busybox-static")
    applets = subprocess.run(
        [str(BUSYBOX), "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for directory in ("bin", "etc", "tmp", "root", "proc", "sys", "dev", "var", "home"):
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if directory == "tmp" else 0o755
            tar.addfile(info)
        tar.add(BUSYBOX, arcname="bin/busybox")
        for applet in applets:
            if applet == "busybox":
                continue
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            tar.addfile(link)
        for name, text in {
            "etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
            "etc/group": "root:x:0:\nnogroup:x:65534:\n",
        }.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def import_base_image(api: docker.APIClient) -> None:
    """This run's base image, imported from the static busybox (no registry is reachable)."""
    repository, tag = BASE_IMAGE.rsplit(":", 1)
    api.import_image_from_data(
        busybox_rootfs_tar(),
        repository=repository,
        tag=tag,
        changes=[f"LABEL {IMAGE_LABEL}={RUN_ID}", 'CMD ["/bin/sh"]'],
    )


def run_labels(**more: str) -> dict[str, str]:
    """The labels of a container, volume or network this run makes."""
    return {TEST_LABEL: RUN_ID, **more}


def run_name(hint: str) -> str:
    """A unique name for something of this run's (volumes made by name are found by it)."""
    return f"{NAME_PREFIX}{hint}-{uuid.uuid4().hex[:8]}"


def start_bench_container(api: docker.APIClient, command: list[str], name: str) -> str:
    """A benchmark's container (base image, no network, this run's label), started; its id."""
    container = api.create_container(
        BASE_IMAGE,
        command=command,
        name=f"{NAME_PREFIX}bench-{name}",
        labels=run_labels(),
        host_config=api.create_host_config(network_mode="none"),
    )
    api.start(container["Id"])
    return container["Id"]


# --- what belongs to which run ----------------------------------------------------------


def run_containers(api: docker.APIClient, run: str = RUN_ID, all: bool = True) -> list[dict]:
    """The run's containers: labelled by it, or made from one of its images."""
    found: dict[str, dict] = {}
    for key in (TEST_LABEL, IMAGE_LABEL):
        for container in api.containers(all=all, filters={"label": f"{key}={run}"}):
            found[container["Id"]] = container
    return list(found.values())


def run_volumes(api: docker.APIClient, run: str = RUN_ID) -> list[dict]:
    """The run's volumes: labelled, named by it, or mounted by its containers."""
    key = hashlib.sha256(run.encode()).hexdigest()[:6]
    mounted = {
        mount.get("Name")
        for container in run_containers(api, run)
        for mount in container.get("Mounts") or []
    }
    return [
        volume
        for volume in (api.volumes() or {}).get("Volumes") or []
        if (volume.get("Labels") or {}).get(TEST_LABEL) == run
        or volume["Name"].startswith(f"dockside-test-{key}-")
        or volume["Name"] in mounted
    ]


def engine_state(api: docker.APIClient) -> tuple:
    """Everything of this run's that a refused form must leave as it was."""
    containers = {(c["Id"], c["State"]) for c in run_containers(api)}
    images = {i["Id"] for i in api.images(all=True, filters={"label": f"{IMAGE_LABEL}={RUN_ID}"})}
    volumes = {v["Name"] for v in run_volumes(api)}
    networks = {n["Id"] for n in api.networks(filters={"label": RUN_LABEL})}
    return containers, images, volumes, networks


def remove_run_objects(api: docker.APIClient, run: str = RUN_ID) -> None:
    """Remove every container, volume, network and image of one run."""
    for container in run_containers(api, run):
        with suppress(docker.errors.NotFound):
            api.remove_container(container["Id"], force=True, v=True)
    for volume in run_volumes(api, run):
        with suppress(docker.errors.NotFound):
            api.remove_volume(volume["Name"], force=True)
    for network in api.networks(filters={"label": f"{TEST_LABEL}={run}"}):
        with suppress(docker.errors.NotFound):
            api.remove_network(network["Id"])
    remove_run_images(api, run)


def remove_run_images(api: docker.APIClient, run: str) -> None:
    """The run's images, every tag of them; children go before their parents."""
    for _ in range(10):
        leftovers = False
        for image in api.images(all=True, filters={"label": f"{IMAGE_LABEL}={run}"}):
            targets = [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]
            try:
                for target in targets or [image["Id"]]:
                    api.remove_image(target, force=True)
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError:
                leftovers = True
        if not leftovers:
            return
    raise RuntimeError(f"some images of run {run} could not be removed")


def run_is_over(run: str, created: float) -> bool:
    """Whether another run's objects are leftovers: it started before this one and is over.

    `created` is when the object was made, for labels of an older suite that named no run.
    """
    started, _, rest = run.partition("-")
    pid, _, host = rest.partition("-")
    if not (started.isdigit() and pid.isdigit()):
        return created < RUN_STARTED
    if int(started) >= int(RUN_STARTED) or run == RUN_ID:
        return False
    if int(started) < RUN_STARTED - STALE_AFTER:
        return True
    if host != HOST:
        return False  # a run on another machine: only its age tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def remove_leftovers(api: docker.APIClient) -> None:
    """Remove what crashed runs left behind, and nothing of a run that may still be going."""
    runs: dict[str, float] = {}
    for container in api.containers(all=True, filters={"label": TEST_LABEL}):
        value = container["Labels"][TEST_LABEL]
        runs[value] = min(runs.get(value, container["Created"]), container["Created"])
    for image in api.images(all=True, filters={"label": IMAGE_LABEL}):
        value = (image.get("Labels") or {})[IMAGE_LABEL]
        runs[value] = min(runs.get(value, image["Created"]), image["Created"])
    for network in api.networks(filters={"label": TEST_LABEL}):
        runs.setdefault(network["Labels"][TEST_LABEL], 0)
    for volume in (api.volumes(filters={"label": TEST_LABEL}) or {}).get("Volumes") or []:
        runs.setdefault(volume["Labels"][TEST_LABEL], 0)
    for run, created in runs.items():
        if run_is_over(run, created):
            remove_run_objects(api, run)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# This run's own registry (the engine trusts plain HTTP on 127.0.0.0/8).
REGISTRY = f"127.0.0.1:{free_port()}"
AUTH_REGISTRY = f"127.0.0.1:{free_port()}"  # the one that asks for a login
REGISTRY_CONFIG = """\
version: 0.1
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: {address}
"""


def registry_answers() -> bool:
    try:
        return requests.get(f"http://{REGISTRY}/v2/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@contextmanager
def local_registry(data_dir: Path) -> Iterator[str]:
    """Debian's docker-registry on REGISTRY, without auth, storing under data_dir."""
    binary = shutil.which("docker-registry")
    if binary is None:
        raise RuntimeError("docker-registry is missing: apt-get install -y docker-registry")
    config = data_dir / "registry.yml"
    config.write_text(REGISTRY_CONFIG.format(root=data_dir / "storage", address=REGISTRY))
    log = open(data_dir / "registry.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while not registry_answers():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the registry did not start: {(data_dir / 'registry.log').read_text()}"
                )
            time.sleep(0.1)
        yield REGISTRY
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


REGISTRY_AUTH_CONFIG = (
    REGISTRY_CONFIG
    + """\
auth:
  htpasswd:
    realm: dockside-test
    path: {htpasswd}
"""
)


@dataclass(frozen=True)
class AuthRegistry:
    address: str
    username: str
    password: str
    log: Path


@contextmanager
def auth_registry(data_dir: Path) -> Iterator[AuthRegistry]:
    """Debian's docker-registry on AUTH_REGISTRY with htpasswd authentication (a bcrypt
    file made by `htpasswd -B`)."""
    binary, htpasswd = shutil.which("docker-registry"), shutil.which("htpasswd")
    if binary is None or htpasswd is None:
        raise RuntimeError("apt-get install -y docker-registry apache2-utils")
    address, username, password = AUTH_REGISTRY, "dockside", uuid.uuid4().hex
    users = data_dir / "htpasswd"
    made = subprocess.run(
        [htpasswd, "-B", "-i", "-n", username], input=password, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    users.write_text(made.stdout)
    config = data_dir / "registry.yml"
    config.write_text(
        REGISTRY_AUTH_CONFIG.format(root=data_dir / "storage", address=address, htpasswd=users)
    )
    log_path = data_dir / "registry.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"http://{address}/v2/", timeout=2).status_code == 401:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the registry did not start: {log_path.read_text()}")
            time.sleep(0.1)
        yield AuthRegistry(address, username, password, log_path)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def push_to_registry(api: docker.APIClient, source: str, repository: str, tag: str) -> str:
    """Tag `source` as REGISTRY/repository:tag and push it; returns the full reference."""
    target = f"{REGISTRY}/{repository}"
    api.tag(source, target, tag)
    for item in api.push(target, tag=tag, stream=True, decode=True):
        if "error" in item:
            raise RuntimeError(item["error"])
    return f"{target}:{tag}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact (test-artifacts/NAME.png)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    data_dir: Path
    log_path: Path

    def login(self) -> requests.Session:
        """A requests session signed in as the admin, as a browser would be."""
        session = requests.Session()
        page = session.get(f"{self.url}/accounts/login/", timeout=10)
        page.raise_for_status()
        response = session.post(
            f"{self.url}/accounts/login/",
            data={
                "username": ADMIN_USERNAME,
                "password": ADMIN_PASSWORD,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": f"{self.url}/accounts/login/"},
            timeout=10,
        )
        response.raise_for_status()
        if "sessionid" not in session.cookies:
            raise RuntimeError("login to the live server failed")
        return session


def post(session: requests.Session, url: str, data: dict, **kwargs) -> requests.Response:
    """POST a form as the browser would, with the CSRF token from the session's cookie."""
    if "csrftoken" not in session.cookies:
        session.get(url, timeout=10)
    return session.post(
        url,
        data={**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=60,
        **kwargs,
    )


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


@contextmanager
def live_daphne(
    data_dir: Path, extra_env: dict | None = None, *, workers: int = 0, setup: bool = True
) -> Iterator[LiveServer]:
    """Daphne serving Dockside on a free loopback port, with its own database and an admin.

    `extra_env` may name a DATABASE_URL (else the data directory's SQLite); `workers`
    serves through `manage.py serve --workers N` instead of one Daphne; `setup=False`
    starts another server on a database set up already (a second process of one Dockside).
    """
    env = {
        **os.environ,
        "DOCKSIDE_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DEBUG": "0",
        **(extra_env or {}),
    }
    if "DATABASE_URL" not in (extra_env or {}):
        env.pop("DATABASE_URL", None)
    if setup:
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        env["DJANGO_SUPERUSER_PASSWORD"] = ADMIN_PASSWORD
        _manage(
            env,
            "createsuperuser",
            "--noinput",
            "--username",
            ADMIN_USERNAME,
            "--email",
            "a@example.com",
        )
    port = free_port()
    log = open(data_dir / f"daphne-{port}.log", "wb")  # noqa: SIM115 - closed below
    if workers:
        command = [sys.executable, "manage.py", "serve", "--port", str(port)]
        command += ["--workers", str(workers)]
    else:
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), ASGI_APP]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"daphne exited: {Path(log.name).read_text()}")
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("daphne did not answer within 30 s")
            time.sleep(0.1)
        yield LiveServer(url, process, data_dir, Path(log.name))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def user_with_role(role: str, username: str = "", password: str = "a-long-pass-42"):
    """A user of that role (viewer, operator or admin), named after it unless told."""
    from django.contrib.auth import get_user_model

    from access.models import Membership

    user = get_user_model().objects.create_user(username or role, password=password)
    Membership.objects.create(user=user, role=role)
    return user


def backend_urls() -> tuple[str, str]:
    """The PostgreSQL and Redis servers DOCKSIDE_TEST_DATABASE_URL and _REDIS_URL name:
    without them the test is skipped, or fails where DOCKSIDE_REQUIRE_BACKENDS=1 (CI)."""
    import pytest

    database = os.environ.get("DOCKSIDE_TEST_DATABASE_URL", "")
    redis = os.environ.get("DOCKSIDE_TEST_REDIS_URL", "")
    if not (database and redis):
        if os.environ.get("DOCKSIDE_REQUIRE_BACKENDS") == "1":
            pytest.fail("DOCKSIDE_TEST_DATABASE_URL and DOCKSIDE_TEST_REDIS_URL are required")
        pytest.skip("no PostgreSQL and Redis named (DOCKSIDE_TEST_DATABASE_URL, _REDIS_URL)")
    return database, redis


@contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server `server_url` names (its user may
    create databases), dropped at the end: the URL of it."""
    import psycopg

    parts = urlsplit(server_url)
    name = f"dockside_{uuid.uuid4().hex[:12]}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
