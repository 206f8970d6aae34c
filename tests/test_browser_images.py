"""Chromium against a live Daphne: a build whose steps stream in as they run, the layers
of what it made, a push with per-layer progress to the run's registry, and the registry's
page finding what was pushed."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests import support
from tests.test_image_pages import build_image

pytestmark = pytest.mark.browser

LABEL = f"{support.IMAGE_LABEL}={support.RUN_ID}"


def build_in_browser(page, daphne_server, dockerfile: str, tag: str) -> None:
    page.goto(f"{daphne_server.url}/images/build/")
    page.get_by_label("Dockerfile", exact=True).fill(dockerfile)
    page.get_by_label("Tags (-t), one per line").fill(tag)
    page.get_by_text("More options: build arguments, labels, target, cache").click()
    page.get_by_label("Labels (--label), one per line").fill(LABEL)
    page.get_by_label("Network for RUN steps (--network)").select_option("none")
    expect(page.locator("#docker-command")).to_have_text(
        f"docker build -t {tag} --label {LABEL} --network none --force-rm ."
    )
    page.get_by_role("button", name="Build", exact=True).click()
    page.wait_for_url(re.compile(r"/images/build/[0-9a-f]{32}/"))


def test_a_build_streams_its_steps_as_they_run(page, daphne_server):
    tag = f"dockside-test/browser-build-{uuid.uuid4().hex[:8]}:1"
    dockerfile = (
        f"FROM {support.BASE_IMAGE}\n"
        "RUN for i in 1 2 3; do echo tick $i | tee -a /ticks; sleep 1; done\n"
        'CMD ["sh"]\n'
    )

    build_in_browser(page, daphne_server, dockerfile, tag)

    running = page.locator(".build-step.running")
    expect(running).to_contain_text("RUN for i in 1 2 3", timeout=15_000)
    expect(running.locator("pre.output")).to_contain_text("tick 1")  # before the step ends
    expect(page.locator(".pull-state")).to_contain_text("building")
    support.screenshot(page, "build-running")
    expect(page.locator(".pull-state .state")).to_have_text("built", timeout=30_000)
    steps = page.locator(".build-step")
    expect(steps).to_have_count(4)  # FROM, RUN, CMD and the LABEL the option adds
    expect(steps.nth(1)).to_contain_text("tick 3")
    expect(steps.nth(1).locator(".step-time")).to_have_text(re.compile(r"^[3-9]\.\d s$"))
    expect(page.get_by_role("button", name="Cancel the build")).to_have_count(0)
    support.screenshot(page, "build-done")

    page.get_by_role("link", name="Its layers").click()

    expect(page.locator("h1")).to_have_text(f"Layers of {tag}")
    rows = page.locator(".stack-row")
    expect(rows.filter(has_text="RUN for i in 1 2 3")).to_contain_text("only in this image")
    expect(rows.filter(has_text='CMD ["sh"]')).to_contain_text("no layer")
    expect(rows.last).to_contain_text("shared with")  # the base, under every image of it
    support.screenshot(page, "image-layers")


@pytest.mark.page_options(color_scheme="dark", viewport={"width": 360, "height": 740})
def test_a_failed_build_on_a_phone_in_dark(page, daphne_server):
    tag = f"dockside-test/browser-fail-{uuid.uuid4().hex[:8]}:1"

    build_in_browser(
        page, daphne_server, f"FROM {support.BASE_IMAGE}\nRUN echo oops && false\n", tag
    )

    expect(page.locator(".pull-state")).to_contain_text("failed at step 2", timeout=30_000)
    expect(page.locator(".build-step.failed pre.output")).to_contain_text("oops")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    support.screenshot(page, "build-failed-phone-dark")


def test_a_push_shows_each_layer_and_the_registry_lists_it(
    page, daphne_server, registry, docker_api
):
    page.goto(f"{daphne_server.url}/registries/")
    if not page.get_by_role("link", name=registry, exact=True).count():  # another test's
        page.get_by_role("link", name="Add a registry").click()
        page.get_by_label("Address").fill(registry)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#messages")).to_contain_text(f"Added {registry}.")
    repository = f"browser/push-{uuid.uuid4().hex[:8]}"
    local = f"dockside-test/{repository.split('/')[1]}:1"
    build = f"FROM {support.BASE_IMAGE}\nRUN head -c 2000000 /dev/urandom > /payload\n"
    image = build_image(docker_api, build, local)[7:19]

    page.goto(f"{daphne_server.url}/images/{image}/?tag={local}")
    page.get_by_role("link", name="Push…").click()
    page.get_by_label("Registry", exact=True).select_option(registry)
    page.get_by_label("Name in the registry").fill(f"{repository}:v1")
    target = f"{registry}/{repository}:v1"
    expect(page.locator("#docker-command")).to_have_text(
        f"docker tag {local} {target} && docker push {target}"
    )
    page.get_by_role("button", name="Push", exact=True).click()

    page.wait_for_url(re.compile(r"/images/push/[0-9a-f]{32}/"))
    expect(page.locator("h1")).to_have_text(f"docker push {target}")
    expect(page.locator(".pull-state .state")).to_have_text("done", timeout=30_000)
    layers = page.locator("table.layers tbody tr")
    expect(layers).to_have_count(2)  # the payload's layer and the base's
    pushed = page.get_by_role("progressbar", name=re.compile(r" Pushed$"))
    expect(pushed).to_have_attribute("value", "100")
    support.screenshot(page, "push-done")
    page.get_by_role("link", name=f"Browse {registry}").click()
    page.get_by_role("link", name=repository).click()
    expect(page.locator(".registry-tags")).to_contain_text(f"{target}")
    expect(page.get_by_role("link", name="Pull…")).to_have_attribute(
        "href", re.compile(r"/images/pull/\?image=")
    )
    support.screenshot(page, "registry-tags")
    docker_api.remove_image(target)
    docker_api.remove_image(local)
