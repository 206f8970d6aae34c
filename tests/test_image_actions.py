"""Pull (against a real registry on 127.0.0.1:5000), tag, remove and prune images."""

from __future__ import annotations

import contextlib
import time
import uuid

import docker
import pytest
from django.template.loader import render_to_string

from containers_app.jobs import PullJob
from tests import support
from tests.pages import text
from tests.posting import assert_audited, field_errors, last_entry, preview
from tests.test_image_pages import build_image

pytestmark = pytest.mark.django_db


PULL_DONE = '<span class="state state-running">done</span>'
PULL_FAILED = '<span class="state state-dead">failed</span>'
POLL_HEADERS = {"HX-Request": "true", "HX-Target": "progress"}  # as the page's box polls itself


def wait_for_pull(session, progress_url: str) -> str:
    """Poll the progress fragment the way the page does, until the pull has ended.

    Returns every fragment seen; the last one (the pull's end) comes last.
    """
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        fragment = session.get(progress_url, headers=POLL_HEADERS, timeout=10).text
        seen.append(fragment)
        if "hx-trigger" not in fragment:
            return "\n".join(seen)
        time.sleep(0.2)  # the page's own pace
    raise AssertionError("the pull did not end within 60 s")


def ended(log: str) -> str:
    """How the pull ended, as its last fragment says: done or failed."""
    last = log.rsplit('<section id="progress"', 1)[-1]
    return "done" if PULL_DONE in last else "failed" if PULL_FAILED in last else "unknown"


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
    assert ended(log) == "done"
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

    docker_api.remove_image(f"{registry}/dockside-test/busybox:latest")
    response = support.post(session, f"{daphne_server.url}/images/pull/", {"image": digest})
    log = wait_for_pull(session, response.url)

    assert ended(log) == "done"
    assert digest in docker_api.inspect_image(digest)["RepoDigests"], "the engine has it now"
    assert f"docker pull {digest}" in response.text
    assert "Digest: sha256:" in log


def test_pull_of_a_missing_tag_ends_with_a_clear_error(daphne_server, registry):
    session = daphne_server.login()
    missing = f"{registry}/dockside-test/busybox:no-such-tag"

    response = support.post(session, f"{daphne_server.url}/images/pull/", {"image": missing})
    log = wait_for_pull(session, response.url)

    assert ended(log) == "failed"
    assert "not found" in log or "manifest unknown" in log
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):  # reload; boosted form
        page = session.get(response.url, headers=headers, timeout=10).text
        assert 'class="mainnav"' in page and PULL_FAILED in page, "a whole page, in its state"
        assert "message success" not in page, "no banner says it is still pulling"
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
        ({"image": "busybox"}, "reaching the registry docker.io is not allowed here"),
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
    assert_audited("tag", f"docker tag {support.BASE_IMAGE} {target}", support.BASE_IMAGE)


@pytest.mark.parametrize("target", ["UPPER/case:v1", "a::b", "", "Bad:Tag:x", "café:v1"])
def test_tag_refuses_an_invalid_target(admin_client, docker_api, target):
    image = docker_api.inspect_image(support.BASE_IMAGE)
    before = last_entry()

    response = admin_client.post(
        f"/images/{image['Id'].removeprefix('sha256:')}/tag/",
        {"target": target, "tag": support.BASE_IMAGE},
    )

    assert response.status_code == 400
    assert field_errors(response.content.decode())
    entry = last_entry()
    assert entry != before and (entry.action, entry.outcome) == ("tag", "failed")
    assert docker_api.inspect_image(support.BASE_IMAGE)["RepoTags"] == image["RepoTags"]


def test_remove_image_untags_then_deletes(admin_client, docker_api, make_container):
    tag = f"dockside-test/removable:{uuid.uuid4().hex[:6]}"
    image_id = build_image(docker_api, f"FROM {support.BASE_IMAGE}\nRUN echo x > /x\n", tag)
    make_container(image=tag, hint="user", start=False)
    short = image_id.removeprefix("sha256:")

    refused = admin_client.post(f"/images/{short}/remove/", {"tag": tag})
    assert refused.status_code == 409
    assert any("force" in e or "container" in e for e in field_errors(refused.content.decode()))
    assert last_entry("remove_image").outcome == "failed"
    assert docker_api.inspect_image(tag)["Id"] == image_id, "nothing was removed"

    response = admin_client.post(f"/images/{short}/remove/", {"tag": tag, "force": "on"})

    assert response.status_code == 302
    with pytest.raises(docker.errors.ImageNotFound):
        docker_api.inspect_image(tag)
    assert_audited("remove_image", f"docker rmi -f {tag}", tag)


