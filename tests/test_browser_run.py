"""Chromium: the whole `docker run` form, the paste step's questions, a container made again."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser


@pytest.mark.allow_console("Failed to load resource: the server responded with a status of 403")
def test_a_pasted_command_asks_what_the_shell_would_fill_then_opens_what_it_uses(
    page, daphne_server, docker_api, tmp_path
):
    name = f"{support.NAME_PREFIX}paste-{uuid.uuid4().hex[:6]}"
    page.goto(f"{daphne_server.url}/containers/run/")
    page.get_by_text("Paste a docker run command to fill the form").click()
    page.get_by_label("docker run or docker create command").fill(
        f"docker create --name {name} --pull never --cap-add NET_ADMIN -v $PWD/site:/srv"
        " --network none"
        f" --env-file ./app.env -l {support.RUN_LABEL} {support.BASE_IMAGE} sleep 60"
    )
    page.get_by_role("button", name="Fill the form").click()

    expect(page.locator("#paste-questions")).to_contain_text("give each value once")
    page.get_by_label("$PWD").fill("/srv/app")
    env_file = tmp_path / "app.env"
    env_file.write_text("# from a file\nMODE=demo\n")
    page.get_by_label("or upload it").set_input_files(env_file)
    support.screenshot(page, "run-paste-questions")
    page.get_by_role("button", name="Fill the form").click()

    command = page.locator("#docker-command")
    expect(command).to_have_text(
        f"docker create --name {name} --pull never --env-file ./app.env -v /srv/app/site:/srv"
        f" --network none -l {support.RUN_LABEL} --cap-add NET_ADMIN {support.BASE_IMAGE} sleep 60"
    )
    expect(page.locator("#section-security")).to_have_attribute("open", "")
    expect(page.locator("#section-resources")).not_to_have_attribute("open", "")
    page.locator("#section-resources > summary").click()
    page.get_by_label("Process limit (--pids-limit)").fill("50")
    expect(command).to_contain_text("--cap-add NET_ADMIN --pids-limit 50 ")
    support.screenshot(page, "run-form-sections")
    # A host directory and an added capability: the host-access policy refuses them at the
    # fields, and the admin runs it anyway, ticking the override.
    with page.expect_response(lambda answer: answer.status == 403):
        page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("#id_cap_add ~ .field-error")).to_contain_text(
        "NET_ADMIN: capabilities allowed are none"
    )
    page.get_by_label("Run it despite the host-access policy").check()
    page.get_by_role("button", name="Run", exact=True).click()

    page.wait_for_url(re.compile(r"/containers/[0-9a-f]{12}/$"))
    made = docker_api.inspect_container(name)
    assert made["HostConfig"]["PidsLimit"] == 50
    assert made["HostConfig"]["CapAdd"] == ["CAP_NET_ADMIN"]
    assert "MODE=demo" in made["Config"]["Env"]


@pytest.mark.page_options(viewport={"width": 360, "height": 740}, color_scheme="dark")
def test_the_container_page_gives_its_command_and_the_copy_replaces_it(
    page, daphne_server, docker_api
):
    name = f"{support.NAME_PREFIX}again-{uuid.uuid4().hex[:6]}"
    docker_api.create_container(
        support.BASE_IMAGE,
        ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"],
        name=name,
        environment={"VERSION": "1"},
        labels=support.run_labels(),
        host_config=docker_api.create_host_config(network_mode="none", cap_add=["NET_ADMIN"]),
    )
    docker_api.start(name)
    page.goto(f"{daphne_server.url}/containers/{name}/")
    expect(page.locator("#run-command")).to_contain_text(f"--name {name} -e VERSION=1")
    support.screenshot(page, "container-run-command-phone-dark")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width

    page.get_by_role("link", name="Duplicate / edit…").click()
    expect(page.locator("#duplicate")).to_contain_text(f"A copy of {name}")
    page.get_by_label("Environment (-e)").fill("VERSION=2")
    page.get_by_label("Replace it").check()
    page.get_by_label("Pull the image (--pull)").select_option("never")
    expect(page.locator("#id_cap_add ~ .field-error")).to_contain_text("NET_ADMIN")  # said ahead
    page.get_by_label("Run it despite the host-access policy").check()
    support.screenshot(page, "duplicate-phone-dark")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Run", exact=True).click()

    expect(page.locator("#messages")).to_contain_text("in place of the old one")
    replaced = docker_api.inspect_container(name)
    assert "VERSION=2" in replaced["Config"]["Env"]
    assert replaced["HostConfig"]["CapAdd"] == ["CAP_NET_ADMIN"], "the rest came along"
    assert replaced["State"]["Running"]
