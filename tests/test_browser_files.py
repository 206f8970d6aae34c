"""Chromium: a file copied into a container and back (same bytes), the changes tree, and a
volume's files read through its helper."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser


def test_a_file_goes_in_and_comes_back_the_same(page, daphne_server, make_container, tmp_path):
    container = make_container(hint="ui-files")
    name = container["Name"][1:]
    payload = os.urandom(300_000)
    local = tmp_path / "payload.bin"
    local.write_bytes(payload)

    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/files/?path=/tmp")
    command = page.locator("#upload-command")
    expect(command).to_have_text(f"docker cp ./FILE {name}:/tmp")
    page.get_by_label("File", exact=True).set_input_files(local)
    expect(command).to_have_text(f"docker cp ./payload.bin {name}:/tmp")
    page.get_by_role("button", name="Copy", exact=True).click()

    expect(page.locator("#messages")).to_contain_text("Copied payload.bin into /tmp.")
    page.locator("#file-table").get_by_role("link", name="payload.bin").click()
    expect(page.locator("main")).to_contain_text("-rw-r--r--")
    support.screenshot(page, "container-file")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download", exact=True).click()
    assert download.value.path().read_bytes() == payload


@pytest.mark.page_options(color_scheme="dark")
def test_the_changes_tab_draws_the_writable_layer_as_a_tree(page, daphne_server, make_container):
    container = make_container(
        ["sh", "-c", "mkdir -p /srv/app && echo x > /srv/app/new.txt && rm /bin/vi; sleep 600"],
        hint="ui-diff",
    )
    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/")
    page.get_by_role("link", name="Changes").click()

    tree = page.locator("#diff-tree")
    expect(tree.locator("li.diff-added:has(> a:text-is('new.txt'))")).to_have_count(1)
    expect(tree.locator("li.diff-deleted:has(> span.mono:text-is('vi'))")).to_have_count(1)
    expect(tree.locator("li.diff-changed:has(> a:text-is('bin'))")).to_have_count(1)
    expect(page.locator("#diff-counts")).to_contain_text("deleted (D)")
    support.screenshot(page, "container-diff-dark")
    tree.get_by_role("link", name="new.txt").click()
    expect(page.locator("main")).to_contain_text("new.txt")


def test_a_volume_is_browsed_and_a_file_downloaded(page, daphne_server, docker_api, make_container):
    volume = support.run_name("ui-volume-files")
    docker_api.create_volume(volume, labels=support.run_labels())
    make_container(
        ["sh", "-c", "mkdir -p /data/conf && echo 'port=80' > /data/conf/app.ini"],
        hint="ui-vol-filler",
        wait=True,
        host_config={"binds": [f"{volume}:/data"]},
    )
    page.goto(f"{daphne_server.url}/volumes/{volume}/")
    page.get_by_role("link", name="Browse its files").click()
    page.locator("#file-table").get_by_role("link", name="conf/").click()

    expect(page.locator("#file-table")).to_contain_text("app.ini")
    support.screenshot(page, "volume-files")
    with page.expect_download() as download:
        page.locator("#file-table").get_by_role("link", name="app.ini").click()
    assert download.value.path().read_bytes() == b"port=80\n"
