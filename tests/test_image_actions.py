"""Pull (against a real registry on 127.0.0.1:5000), tag, remove and prune images."""

from __future__ import annotations

import contextlib
import time
import uuid

import docker
import pytest

from tests import support
from tests.pages import text
from tests.posting import field_errors, last_entry, preview
from tests.test_image_pages import build_image

pytestmark = pytest.mark.django_db


def wait_for_pull(session, progress_url: str) -> str:
    """Poll the progress fragment the way the page does, until the pull has ended."""
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        fragment = session.get(progress_url, headers={"HX-Request": "true"}, timeout=10).text
        seen.append(fragment)
        if "hx-trigger" not in fragment:
            return "\n".join(seen)
        time.sleep(0.2)
    raise AssertionError("the pull did not end within 60 s")


@pytest.fixture
def pushed_image(docker_api, registry):
    """An image with one layer of its own, in the registry and not on the engine."""
    tag = uuid.uuid4().hex[:8]
    local = f"dockside-test/pushed:{tag}"
    build_image(
        docker_api,
        f"FROM {support.BASE_IMAGE}\nRUN head -c 300000 /dev/urandom > /payload\n",
        local,
    )
    reference = support.push_to_registry(docker_api, local, "dockside-test/pushed", tag)
    docker_api.remove_image(local, force=True)
    docker_api.remove_image(reference, force=True)
    yield reference
    with contextlib.suppress(docker.errors.NotFound):
        docker_api.remove_image(reference, force=True)


def test_pull_shows_per_layer_progress_and_fetches_the_image(
    daphne_server, pushed_image, docker_api
):
    session = daphne_server.login()

    response = support.post(session, f"{daphne_server.url}/images/pull/", {"image": pushed_image})

    assert response.status_code == 200 and "/images/pull/" in response.url
    log = wait_for_pull(session, response.url)
    assert "Already exists" in log, "the base layer is on the engine already"
    assert "Pull complete" in log or "Download complete" in log
    assert "<progress" in log
    assert f"Downloaded newer image for {pushed_image}" in log
    assert pushed_image in docker_api.inspect_image(pushed_image)["RepoTags"]
    entries = session.get(f"{daphne_server.url}/audit/export.json?action=pull", timeout=10).json()
    assert entries[0]["command"] == f"docker pull {pushed_image}"
    assert entries[0]["outcome"] == "succeeded"


def test_pull_by_digest(daphne_server, registry, docker_api):
    digest = next(
        d
        for d in docker_api.inspect_image(f"{registry}/dockside-test/busybox:latest")["RepoDigests"]
        if d.startswith(registry)
    )
    session = daphne_server.login()

    response = support.post(session, f"{daphne_server.url}/images/pull/", {"image": digest})
    log = wait_for_pull(session, response.url)

    assert "done" in log and "failed" not in log
    assert f"docker pull {digest}" in response.text
    assert "Digest: sha256:" in log


def test_pull_of_a_missing_tag_ends_with_a_clear_error(daphne_server, registry):
    session = daphne_server.login()
    missing = f"{registry}/dockside-test/busybox:no-such-tag"

    response = support.post(session, f"{daphne_server.url}/images/pull/", {"image": missing})
    log = wait_for_pull(session, response.url)

    assert "failed" in log
    assert "not found" in log or "manifest unknown" in log
    entries = session.get(
        f"{daphne_server.url}/audit/export.json?outcome=failed", timeout=10
    ).json()
    assert any(e["action"] == "pull" and e["target_name"] == missing for e in entries)


def test_pull_form_splits_registry_and_shows_the_command(admin_client):
    command = preview(
        admin_client,
        "/images/pull/",
        {"registry": "127.0.0.1:5000", "image": "dockside-test/busybox"},
    )

    assert command == "docker pull 127.0.0.1:5000/dockside-test/busybox"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"image": "UPPER/case"}, "repository name must be lowercase"),
        ({"image": "a::b"}, "invalid reference format"),
        ({"image": ""}, "This field is required"),
        ({"image": "busybox"}, "pulling from docker.io is not allowed here"),
        ({"image": "x", "registry": "not a host"}, "is not a registry"),
    ],
)
def test_pull_form_refuses_bad_references_at_the_field(admin_client, data, message):
    response = admin_client.post("/images/pull/", data)

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response.content.decode()))
    entry = last_entry("pull")
    assert entry.outcome == "failed" and message in entry.error


def test_tag_adds_a_reference_to_the_same_image(admin_client, docker_api):
    image_id = docker_api.inspect_image(support.BASE_IMAGE)["Id"]
    target = f"dockside-test/tagged-{uuid.uuid4().hex[:6]}:v1"

    response = admin_client.post(
        f"/images/{image_id.removeprefix('sha256:')}/tag/",
        {"target": target, "tag": support.BASE_IMAGE},
    )

    assert response.status_code == 302
    assert docker_api.inspect_image(target)["Id"] == image_id
    assert last_entry("tag").command == f"docker tag {support.BASE_IMAGE} {target}"


