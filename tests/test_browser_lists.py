"""Chromium against a live Daphne: sign in, find a container, filter, open it."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests import support
from tests.test_access import all_routes

pytestmark = pytest.mark.browser


def test_user_finds_container_with_search_box_and_opens_its_page(
    page, daphne_server, make_container
):
    wanted = make_container(hint="browser")
    other = make_container(hint="elsewhere")
    name = wanted["Name"].lstrip("/")
    other_name = other["Name"].lstrip("/")

    page.goto(f"{daphne_server.url}/containers/")
    table = page.locator("#container-table")
    expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(table.get_by_role("link", name=other_name)).to_be_visible()

    page.get_by_label("Search").fill(name)
    expect(table.get_by_role("link", name=other_name)).to_be_hidden()
    expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(page.locator("[data-filter-count='container-table']")).to_have_text(
        "1 of " + str(table.locator("tbody tr").count())
    )
    assert f"q={name}" in page.url, "the filter is kept in the address for sharing and reload"
    support.screenshot(page, "containers-filtered")

    page.get_by_label("Search").fill("no-such-container-anywhere")
    expect(page.get_by_text("No container matches this search.")).to_be_visible()
    page.get_by_label("Search").fill(name)

    table.get_by_role("link", name=name).click()
    page.wait_for_url(f"{daphne_server.url}/containers/{wanted['Id'][:12]}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".cli-command").first).to_have_text(f"docker container inspect {name}")
    support.screenshot(page, "container-detail")


def test_list_works_on_a_phone_screen(page, daphne_server, make_container):
    container = make_container(hint="phone")
    page.set_viewport_size({"width": 390, "height": 800})

    page.goto(f"{daphne_server.url}/containers/")

    link = page.locator("#container-table").get_by_role("link", name=container["Name"][1:])
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box["x"] + box["width"] <= 390, "the name is on screen without scrolling sideways"
    support.screenshot(page, "containers-phone")


# Routes that are not pages of Dockside's own: files, POST-only actions, redirects, the admin.
NOT_PAGES = {
    "containers:bulk": "POST only",
    "containers:logs-download": "a file",
    "containers:files-download": "a file",
    "containers:files-upload": "POST only",
    "volumes:download": "a file",
    "containers:run-command": "plain text: the command",
    "containers:compose": "YAML: the Compose service",
    "audit:export-csv": "a file",
    "audit:export-json": "a file",
    "healthz": "plain text for monitors",
    "readyz": "JSON for monitors",
    "metrics": "Prometheus text (off by default)",
    "home": "a redirect",
    "logout": "POST only",
    "setup": "only before the first account exists",
    "audit:verify": "POST only",
    "access:unlock": "POST only",
    "images:build-cancel": "POST only",
    "registries:login": "POST only",
    "engines:check": "POST only",
}


@pytest.mark.allow_console("Failed to load resource: the server responded with a status of 404")
def test_every_page_fits_a_360_px_phone_without_sideways_scrolling(
    page, daphne_server, make_container, browser, docker_api, registry
):
    volume = support.run_name("phone-volume")  # the run's: removed with its objects at the end
    docker_api.create_volume(volume, labels=support.run_labels())
    network = support.run_name("phone-network")  # the run's, as the volume
    docker_api.create_network(network, labels=support.run_labels())
    container = make_container(
        hint="phone-pages", host_config={"binds": [f"{volume}:/data"], "network_mode": network}
    )
    short = container["Id"][:12]
    image = container["Image"].removeprefix("sha256:")[:12]
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{daphne_server.url}/images/pull/")
    page.get_by_label("Image", exact=True).fill(f"{support.REGISTRY}/dockside-test/none:x")
    page.get_by_role("button", name="Pull", exact=True).click()
    page.wait_for_url(re.compile(r"/images/pull/[0-9a-f]{32}/"))
    expect(page.locator(".pull-state .state")).to_have_text("failed", timeout=30_000)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # a whole page
    expect(page.locator("#messages .message")).to_have_count(0)  # no "Pulling…" beside it
    job = urlsplit(page.url).path
    session = daphne_server.login()
    build = support.post(
        session,
        f"{daphne_server.url}/images/build/",
        {
            "source": "dockerfile",
            "dockerfile": f"FROM {support.BASE_IMAGE}\nRUN echo a line of output\n",
            "tags": f"dockside-test/phone-build-{short}:1",
            "labels": f"{support.IMAGE_LABEL}={support.RUN_ID}",
            "network": "none",
        },
    )
    added = support.post(session, f"{daphne_server.url}/registries/add/", {"address": registry})
    stored = urlsplit(added.url).path
    if stored == "/registries/add/":  # stored already, by another test on this server
        listed = session.get(f"{daphne_server.url}/registries/", timeout=10).text
        stored = re.search(rf'href="(/registries/\d+/)">{re.escape(registry)}<', listed)[1]
    push = support.post(
        session,
        f"{daphne_server.url}/images/{image}/push/",
        {"registry": registry, "name": f"dockside-test/phone-{short}:1"},
    )
    assert "/images/build/" in build.url and "/images/push/" in push.url, (build.url, push.url)
    stack = f"phone-{short}"
    made = support.post(
        session,
        f"{daphne_server.url}/stacks/new/",
        {"name": stack, "compose": f"services:\n  web:\n    image: {support.BASE_IMAGE}\n"},
    )
    down = support.post(session, f"{daphne_server.url}/stacks/{stack}/down/", {})
    assert made.url.endswith(f"/stacks/{stack}/") and "/runs/" in down.url, (made.url, down.url)
    engine = f"phone-{short}"  # the same daemon under a second name, as an admin may add one
    added_engine = support.post(
        session,
        f"{daphne_server.url}/engines/add/",
        {"name": engine, "url": os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"},
    )
    assert added_engine.url.endswith("/engines/"), added_engine.url
    pages = {
        "containers:list": ["/containers/", "/containers/?all=1"],
        "containers:run": ["/containers/run/", f"/containers/run/?from={short}"],
        "containers:prune": ["/containers/prune/"],
        "containers:detail": [f"/containers/{short}/", "/containers/no-such-container/"],
        "containers:logs": [f"/containers/{short}/logs/"],
        "containers:terminal": [f"/containers/{short}/terminal/"],
        "containers:stats": [f"/containers/{short}/stats/"],
        "containers:top": [f"/containers/{short}/top/"],
        "containers:files": [
            f"/containers/{short}/files/",
            f"/containers/{short}/files/?path=/etc/passwd&show=1",
        ],
        "containers:diff": [f"/containers/{short}/diff/"],
        "containers:isolation": [f"/containers/{short}/isolation/"],
        "containers:action": [
            f"/containers/{short}/{verb}/"
            for verb in ("stop", "restart", "kill", "rename", "exec", "commit", "remove")
        ],
        "images:list": ["/images/"],
        "images:pull": ["/images/pull/"],
        "images:pull-job": [job],
        "images:prune": ["/images/prune/"],
        "images:detail": [f"/images/{image}/"],
        "images:tag": [f"/images/{image}/tag/"],
        "images:remove": [f"/images/{image}/remove/"],
        "images:build": ["/images/build/"],
        "images:build-job": [urlsplit(build.url).path],
        "images:layers": [f"/images/{image}/layers/"],
        "images:push": [f"/images/{image}/push/"],
        "images:push-job": [urlsplit(push.url).path],
        "images:save": [f"/images/save/?image={image}"],
        "images:load": ["/images/load/"],
        "registries:list": ["/registries/"],
        "registries:add": ["/registries/add/"],
        "registries:detail": [stored, f"{stored}?repository=dockside-test/busybox"],
        "registries:edit": [f"{stored}edit/"],
        "registries:remove": [f"{stored}remove/"],
        "engines:list": ["/engines/", f"/e/{engine}/containers/", f"/e/{engine}/events/"],
        "engines:add": ["/engines/add/"],
        "engines:edit": [f"/engines/{engine}/edit/"],
        "engines:remove": [f"/engines/{engine}/remove/"],
        "stacks:list": ["/stacks/"],
        "stacks:detail": [f"/stacks/{stack}/", "/stacks/no-such-stack/"],
        "stacks:new": ["/stacks/new/", f"/stacks/new/?container={short}"],
        "stacks:edit": [f"/stacks/{stack}/edit/"],
        "stacks:run": [f"/stacks/{stack}/up/", f"/stacks/{stack}/down/", f"/stacks/{stack}/stop/"],
        "stacks:service-run": [
            f"/stacks/{stack}/services/web/scale/",
            f"/stacks/{stack}/services/web/restart/",
        ],
        "stacks:run-job": [urlsplit(down.url).path],
        "volumes:list": ["/volumes/", "/volumes/?sizes=1"],
        "volumes:create": ["/volumes/create/"],
        "volumes:prune": ["/volumes/prune/"],
        "volumes:detail": [f"/volumes/{volume}/"],
        "volumes:remove": [f"/volumes/{volume}/remove/"],
        "volumes:files": [f"/volumes/{volume}/files/"],
        "networks:list": ["/networks/"],
        "networks:create": ["/networks/create/"],
        "networks:prune": ["/networks/prune/"],
        "networks:detail": ["/networks/bridge/", f"/networks/{network}/"],
        "networks:action": [
            f"/networks/{network}/connect/",
            f"/networks/{network}/disconnect/?container={short}",
            f"/networks/{network}/remove/",
        ],
        "logs": [f"/logs/?containers={short}"],
        "stats": ["/stats/"],
        "events": ["/events/"],
        "system": ["/system/"],
        "audit:list": ["/audit/"],
        "access:users": ["/access/users/"],
        "access:user": [],  # its address is read from the users page, below
        "access:policy": ["/access/policy/"],
        "login": [],  # measured signed out, below
    }
    routes = {route for route, _ in all_routes() if not route.startswith("admin:")}
    assert routes - set(NOT_PAGES) == set(pages), "every page is measured (or named as no page)"

    too_wide = {}

    def measure(on, path: str) -> None:
        response = on.goto(f"{daphne_server.url}{path}")
        assert response.status == (404 if "no-such" in path else 200), path
        width = on.evaluate("() => document.documentElement.scrollWidth")
        if width > 360:
            too_wide[path] = width

    page.goto(f"{daphne_server.url}/access/users/")
    pages["access:user"].append(
        urlsplit(page.locator("#account-table a").first.get_attribute("href")).path
    )
    for paths in pages.values():
        for path in paths:
            measure(page, path)
    support.screenshot(page, "audit-phone")
    anonymous = browser.new_page(viewport={"width": 360, "height": 740})
    try:
        measure(anonymous, "/accounts/login/")
    finally:
        anonymous.close()

    assert not too_wide, f"these pages scroll sideways on a 360 px phone: {too_wide}"


def test_a_phone_shows_the_log_on_its_first_screen(page, daphne_server, make_container):
    container = make_container(["sh", "-c", "echo first line; sleep 600"], hint="phone-log")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/logs/")

    line = page.locator("[data-log] .line").first
    expect(line).to_contain_text("first line")
    assert line.bounding_box()["y"] + line.bounding_box()["height"] < 844, "above the fold"
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] < 844 / 8, f"the header takes {header['height']} px"
    expect(page.get_by_label("Filter")).to_be_visible()
    page.get_by_text("Options: lines, since, streams, download").click()
    expect(page.get_by_label("Since")).to_be_visible()
    support.screenshot(page, "logs-phone")
