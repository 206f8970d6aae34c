"""Accounts, roles and the policy in Chromium: an admin adds an operator and changes the
role; a viewer meets the 403 page that names the role; the policy's refusal shows at the
field; a throttled sign-in says so."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser

PASSWORD = "Browser-pass-42"


def signed_in_as(browser, url: str, username: str, password: str = PASSWORD, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/containers/")
    return context, page


def add_account(page, url: str, role: str) -> str:
    username = f"{role}-{uuid.uuid4().hex[:6]}"
    page.goto(f"{url}/access/users/")
    form = page.locator("#account-form")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Role").select_option(role)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_label("Password again").fill(PASSWORD)
    form.get_by_role("button", name="Add the account").click()
    expect(page.locator("#messages")).to_contain_text(f"Created {username} ({role}).")
    return username


def test_an_admin_adds_an_account_and_changes_its_role(page, daphne_server):
    username = add_account(page, daphne_server.url, "viewer")
    row = page.locator("#account-table tr", has_text=username)
    expect(row.locator(".role")).to_have_text("viewer")
    support.screenshot(page, "access-users")

    row.get_by_role("link", name="Change…").click()
    page.get_by_label("Role").select_option("operator")
    page.get_by_role("button", name="Change the role").click()
    expect(page.locator("#messages")).to_contain_text(f"{username} is now operator.")
    page.locator("#account-table tr", has_text=username).get_by_role("link").click()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("button", name="Deactivate")).to_be_visible()  # dismissed: nothing
    support.screenshot(page, "access-user")
    page.goto(f"{daphne_server.url}/audit/?action=account_role")
    expect(page.locator("#audit-table")).to_contain_text(username)


@pytest.mark.allow_console("Failed to load resource: the server responded with a status of 403")
def test_a_viewer_sees_no_controls_and_a_403_that_names_the_role(
    page, daphne_server, browser, make_container
):
    container = make_container(hint="viewer-ui")
    username = add_account(page, daphne_server.url, "viewer")
    context, viewer = signed_in_as(browser, daphne_server.url, username, color_scheme="dark")
    try:
        viewer.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/")
        expect(viewer.get_by_role("heading", level=1)).to_have_text(container["Name"][1:])
        expect(viewer.get_by_role("button", name="Stop")).to_have_count(0)
        expect(viewer.get_by_role("link", name="Access")).to_have_count(0)
        support.screenshot(viewer, "viewer-container-dark")

        viewer.goto(f"{daphne_server.url}/containers/{container['Id'][:12]}/terminal/")
        expect(viewer.locator("#refusal")).to_have_text(
            "Opening a terminal takes the operator role or above; you are a viewer."
        )
        support.screenshot(viewer, "refused-403-dark")
    finally:
        context.close()


@pytest.mark.page_options(viewport={"width": 360, "height": 740})
@pytest.mark.allow_console("Failed to load resource: the server responded with a status of 403")
def test_the_policy_refuses_an_operator_at_the_field_on_a_phone(page, daphne_server, browser):
    username = add_account(page, daphne_server.url, "operator")
    page.goto(f"{daphne_server.url}/access/policy/")
    expect(page.get_by_label("Allow --privileged")).not_to_be_checked()
    support.screenshot(page, "access-policy-phone")
    context, operator = signed_in_as(
        browser, daphne_server.url, username, viewport={"width": 360, "height": 740}
    )
    errors = []
    operator.on(
        "console",
        lambda message: (
            message.type == "error"
            and "status of 403" not in message.text
            and errors.append(message.text)
        ),
    )
    try:
        name = support.run_name("ui-policy")
        command = (
            f"docker create --name {name} --network none -v /etc:/host:ro"
            f" --label {support.RUN_LABEL} {support.BASE_IMAGE}"
        )
        operator.goto(f"{daphne_server.url}/containers/run/")
        operator.get_by_text("Paste a docker run command to fill the form").click()
        operator.get_by_label("docker run or docker create command").fill(command)
        operator.get_by_role("button", name="Fill the form").click()
        volumes = operator.locator(
            ".field", has=operator.get_by_label("Volumes and bind mounts (-v)")
        )
        expect(volumes.locator(".field-error")).to_contain_text(
            "/etc is a host directory outside those bind mounts may come from"
        )
        operator.get_by_role("button", name="Run", exact=True).click()
        expect(volumes.locator(".field-error")).to_contain_text("/etc is a host directory")
        width = operator.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360
        support.screenshot(operator, "policy-refused-phone")
        assert not errors, errors
    finally:
        context.close()


def test_a_throttled_sign_in_says_how_long_to_wait(browser, tmp_path):
    """On a server of its own: the failures count against the loopback address too, which
    every other browser test signs in from."""
    context = browser.new_context()
    page = context.new_page()
    with support.live_daphne(tmp_path) as server:
        name = f"nobody-{uuid.uuid4().hex[:6]}"
        page.goto(f"{server.url}/accounts/login/")
        for _ in range(5):
            page.get_by_label("Username").fill(name)
            page.get_by_label("Password").fill("wrong")
            page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "5 failed sign-ins in a row for this username"
        )
        support.screenshot(page, "login-throttled")
    context.close()