@pytest.mark.parametrize("no_prune", [True, False])
def test_remove_image_with_no_prune_keeps_its_untagged_parents(admin_client, docker_api, no_prune):
    tag = f"dockside-test/layered:{uuid.uuid4().hex[:6]}"
    image_id = build_image(
        docker_api, f"FROM {support.BASE_IMAGE}\nRUN echo a > /a\nRUN echo b > /b\n", tag
    )
    parent = docker_api.inspect_image(tag)["Parent"]
    assert parent and not docker_api.inspect_image(parent)["RepoTags"], "an untagged parent"

    data = {"tag": tag, **({"no_prune": "on"} if no_prune else {})}
    response = admin_client.post(f"/images/{image_id.removeprefix('sha256:')}/remove/", data)

    assert response.status_code == 302
    with pytest.raises(docker.errors.ImageNotFound):
        docker_api.inspect_image(tag)
    kept = True
    try:
        docker_api.inspect_image(parent)
    except docker.errors.ImageNotFound:
        kept = False
    assert kept is no_prune
    if kept:
        docker_api.remove_image(parent)
    command = f"docker rmi --no-prune {tag}" if no_prune else f"docker rmi {tag}"
    assert_audited("remove_image", command, tag)


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
            f"LABEL {support.IMAGE_LABEL}={support.RUN_ID}",
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
    entry = assert_audited("prune_images", f"docker image prune -f --filter label={label}", "image")
    assert entry.parameters["removed"] == [image_id]
    assert image_id.removeprefix("sha256:")[:12] in page, "the page listed it first"


def test_pull_progress_shows_each_layers_bytes_while_it_downloads(rf):
    job = PullJob("j1", None, "127.0.0.1:5000/app:1")
    for item in [
        {"status": "Pulling from app", "id": "1"},
        {"status": "Pulling fs layer", "id": "aaa111"},
        {"status": "Already exists", "id": "bbb222"},
        {
            "status": "Downloading",
            "id": "aaa111",
            "progressDetail": {"current": 1_200_000, "total": 3_000_000},
        },
        {"status": "Extracting", "id": "ccc333", "progressDetail": {"current": 500, "total": 2000}},
        {"status": "Verifying Checksum", "id": "aaa111", "progressDetail": {}},
    ]:
        job.apply(item)

    html = render_to_string(
        "images/pull_progress.html#progress",
        {"job": job.snapshot(), "request": rf.get("/images/pull/j1/")},
    )

    rows = text(html)
    assert "aaa111 Verifying Checksum 40% 1.2MB / 3MB" in rows, "bytes outlive a bare status"
    assert "bbb222 Already exists 100%" in rows
    assert "ccc333 Extracting 25% 500B / 2kB" in rows
    assert "pulling" in rows and 'hx-trigger="every 400ms"' in html


def test_pull_from_the_registry_field_without_a_tag_fetches_latest(
    daphne_server, registry, docker_api
):
    session = daphne_server.login()
    data = {"registry": registry, "image": "dockside-test/busybox"}

    response = support.post(session, f"{daphne_server.url}/images/pull/", data)
    log = wait_for_pull(session, response.url)

    assert ended(log) == "done"
    assert f"{registry}/dockside-test/busybox:latest" in log, "no tag means latest"
    assert docker_api.inspect_image(f"{registry}/dockside-test/busybox:latest")
    entries = session.get(f"{daphne_server.url}/audit/export.json?action=pull", timeout=10).json()
    assert (entries[0]["command"], entries[0]["outcome"]) == (
        f"docker pull {registry}/dockside-test/busybox",
        "succeeded",
    )


@pytest.mark.parametrize("url", ["/images/pull/", "/containers/run/"])
def test_image_fields_come_first_and_offer_the_local_tags(admin_client, docker_api, url):
    html = admin_client.get(url).content.decode()

    image_input = html.index('name="image"')
    assert 'list="local-images"' in html[image_input - 300 : image_input + 300]
    if 'name="registry"' in html:
        assert image_input < html.index('name="registry"'), "the image is typed first"
    datalist = html[html.index('<datalist id="local-images">') :]
    assert f'<option value="{support.BASE_IMAGE}">' in datalist[: datalist.index("</datalist>")]
