"""Save and load (docker save / docker load) through the browser, on the real engine and
checked against the real CLI; the layers view; rollback by tag from image and container."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import tarfile
import uuid
from collections import Counter

import docker
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tests import support
from tests.pages import text
from tests.posting import error_at, last_entry, preview
from tests.test_container_pages import RecordingEngine
from tests.test_engine_unavailable import real_engine_socket
from tests.test_image_pages import build_image

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def versions(docker_api):
    """app:1 and app:2 of one repository (a layer each on the base), removed at the end."""
    repository = f"dockside-test/moves-{uuid.uuid4().hex[:8]}"
    ids = {}
    for version in ("1", "2"):
        ids[version] = build_image(
            docker_api,
            f'FROM {support.BASE_IMAGE}\nRUN echo v{version} > /version\nCMD ["cat", "/version"]\n',
            f"{repository}:{version}",
        )
    yield repository, ids
    for version in ("1", "2"):
        for ref in (f"{repository}:{version}", ids[version]):
            with contextlib.suppress(docker.errors.APIError):
                docker_api.remove_image(ref, force=True)


def manifest(tar_bytes: bytes) -> list[dict]:
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_save_streams_the_tar_the_cli_writes(admin_client, versions, tmp_path):
    repository, _ = versions
    names = f"{repository}:1\n{repository}:2"
    assert preview(admin_client, "/images/save/", {"images": names}) == (
        f"docker save -o images.tar {repository}:1 {repository}:2"
    )

    response = admin_client.post("/images/save/", {"images": names})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="images.tar"'
    ours = b"".join(response)
    cli = tmp_path / "cli.tar"
    subprocess.run(
        ["docker", "save", "-o", str(cli), f"{repository}:1", f"{repository}:2"], check=True
    )
    theirs = cli.read_bytes()
    ours_tags = sorted(tag for item in manifest(ours) for tag in item["RepoTags"])
    assert ours_tags == sorted(tag for item in manifest(theirs) for tag in item["RepoTags"])
    assert sorted(item["Config"] for item in manifest(ours)) == sorted(
        item["Config"] for item in manifest(theirs)
    )
    entry = last_entry("save")
    assert entry.outcome == "succeeded"
    assert entry.command == f"docker save -o images.tar {repository}:1 {repository}:2"


def test_saving_a_missing_image_is_a_404_at_the_field(admin_client):
    response = admin_client.post("/images/save/", {"images": "dockside-test/no-such-image:9"})

    assert response.status_code == 404
    assert "is not on this engine" in error_at(response.content.decode(), "images")
    assert last_entry("save").outcome == "failed"


def test_load_brings_back_what_save_wrote(admin_client, versions, docker_api):
    repository, ids = versions
    saved = b"".join(admin_client.post("/images/save/", {"images": f"{repository}:2"}))
    docker_api.remove_image(f"{repository}:2", force=True)

    response = admin_client.post("/images/load/", {"archive": SimpleUploadedFile("v2.tar", saved)})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Loaded image: {repository}:2" in page
    assert f'href="/images/{repository}:2/"' in page
    assert docker_api.inspect_image(f"{repository}:2")["Id"] == ids["2"]
    entry = last_entry("load")
    assert entry.outcome == "succeeded" and entry.command == "docker load -i v2.tar"
    assert entry.parameters["loaded"] == [f"Loaded image: {repository}:2"]


def test_the_cli_loads_what_dockside_saved(admin_client, versions, docker_api, tmp_path):
    repository, ids = versions
    saved = tmp_path / "ours.tar"
    saved.write_bytes(b"".join(admin_client.post("/images/save/", {"images": f"{repository}:1"})))
    docker_api.remove_image(f"{repository}:1", force=True)

    loaded = subprocess.run(
        ["docker", "load", "-i", str(saved)], check=True, capture_output=True, text=True
    )

    assert f"Loaded image: {repository}:1" in loaded.stdout
    assert docker_api.inspect_image(f"{repository}:1")["Id"] == ids["1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a tar" * 100, "archive"), (b"", "archive")],
)
def test_a_tar_the_engine_cannot_read_is_refused_at_the_field(admin_client, content, message):
    response = admin_client.post(
        "/images/load/", {"archive": SimpleUploadedFile("bad.tar", content)}
    )

    assert response.status_code == 400
    assert error_at(response.content.decode(), "archive")
    assert last_entry("load").outcome == "failed"


def test_the_load_preview_names_the_chosen_file(admin_client):
    assert preview(admin_client, "/images/load/", {"archive_name": "app-1.4.tar"}) == (
        "docker load -i app-1.4.tar"
    )


def test_the_image_page_lists_the_other_tags_for_a_rollback(admin_client, versions):
    repository, _ = versions

    page = text(admin_client.get(f"/images/{repository}:2/").content.decode())

    assert f"Other tags of {repository}" in page
    assert re.search(rf"{re.escape(repository)}:1 created \d{{4}}-\d\d-\d\d", page)


def test_a_container_is_recreated_with_another_tag(admin_client, versions, make_container):
    repository, _ = versions
    container = make_container(image=f"{repository}:2", hint="rollback", start=False)

    detail = admin_client.get(f"/containers/{container['Id'][:12]}/").content.decode()
    assert "Recreate with another tag…" in detail
    form = admin_client.get(f"/containers/run/?from={container['Id'][:12]}").content.decode()
    assert f"?from={container['Id'][:12]}&amp;image={repository}%3A1" in form.replace("%2F", "/")


def layer_rows(html: str) -> list[str]:
    return [text(row) for row in re.findall(r'<li class="stack-row[^"]*">(.*?)</li>', html, re.S)]


def test_the_layers_view_draws_the_stack_and_what_is_shared(
    admin_client, versions, docker_api, make_container
):
    repository, ids = versions
    container = make_container(
        ["sh", "-c", "head -c 300000 /dev/zero > /scratch"], image=f"{repository}:1", hint="layers"
    )
    docker_api.wait(container["Id"], timeout=30)

    html = admin_client.get(f"/images/{ids['1'][7:19]}/layers/").content.decode()

    rows = layer_rows(html)
    assert rows[0].startswith("writable layer"), rows[0]
    assert "300kB" in rows[0] or "300.0kB" in rows[0], rows[0]
    run = next(row for row in rows if "RUN /bin/sh -c echo v1" in row or "RUN echo v1" in row)
    assert "only in this image" in run, "v1's own layer is not v2's"
    cmd = next(row for row in rows if row.startswith("no layer") and "CMD" in row)
    assert cmd
    base = rows[-1]
    assert base.startswith("layer") and f"{repository}:2" in base, "the base layer is shared"
    inspect = docker_api.inspect_image(ids["1"])
    assert f"{len(inspect['RootFS']['Layers'])} layers" in text(html)
    assert "docker history" in html


def test_the_layers_view_reads_each_image_once(admin_client, versions, settings, tmp_path):
    _, ids = versions
    page = f"/images/{ids['1'][7:19]}/layers/"
    engine = RecordingEngine(tmp_path / "engine.sock", real_engine_socket())
    engine.start()
    settings.DOCKER_HOST = f"unix://{engine.path}"
    try:
        admin_client.get(page)  # reads every other image's layers once
        engine.requests.clear()
        assert admin_client.get(page).status_code == 200
    finally:
        engine.stop()

    kinds = Counter(re.sub(r"/images/[^/]+/", "/images/ID/", r) for r in engine.requests)
    assert kinds == Counter(
        {
            "GET /images/ID/json": 1,  # the image itself, not each other image again
            "GET /images/ID/history": 1,
            "GET /images/json": 1,
            "GET /containers/json": 1,
        }
    ), engine.requests


def test_an_image_is_saved_by_its_id(admin_client, versions):
    _, ids = versions

    response = admin_client.post("/images/save/", {"images": ids["1"][7:19]})

    assert response.status_code == 200
    assert manifest(b"".join(response))[0]["Config"].endswith(f"{ids['1'][7:]}.json")


def test_save_streams_through_daphne(daphne_server, versions):
    repository, _ = versions
    session = daphne_server.login()

    response = support.post(
        session, f"{daphne_server.url}/images/save/", {"images": f"{repository}:1"}, stream=True
    )

    assert response.status_code == 200
    assert response.headers.get("Content-Length") is None, "sent as it is read, not buffered"
    assert manifest(response.content)[0]["RepoTags"] == [f"{repository}:1"]


@pytest.mark.parametrize(
    ("url", "setting", "action"),
    [
        ("/images/load/", "DOCKSIDE_LOAD_MAX_MB", "load"),
        ("/images/build/", "DOCKSIDE_UPLOAD_MAX_MB", "build"),
    ],
)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(admin_client, url, setting, action):
    with override_settings(**{setting: 0}):
        response = admin_client.post(url, {"archive": SimpleUploadedFile("a.tar", b"x" * 100)})

    assert response.status_code == 413
    assert setting in response.content.decode()
    assert last_entry(action).outcome == "failed"