def test_tag_refuses_an_invalid_target(admin_client, docker_api):
    image_id = docker_api.inspect_image(support.BASE_IMAGE)["Id"].removeprefix("sha256:")

    response = admin_client.post(f"/images/{image_id}/tag/", {"target": "Bad:Tag:x"})

    assert response.status_code == 400
    assert field_errors(response.content.decode())


def test_remove_image_untags_then_deletes(admin_client, docker_api, make_container):
    tag = f"dockside-test/removable:{uuid.uuid4().hex[:6]}"
    image_id = build_image(docker_api, f"FROM {support.BASE_IMAGE}\nRUN echo x > /x\n", tag)
    make_container(image=tag, hint="user", start=False)
    short = image_id.removeprefix("sha256:")

    refused = admin_client.post(f"/images/{short}/remove/", {"tag": tag})
    assert refused.status_code == 409
    assert any("force" in e or "container" in e for e in field_errors(refused.content.decode()))

    response = admin_client.post(f"/images/{short}/remove/", {"tag": tag, "force": "on"})

    assert response.status_code == 302
    with pytest.raises(docker.errors.ImageNotFound):
        docker_api.inspect_image(tag)
    entry = last_entry("remove_image")
    assert (entry.command, entry.outcome) == (f"docker rmi -f {tag}", "succeeded")


def test_container_prune_lists_exactly_what_it_removes(admin_client, make_container, docker_api):
    label = f"{support.TEST_LABEL}.prune={uuid.uuid4().hex[:8]}"
    key, value = label.split("=")
    stopped = [
        make_container(["true"], hint=f"prune{i}", wait=True, labels={key: value}) for i in range(2)
    ]
    running = make_container(hint="keep", labels={key: value})
    other = make_container(["true"], hint="other", wait=True)

    page = admin_client.get("/containers/prune/", {"labels": label})
    html = page.content.decode()
    assert "2 containers will be removed" in text(html)
    assert running["Name"][1:] not in html and other["Name"][1:] not in html
    assert f"docker container prune -f --filter label={label}" in text(html)
    expected = ",".join(sorted(c["Id"] for c in stopped))

    response = admin_client.post("/containers/prune/", {"labels": label, "expected": expected})

    assert response.status_code == 302
    remaining = {c["Id"] for c in docker_api.containers(all=True, filters={"label": label})}
    assert remaining == {running["Id"]}
    assert docker_api.containers(all=True, filters={"id": other["Id"]}), "unlabelled: it stays"
    entry = last_entry("prune_containers")
    assert sorted(entry.parameters["removed"]) == sorted(c["Id"] for c in stopped)


def test_prune_without_filters_lists_every_stopped_container(admin_client, make_container):
    stopped = make_container(["true"], hint="anystopped", wait=True)
    created = make_container(hint="anycreated", start=False)
    running = make_container(hint="anyrunning")

    html = admin_client.get("/containers/prune/").content.decode()

    assert stopped["Name"][1:] in html and created["Name"][1:] in html
    assert running["Name"][1:] not in html
    assert "docker container prune -f" in text(html)


def test_prune_refuses_when_the_list_changed(admin_client, make_container, docker_api):
    label = f"{support.TEST_LABEL}.prune={uuid.uuid4().hex[:8]}"
    key, value = label.split("=")
    first = make_container(["true"], hint="seen", wait=True, labels={key: value})
    late = make_container(["true"], hint="late", wait=True, labels={key: value})

    response = admin_client.post("/containers/prune/", {"labels": label, "expected": first["Id"]})

    assert response.status_code == 409
    assert "has changed since the list was shown" in text(response.content.decode())
    assert {c["Id"] for c in docker_api.containers(all=True, filters={"label": label})} == {
        first["Id"],
        late["Id"],
    }, "nothing was removed"


def test_image_prune_removes_labelled_dangling_images(admin_client, docker_api):
    label_value = uuid.uuid4().hex[:8]
    result = docker_api.import_image_from_data(
        support.busybox_rootfs_tar(),
        changes=[
            f"LABEL {support.IMAGE_LABEL}=dangling",
            f"LABEL {support.IMAGE_LABEL}.prune={label_value}",
        ],
    )
    image_id = result[result.index("sha256:") :].split('"')[0]
    label = f"{support.IMAGE_LABEL}.prune={label_value}"

    page = admin_client.get("/images/prune/", {"labels": label}).content.decode()
    assert "1 image will be removed" in text(page)

    response = admin_client.post("/images/prune/", {"labels": label, "expected": image_id})

    assert response.status_code == 302
    with pytest.raises(docker.errors.ImageNotFound):
        docker_api.inspect_image(image_id)
    assert last_entry("prune_images").command == f"docker image prune -f --filter label={label}"
