"""What the tests and the benchmarks share: the base image, the naming rules, a live Daphne.

Everything the suite creates on the engine carries the label `dockside.test`
and a name starting with `dockside-test-`, so cleanup never touches anything else.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import docker
import requests

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
BUSYBOX = Path("/bin/busybox")
BASE_IMAGE = "dockside-test/busybox:latest"
# Containers, volumes and networks the suite makes carry TEST_LABEL; images carry IMAGE_LABEL.
# They must differ: a container inherits its image's labels, and a label on the base image
# would mark every container anyone makes from it as the suite's.
TEST_LABEL = "dockside.test"
IMAGE_LABEL = "dockside.test.image"
BASE_IMAGE_VERSION = "base-3"  # bump when busybox_rootfs_tar changes: the image is rebuilt
NAME_PREFIX = "dockside-test-"
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


def ensure_base_image(api: docker.APIClient) -> bool:
    """Import the base image unless it is there, current; True when this call created it."""
    existing = api.images(name=BASE_IMAGE)
    if existing and (existing[0].get("Labels") or {}).get(IMAGE_LABEL) == BASE_IMAGE_VERSION:
        return False
    repository, tag = BASE_IMAGE.rsplit(":", 1)
    api.import_image_from_data(
        busybox_rootfs_tar(),
        repository=repository,
        tag=tag,
        changes=[f"LABEL {IMAGE_LABEL}={BASE_IMAGE_VERSION}", 'CMD ["/bin/sh"]'],
    )
    return True


BENCH_LABEL = f"{TEST_LABEL}=bench"  # benchmarks' containers: they remove only these


def start_bench_container(api: docker.APIClient, command: list[str], name: str) -> str:
    """A benchmark's container (base image, no network, BENCH_LABEL), started; its id."""
    container = api.create_container(
        BASE_IMAGE,
        command=command,
        name=f"{NAME_PREFIX}bench-{name}",
        labels={TEST_LABEL: "bench"},
        host_config=api.create_host_config(network_mode="none"),
    )
    api.start(container["Id"])
    return container["Id"]


def remove_bench_containers(api: docker.APIClient) -> None:
    for container in api.containers(all=True, filters={"label": BENCH_LABEL}):
        api.remove_container(container["Id"], force=True)


def remove_test_objects(api: docker.APIClient) -> None:
    """Remove every container, image, volume and network the suite labelled or named."""
    for container in api.containers(all=True, filters={"label": TEST_LABEL}):
        api.remove_container(container["Id"], force=True, v=True)
    for container in api.containers(all=True, filters={"name": NAME_PREFIX}):
        if container["Names"] and container["Names"][0].lstrip("/").startswith(NAME_PREFIX):
            api.remove_container(container["Id"], force=True, v=True)
    for volume in (api.volumes() or {}).get("Volumes") or []:
        labels = volume.get("Labels") or {}
        if TEST_LABEL in labels or volume["Name"].startswith(NAME_PREFIX):
            api.remove_volume(volume["Name"], force=True)
    for network in api.networks(filters={"label": TEST_LABEL}):
        api.remove_network(network["Id"])


def remove_test_images(api: docker.APIClient) -> None:
    """Remove the images the suite built, committed, tagged or imported (never the base).

    Children go before their parents: a pass removes what it can, the next the rest.
    """
    for _ in range(10):
        leftovers = False
        for image in api.images(all=True, filters={"label": IMAGE_LABEL}):
            tags = image.get("RepoTags") or []
            names = [tag for tag in tags if tag not in {BASE_IMAGE, "<none>:<none>"}]
            if BASE_IMAGE in tags and not names:
                continue
            try:
                if BASE_IMAGE in tags:
                    for name in names:
                        api.remove_image(name, force=True)
                else:
                    api.remove_image(image["Id"], force=True)
            except docker.errors.NotFound:
                pass
            except docker.errors.APIError:
                leftovers = True
        if not leftovers:
            return
    raise RuntimeError("some test images could not be removed")


REGISTRY = "127.0.0.1:5000"
REGISTRY_CONFIG = """\
version: 0.1
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5000
"""


def registry_answers() -> bool:
    try:
        return requests.get(f"http://{REGISTRY}/v2/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@contextmanager
def local_registry(data_dir: Path) -> Iterator[str]:
    """Debian's docker-registry on 127.0.0.1:5000, without auth, storing under data_dir.

    An already running registry there is used as it is (and left running).
    """
    if registry_answers():
        yield REGISTRY
        return
    binary = shutil.which("docker-registry")
    if binary is None:
        raise RuntimeError("docker-registry is missing: apt-get install -y docker-registry")
    config = data_dir / "registry.yml"
    config.write_text(REGISTRY_CONFIG.format(root=data_dir / "storage"))
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    data_dir: Path

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
def live_daphne(data_dir: Path, extra_env: dict | None = None) -> Iterator[LiveServer]:
    """Daphne serving Dockside on a free loopback port, with its own database and an admin."""
    env = {
        **os.environ,
        "DOCKSIDE_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DEBUG": "0",
        **(extra_env or {}),
    }
    env.pop("DATABASE_URL", None)
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
    log = open(data_dir / "daphne.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), ASGI_APP],
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
                raise RuntimeError(f"daphne exited: {(data_dir / 'daphne.log').read_text()}")
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("daphne did not answer within 30 s")
            time.sleep(0.1)
        yield LiveServer(url, process, data_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
