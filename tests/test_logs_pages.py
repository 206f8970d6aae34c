"""The log pages and the download, over HTTP."""

from __future__ import annotations

import re
import time

import pytest

from tests.pages import text
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db


def download(client, container, **params) -> str:
    response = client.get(f"/containers/{container['Id'][:12]}/logs/download", params)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{container["Name"][1:]}.log"'
    return b"".join(response).decode()  # the sync client runs the async stream to its end


def test_download_streams_the_whole_log_from_the_engine(admin_client, make_container):
    container = make_container(
        ["sh", "-c", "seq 1 20000; echo err >&2; head -c 70000 /dev/zero | tr '\\0' y; echo"],
        hint="download",
        wait=True,
    )

    body = download(admin_client, container)
    stdout_only = download(admin_client, container, stderr="0")
    stderr_only = download(admin_client, container, stdout="0")
    stamped = download(admin_client, container, timestamps="1", stderr="0")

    assert stdout_only.splitlines() == [str(n) for n in range(1, 20001)] + ["y" * 70000]
    assert sorted(body.splitlines()) == sorted([*stdout_only.splitlines(), "err"])
    assert stderr_only == "err\n"
    assert re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z 1\n", stamped)
    assert "err" not in stamped


def test_download_until_leaves_out_what_came_later(admin_client, make_container):
    container = make_container(["sh", "-c", "echo early; sleep 2.5; echo late"], hint="until")
    wait_for(lambda: "early" in download(admin_client, container), what="the first line")
    between = f"{time.time():.3f}"

    wait_for(lambda: "late" in download(admin_client, container), what="the second line")

    assert download(admin_client, container, until=between) == "early\n"
    assert download(admin_client, container, until="99999999999w") == ""


def test_download_with_a_bad_since_is_a_400(admin_client, make_container):
    container = make_container(hint="badsince")

    response = admin_client.get(f"/containers/{container['Id'][:12]}/logs/download?since=yesterday")

    assert response.status_code == 400
    assert "write a duration such as 10m" in response.content.decode()


def test_logs_page_points_the_viewer_at_its_socket(admin_client, make_container):
    container = make_container(hint="page")

    html = admin_client.get(f"/containers/{container['Id'][:12]}/logs/").content.decode()

    assert f'data-socket="/ws/containers/{container["Id"][:12]}/logs/"' in html
    assert f"docker logs -f --tail 100 {container['Name'][1:]}" in text(html)
    assert "/logs/download" in html


def test_merged_page_lists_containers_and_builds_the_socket(admin_client, make_container):
    one = make_container(hint="m1", labels={"com.docker.compose.project": "dockside-test-proj"})
    two = make_container(hint="m2", labels={"com.docker.compose.project": "dockside-test-proj"})

    by_project = admin_client.get("/logs/", {"project": "dockside-test-proj"}).content.decode()
    by_choice = admin_client.get("/logs/", {"containers": [one["Name"][1:]]}).content.decode()

    for container in (one, two):
        assert f"containers={container['Id'][:12]}" in by_project
    assert f"/ws/logs/?containers={one['Id'][:12]}" in by_choice
    assert f"containers={two['Id'][:12]}" not in by_choice.split("data-socket")[1].split(" ")[0]
    assert "dockside-test-proj" in by_project


def test_merged_page_keeps_the_order_containers_were_chosen_in(admin_client, make_container):
    first, second = make_container(hint="order-a"), make_container(hint="order-b")
    chosen = [first["Name"][1:], second["Id"][:12]]  # the engine lists the newest first

    html = admin_client.get("/logs/", {"containers": chosen}).content.decode()

    ids = f"containers={first['Id'][:12]}&amp;containers={second['Id'][:12]}"
    assert f'data-socket="/ws/logs/?{ids}"' in html


def test_a_download_is_an_audit_entry_with_its_docker_logs_command(viewer_client, make_container):
    from audit.models import AuditEntry

    container = make_container(["sh", "-c", "echo hi"], hint="dlaudit", wait=True)

    download(viewer_client, container, since="10m", until="1h", stdout="0", timestamps="1")

    entry = AuditEntry.objects.get(action="logs_download")
    name = container["Name"][1:]
    assert (entry.username, entry.target_name, entry.outcome) == ("viewer", name, "succeeded")
    # The times as the engine was asked (10m and 1h ago then): the command takes the same lines.
    assert re.fullmatch(
        rf"docker logs --tail all --since \d+\.\d+ --until \d+\.\d+ -t {name} 2>&1 >/dev/null",
        entry.command,
    ), entry.command
