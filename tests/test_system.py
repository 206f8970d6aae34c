"""/system/: `docker system df` as the CLI prints it, and `docker info`'s essentials."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.pages import text

pytestmark = pytest.mark.django_db


def cli_rows() -> list[list[str]]:
    lines = subprocess.run(
        ["docker", "system", "df", "--format", "{{json .}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    return [[r["Type"], r["TotalCount"], r["Active"], r["Size"], r["Reclaimable"]] for r in rows]


def page_rows(html: str) -> list[list[str]]:
    body = html.split('id="disk-usage"')[1].split("</tbody>")[0].split("<tbody>")[1]
    rows = []
    for row in body.split("</tr>")[:-1]:
        cells = [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append(cells[:5])
    return rows


def test_disk_usage_reads_as_the_cli_prints_it(admin_client, make_container):
    make_container(["sh", "-c", "head -c 50000 /dev/zero > /blob; sleep 600"], hint="df")

    for _ in range(3):  # the engine may change between the two looks: compare a quiet moment
        before = cli_rows()
        html = admin_client.get("/system/").content.decode()
        if before == cli_rows():
            break
    assert page_rows(html) == before
    assert "docker system df" in text(html)


def test_engine_essentials_are_docker_infos(admin_client, docker_api):
    info = docker_api.info()

    html = admin_client.get("/system/").content.decode()

    facts = text(html.split('id="engine-facts"')[1].split("</dl>")[0])
    assert info["Driver"] in facts and info["CgroupDriver"] in facts
    assert f"version {info.get('CgroupVersion') or '1'}" in facts
    assert all(runtime in facts for runtime in info["Runtimes"])
    assert info["KernelVersion"] in facts and info["DockerRootDir"] in facts


def test_viewers_see_it_without_the_clean_up_links(viewer_client):
    html = viewer_client.get("/system/").content.decode()

    assert 'id="disk-usage"' in html and "/prune/" not in html
