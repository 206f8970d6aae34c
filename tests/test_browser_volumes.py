"""Chromium: a volume made with the form, its command live as it is typed; the pages light,
dark and on a phone."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser


@pytest.mark.allow_console("Failed to load resource: the server responded with a status of 400")
def test_a_volume_made_with_the_form_shows_its_command_as_it_is_typed(
    page, daphne_server, docker_api, make_container
):
    name = support.run_name("browser-vol")
    page.goto(f"{daphne_server.url}/volumes/")
    page.get_by_role("link", name="Create a volume").click()

    command = page.locator("#docker-command")
    page.get_by_label("Name").fill(name)
    expect(command).to_have_text(f"docker volume create {name}")
    page.get_by_label("Driver options (-o), one per line").fill(
        "type=tmpfs\ndevice=tmpfs\no=size=4m"
    )
    page.get_by_label("Labels (--label), one per line").fill(support.RUN_LABEL)
    expect(command).to_have_text(
        "docker volume create -o type=tmpfs -o device=tmpfs -o o=size=4m"
        f" --label {support.RUN_LABEL} {name}"
    )
    support.screenshot(page, "volume-create")
    page.get_by_role("button", name="Create", exact=True).click()

    page.wait_for_url(f"{daphne_server.url}/volumes/{name}/")
    expect(page.locator("#messages")).to_contain_text(f"Volume {name} is ready.")
    expect(page.locator("main")).to_contain_text("size=4m")
    assert docker_api.inspect_volume(name)["Options"] == {
        "type": "tmpfs",
        "device": "tmpfs",
        "o": "size=4m",
    }
    make_container(hint="vol-browser-user", start=False, host_config={"binds": [f"{name}:/data"]})
    page.reload()
    expect(page.locator("#volume-users")).to_contain_text("/data")
    support.screenshot(page, "volume-detail")

    # A bad name: said at the field, and nothing is made.
    page.goto(f"{daphne_server.url}/volumes/create/")
    page.get_by_label("Name").fill("x")
    with page.expect_response(lambda answer: answer.status == 400):
        page.get_by_role("button", name="Create", exact=True).click()
    expect(page.locator("#id_name ~ .field-error")).to_contain_text("is not a volume name")


@pytest.mark.page_options(color_scheme="dark")
def test_the_volume_list_in_dark(page, daphne_server, docker_api, make_container):
    tag = f"dark{uuid.uuid4().hex[:6]}"
    used = support.run_name(f"{tag}-used")
    docker_api.create_volume(used, labels=support.run_labels())
    docker_api.create_volume(support.run_name(f"{tag}-free"), labels=support.run_labels())
    make_container(hint="vol-dark", start=False, host_config={"binds": [f"{used}:/data:ro"]})

    page.goto(f"{daphne_server.url}/volumes/?q={tag}")

    expect(page.locator("#volume-table tbody tr:not([hidden])")).to_have_count(2)
    expect(page.locator("#volume-table")).to_contain_text("read-only")
    support.screenshot(page, "volumes-dark")


@pytest.mark.page_options(viewport={"width": 360, "height": 740})
def test_the_volume_list_on_a_phone(page, daphne_server, docker_api):
    docker_api.create_volume(support.run_name("phone-list"), labels=support.run_labels())

    page.goto(f"{daphne_server.url}/volumes/?sizes=1")

    expect(page.locator("#volume-table")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    support.screenshot(page, "volumes-phone")
