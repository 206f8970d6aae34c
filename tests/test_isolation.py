"""The isolation panel: a running container's PIDs and namespaces (read from the host's
/proc, beside those of PID 1) and its cgroup limits beside its use."""

from __future__ import annotations

import os

import pytest

from containers_app import host_proc
from tests.pages import text

pytestmark = pytest.mark.django_db


def panel(client, container: dict) -> str:
    return client.get(
        f"/containers/{container['Id'][:12]}/isolation/", headers={"HX-Request": "true"}
    ).content.decode()


def namespace_rows(html: str) -> dict[str, str]:
    body = html.split('id="namespace-table"')[1].split("</table>")[0]
    rows = {}
    for row in body.split("<tr")[2:]:
        kind = row.split('class="mono">')[1].split("<")[0]
        rows[kind] = "shared" if "shared with the host" in row else "own"
    return rows


def test_a_container_has_its_own_namespaces_and_two_pids(admin_client, make_container):
    container = make_container(hint="iso", host_config={"mem_limit": "64m", "pids_limit": 50})
    host_pid = container["State"]["Pid"]

    html = panel(admin_client, container)

    assert "<html" not in html, "an htmx request gets the panel alone"
    words = text(html)
    assert f"PID 1 inside and PID {host_pid} on the host" in words
    rows = namespace_rows(html)
    assert {rows[kind] for kind in ("pid", "net", "mnt", "uts", "ipc")} == {"own"}
    own_net = os.readlink(f"/proc/{host_pid}/ns/net")
    assert own_net in html and os.readlink("/proc/self/ns/net") in html
    assert "of 64MiB (its --memory limit)" in words
    assert "of at most 50 (its --pids-limit)" in words
    assert f"docker stats --no-stream {container['Name'][1:]}" in words


def test_host_namespaces_show_as_shared(admin_client, make_container):
    container = make_container(
        hint="iso-host", host_config={"pid_mode": "host", "ipc_mode": "host"}
    )
    host_pid = container["State"]["Pid"]

    html = panel(admin_client, container)

    rows = namespace_rows(html)
    assert rows["pid"] == "shared" and rows["ipc"] == "shared" and rows["net"] == "own"
    assert f"PID {host_pid} inside and PID {host_pid} on the host" in text(html)


def test_a_stopped_container_has_nothing_to_isolate(admin_client, make_container):
    container = make_container(["true"], hint="iso-stopped", wait=True)

    html = admin_client.get(f"/containers/{container['Id'][:12]}/isolation/").content.decode()

    assert "is not running" in text(html) and "<html" in html


def test_what_cannot_be_seen_is_said(tmp_path):
    missing = host_proc.process_view(4242, "c" * 64, proc=tmp_path)
    assert "sees no process 4242" in missing.problem and not missing.namespaces

    (tmp_path / "4242").mkdir()
    (tmp_path / "4242" / "cgroup").write_text("0::/system.slice/other.service\n")
    other = host_proc.process_view(4242, "c" * 64, proc=tmp_path)
    assert "is not the container's" in other.problem
