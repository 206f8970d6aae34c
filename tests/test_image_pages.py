"""`/images/` and `/images/<ref>/` against the real engine."""

from __future__ import annotations

import io
import re
import uuid

import pytest

from tests import support
from tests.pages import row_for, table, text

pytestmark = pytest.mark.django_db


def build_image(docker_api, dockerfile: str, tag: str) -> str:
    """`docker build -t TAG` from a Dockerfile on top of the base image; returns the image id."""
    stream = docker_api.build(
        fileobj=io.BytesIO(dockerfile.encode()),
        tag=tag,
        labels={support.IMAGE_LABEL: support.RUN_ID},
        network_mode="none",
        rm=True,
        decode=True,
    )
    for chunk in stream:
        assert "error" not in chunk, chunk
    return docker_api.inspect_image(tag)["Id"]


@pytest.fixture
def built_image(docker_api):
    tag = f"dockside-test/built-{uuid.uuid4().hex[:8]}:v1"
    image_id = build_image(
        docker_api,
        f"FROM {support.BASE_IMAGE}\n"
        "ENV GREETING=hello API_TOKEN=do-not-show\n"
        "EXPOSE 8080/tcp\n"
        "WORKDIR /srv\n"
        "RUN echo built > /srv/greeting\n"
        'CMD ["cat", "/srv/greeting"]\n',
        tag,
    )
    yield tag, image_id
    docker_api.remove_image(image_id, force=True)


def test_image_list_shows_fixture_image_with_docker_images_columns(
    admin_client, built_image, make_container
):
    tag, image_id = built_image
    make_container(image=tag, hint="user1", start=False)
    make_container(image=tag, hint="user2", start=False)
    repository = tag.rsplit(":", 1)[0]

    html = admin_client.get("/images/").content.decode()

    headers, _ = table(html, "image-table")
    assert headers == ["Repository", "Tag", "Image ID", "Created", "Size", "Containers"]
    row = row_for(html, "image-table", repository)
    _shown_repository, shown_tag, short_id, created, size, containers = row.cells
    assert shown_tag == "v1"
    assert short_id == image_id.removeprefix("sha256:")[:12]
    assert created.endswith(" ago")
    assert size.endswith("MB")
    assert containers == "2"
    assert "docker images" in text(html)


def test_image_list_marks_dangling_images(admin_client, docker_api):
    result = docker_api.import_image_from_data(
        support.busybox_rootfs_tar(), changes=[f"LABEL {support.IMAGE_LABEL}={support.RUN_ID}"]
    )
    image_id = next(line for line in result.splitlines() if "sha256:" in line)
    image_id = image_id[image_id.index("sha256:") :].strip().strip('"}')
    short_id = image_id.removeprefix("sha256:")[:12]

    html = admin_client.get("/images/").content.decode()

    row = row_for(html, "image-table", short_id)
    assert row.cells[0] == "<none> dangling"
    assert row.cells[1] == "<none>"
    assert "dangling" in row.attrs.get("class", "")


def test_image_detail_shows_config_and_history(admin_client, built_image):
    tag, image_id = built_image

    by_tag = admin_client.get(f"/images/{tag}/")
    by_id = admin_client.get(f"/images/{image_id.removeprefix('sha256:')}/")

    assert by_tag.status_code == by_id.status_code == 200
    html = by_tag.content.decode()
    page = text(html)
    assert f"docker image inspect {tag}" in page
    assert f"docker history {tag}" in page
    assert "Cmd cat /srv/greeting" in page
    assert "Exposed ports 8080/tcp" in page
    assert "Working dir /srv" in page
    assert "GREETING hello" in page
    assert "do-not-show" not in html
    assert "echo built > /srv/greeting" in page
    _, history = table(html, "history-table")
    assert len(history) >= 5
    assert any("EXPOSE" in row.cells[2] for row in history)
    assert "Imported from -" in page, "the base layer (docker import) is part of the history"


def test_image_detail_lists_containers_made_from_it(admin_client, built_image, make_container):
    tag, _image_id = built_image
    container = make_container(image=tag, hint="fromimage", start=False)

    page = text(admin_client.get(f"/images/{tag}/").content.decode())

    assert container["Name"].lstrip("/") in page


def test_image_detail_of_unknown_image_is_404(admin_client, docker_api):
    response = admin_client.get("/images/dockside-test/no-such-image:nope/")

    assert response.status_code == 404
    page = text(response.content.decode())
    assert "The image dockside-test/no-such-image:nope is not on this engine. Pull it" in page
    assert "nope: no such image" not in page.lower(), "said once (the engine says it twice)"
    assert "The engine's own message No such image: dockside-test/no-such-image:nope" in page


def test_image_list_says_what_its_rows_count_beside_the_headers_images(admin_client, docker_api):
    tag = f"dockside-test/second-tag:{uuid.uuid4().hex[:8]}"
    docker_api.tag(support.BASE_IMAGE, tag)  # one image, two tags: two rows
    try:
        html = admin_client.get("/images/").content.decode()
    finally:
        docker_api.remove_image(tag)

    rows = re.findall(r'<tr data-search="[^"]* (sha256:[0-9a-f]+)"', html)
    said = re.search(
        r'<p class="muted what-counts" id="image-counts">(\d+) rows?, one per tag'
        r" \(an untagged image has one row of its own\), for (\d+) images?",
        html,
    )
    assert said and (int(said[1]), int(said[2])) == (len(rows), len(set(rows)))
    assert len(rows) > len(set(rows)), "the base image shows twice, as two tags"
    assert "one image may carry several tags" in html, "the header's count says what it counts"
