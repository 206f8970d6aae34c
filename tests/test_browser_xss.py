"""A permanent probe: script payloads wherever Docker or a user can put text (labels, env,
commands, workdir, a Compose project, commit fields, image labels, log lines, exec and
terminal output, failed sign-in names, filters, `next=`), then every page that shows them
in Chromium. No dialog opens, no injected element appears, no injected script runs."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
import requests
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser

# Each marks what it would make with an id starting "xss" and sets window.__xss if it runs.
PAYLOADS = [
    '<img src=x id=xss-img onerror="window.__xss=1;alert(1)">',
    '"><svg id=xss-svg onload="window.__xss=2;alert(2)">',
    "'><script id=xss-script>window.__xss=3;alert(3)</script>",
    '</textarea></code></pre><iframe id=xss-frame srcdoc="<script>parent.__xss=4</script>">',
    "javascript:window.__xss=5;alert(5)",
    "{{ 7|add:7 }}${7*7}<b id=xss-b>b</b>",
]
ANSI = '\x1b[31m<img src=x id=xss-ansi onerror="window.__xss=6;alert(6)">\x1b[0m\n'
CHECK = """() => ({
  injected: Array.from(document.querySelectorAll('[id^="xss"]')).map(e => e.outerHTML),
  ran: window.__xss === undefined ? null : window.__xss,
})"""


def labels_of(key: str) -> dict[str, str]:
    labels = {f"probe.{n}": payload for n, payload in enumerate(PAYLOADS)}
    labels["com.docker.compose.project"] = PAYLOADS[0]
    labels["com.docker.compose.service"] = PAYLOADS[1]
    return support.run_labels(**labels, **{"probe.key": key})


@pytest.fixture(scope="module")
def probe(docker_api):
    """Containers and an image carrying the payloads everywhere Docker keeps text."""
    key = uuid.uuid4().hex[:6]
    script = "; ".join(f"echo {quote_sh(p)}" for p in PAYLOADS) + f"; printf {quote_sh(ANSI)}"
    made = []

    def container(hint: str, **options) -> dict:
        created = docker_api.create_container(
            support.BASE_IMAGE,
            name=support.run_name(hint),
            labels=labels_of(key),
            environment={f"PROBE_{n}": p for n, p in enumerate(PAYLOADS)},
            host_config=docker_api.create_host_config(network_mode="none"),
            **options,
        )
        made.append(created["Id"])
        docker_api.start(created["Id"])
        return docker_api.inspect_container(created["Id"])

    talker = container(
        "xss-logs",
        command=["sh", "-c", f"{script}; sleep 600"],
        working_dir="/tmp/" + PAYLOADS[0].replace("/", "_"),
    )
    idle = container("xss-idle", command=["sh", "-c", "sleep 600"])
    image = f"dockside-test/xss-{key}:probe"
    docker_api.commit(
        idle["Id"],
        repository=image.split(":")[0],
        tag="probe",
        message=PAYLOADS[1],
        author=PAYLOADS[2],
        changes=['LABEL probe.image="<img src=x id=xss-label onerror=alert(9)>"'],
    )
    yield {"talker": talker, "idle": idle, "image": image}
    for container_id in made:
        docker_api.remove_container(container_id, force=True)
    docker_api.remove_image(image, force=True)


def quote_sh(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def failed_sign_in(url: str, username: str) -> None:
    session = requests.Session()
    session.get(f"{url}/accounts/login/", timeout=10)
    session.post(
        f"{url}/accounts/login/",
        data={
            "username": username,
            "password": "wrong",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{url}/accounts/login/"},
        timeout=10,
    )


def pages_of(probe) -> list[str]:
    talker, idle = probe["talker"]["Id"][:12], probe["idle"]["Id"][:12]
    payload = quote(PAYLOADS[0])
    image = probe["image"]
    return [
        f"/containers/?all=1&q={payload}",
        "/containers/?all=1",
        f"/containers/{talker}/",
        f"/containers/{talker}/logs/",
        f"/containers/{talker}/stats/",
        f"/containers/{talker}/top/",
        f"/containers/{talker}/run-command/",
        f"/containers/{talker}/compose/",
        f"/containers/run/?from={talker}",
        f"/containers/{idle}/exec/",
        f"/containers/{idle}/commit/",
        f"/containers/{talker}/rename/",
        f"/containers/{payload}/",
        f"/logs/?containers={talker}",
        f"/logs/?containers={payload}",
        f"/images/?q={payload}",
        "/images/",
        f"/images/{image}/",
        f"/images/{image}/tag/",
        f"/images/pull/?next={quote(PAYLOADS[4])}",
        f"/audit/?user={payload}&action={payload}",
        "/audit/",
        "/events/",
        "/stats/",
        "/access/users/",
        f"/containers/run/?image={payload}",
    ]


def assert_clean(page, where: str) -> None:
    found = page.evaluate(CHECK)
    assert found == {"injected": [], "ran": None}, f"{where}: {found}"


@pytest.mark.allow_console("Failed to load resource: the server responded with a status of 404")
@pytest.mark.allow_console("Failed to load resource: the server responded with a status of 400")
def test_no_payload_runs_or_injects_anywhere(page, daphne_server, probe, browser):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    failed_sign_in(daphne_server.url, PAYLOADS[0])

    for path in pages_of(probe):
        page.goto(f"{daphne_server.url}{path}")
        page.wait_for_load_state("load")
        assert_clean(page, path)

    # The log viewer draws the lines (ANSI colours too) as they come.
    page.goto(f"{daphne_server.url}/containers/{probe['talker']['Id'][:12]}/logs/")
    log = page.locator("[data-log]")
    expect(log).to_contain_text("window.__xss=6")
    expect(log.locator(".ansi-fg-1").first).to_be_visible()
    assert_clean(page, "log viewer")

    # A one-shot command's output, through its form.
    page.goto(f"{daphne_server.url}/containers/{probe['idle']['Id'][:12]}/exec/")
    page.get_by_label("Command", exact=True).fill(f"echo {quote_sh(PAYLOADS[0])}")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("main")).to_contain_text("window.__xss=1")
    assert_clean(page, "exec output")

    # The terminal: typed and echoed back.
    page.goto(f"{daphne_server.url}/containers/{probe['idle']['Id'][:12]}/terminal/")
    expect(page.locator("[data-terminal-status]")).to_contain_text("Connected")
    page.locator(".xterm").click()
    page.keyboard.type(f"echo {quote_sh(PAYLOADS[1])}")
    page.keyboard.press("Enter")
    expect(page.locator(".xterm-rows")).to_contain_text("window.__xss=2;alert(2)")
    assert_clean(page, "terminal")

    # The audit log shows the failed sign-in's name, and the exec's command.
    page.goto(f"{daphne_server.url}/audit/")
    expect(page.locator("#audit-table")).to_contain_text("onerror=")
    assert_clean(page, "audit log")
    support.screenshot(page, "xss-audit")

    # Signed out: the sign-in page with a hostile next=.
    anonymous = browser.new_page()
    try:
        anonymous.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for target in (PAYLOADS[4], PAYLOADS[1], "//evil.example/"):
            anonymous.goto(f"{daphne_server.url}/accounts/login/?next={quote(target)}")
            assert_clean(anonymous, f"login next={target}")
    finally:
        anonymous.close()

    assert dialogs == []
