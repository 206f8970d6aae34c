"""Registries with authentication, on a real docker-registry with an htpasswd (bcrypt) file
started by the suite: credentials stored sealed, `docker login` checked by the engine,
the catalog and tags browsed, push with per-layer progress, pull by another tag with the
stored credentials; and the password in clear nowhere (database, audit log, pages, logs)."""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid

import docker
import pytest
from django.db import connection
from django.test import override_settings

from audit.models import AuditEntry
from registries.models import Registry
from registries.sealing import seal, unseal
from tests import support
from tests.posting import error_at, last_entry, preview
from tests.test_image_actions import ended
from tests.test_image_pages import build_image

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stored(admin_client, auth_registry) -> Registry:
    """The auth registry, added through the form with its right password."""
    response = admin_client.post(
        "/registries/add/",
        {
            "address": auth_registry.address,
            "username": auth_registry.username,
            "password": auth_registry.password,
        },
    )
    assert response.status_code == 302, error_at(response.content.decode(), "address")
    yield Registry.objects.get(address=auth_registry.address)
    Registry.objects.filter(address=auth_registry.address).delete()


@pytest.fixture
def own_image(docker_api):
    """An image with a layer of its own, removed (every tag) at the end."""
    name = f"dockside-test/pushme-{uuid.uuid4().hex[:8]}"
    image_id = build_image(
        docker_api,
        f"FROM {support.BASE_IMAGE}\nRUN head -c 200000 /dev/urandom > /data\n",
        f"{name}:1",
    )
    yield name, image_id
    for image in docker_api.images(all=True):
        if image["Id"] == image_id:
            for tag in image.get("RepoTags") or []:
                with contextlib.suppress(docker.errors.APIError):
                    docker_api.remove_image(tag, force=True)


def everything_stored() -> str:
    """The whole database as SQL text, every table."""
    return "\n".join(connection.connection.iterdump())


def test_the_password_is_sealed_and_shown_nowhere(admin_client, stored, auth_registry):
    password = auth_registry.password

    assert stored.sealed_secret and password not in stored.sealed_secret
    assert unseal(stored.sealed_secret) == password
    assert password not in everything_stored()
    entry = last_entry("add_registry")
    assert entry.outcome == "succeeded"
    login = f"docker login -u {auth_registry.username} --password-stdin {auth_registry.address}"
    assert entry.command == f"{login} < password.txt"
    assert password not in json.dumps(entry.parameters)
    for page in ["/registries/", f"/registries/{stored.pk}/", f"/registries/{stored.pk}/edit/"]:
        html = admin_client.get(page).content.decode()
        assert password not in html, page
    assert "stored, encrypted" in admin_client.get("/registries/").content.decode()


def test_a_seal_opens_only_under_its_secret_key():
    sealed = seal("hunter2")

    with override_settings(SECRET_KEY="another-secret-key-entirely-0123456789"):
        assert unseal(sealed) == ""
    assert unseal(sealed) == "hunter2"
    assert seal("hunter2") != sealed, "each seal has its own IV"


def test_a_wrong_password_is_refused_with_the_registrys_words(admin_client, stored):
    stored.set_secret("not-the-password")
    stored.save()

    response = admin_client.post(f"/registries/{stored.pk}/login/", follow=True)

    page = response.content.decode()
    assert "refused the login" in page and "401 Unauthorized" in page
    entry = last_entry("registry_login")
    assert entry.outcome == "failed" and "401 Unauthorized" in entry.error
    stored.refresh_from_db()
    assert stored.last_login_ok is None and "401" in stored.last_login_message


def test_the_right_password_logs_in(operator_client, stored):
    response = operator_client.post(f"/registries/{stored.pk}/login/", follow=True)

    assert "Login Succeeded" in response.content.decode()
    assert last_entry("registry_login").outcome == "succeeded"
    stored.refresh_from_db()
    assert stored.last_login_ok is not None


def test_editing_with_an_empty_password_keeps_the_stored_one(admin_client, stored, auth_registry):
    response = admin_client.post(
        f"/registries/{stored.pk}/edit/",
        {"address": stored.address, "username": auth_registry.username, "password": ""},
    )

    assert response.status_code == 302
    stored.refresh_from_db()
    assert unseal(stored.sealed_secret) == auth_registry.password
    assert last_entry("change_registry").outcome == "succeeded"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"address": "https://"}, "address", "enter the registry's address"),
        ({"address": "reg.example.com/path"}, "address", "host[:port] only"),
        ({"address": "bad_host!:5000"}, "address", "invalid registry host"),
        ({"address": "reg.example.com:99999"}, "address", "invalid registry port"),
        (
            {"address": "reg.example.com", "password": "x"},
            "username",
            "a password goes with a username",
        ),
    ],
)
def test_bad_registry_input_is_refused_at_its_field(admin_client, data, field, message):
    response = admin_client.post("/registries/add/", data)

    assert response.status_code == 400
    assert message in error_at(response.content.decode(), field)
    assert last_entry("add_registry").outcome == "failed"
    assert not Registry.objects.exists()


def test_only_admins_store_credentials(operator_client, auth_registry):
    response = operator_client.post("/registries/add/", {"address": auth_registry.address})

    assert response.status_code == 403
    assert not Registry.objects.exists()


def push(client, image_id: str, registry: str, name: str) -> str:
    response = client.post(f"/images/{image_id[7:19]}/push/", {"registry": registry, "name": name})
    assert response.status_code == 302, error_at(response.content.decode(), "name")
    return response["Location"]


def wait_for_job(client, url: str) -> str:
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        fragment = client.get(
            url, headers={"HX-Request": "true", "HX-Target": "progress"}
        ).content.decode()
        seen.append(fragment)
        if "hx-trigger" not in fragment:
            return "\n".join(seen)
        time.sleep(0.1)
    raise AssertionError("the job did not end")


def test_push_then_pull_by_another_tag_round_trips(
    admin_client, stored, own_image, docker_api, caplog
):
    caplog.set_level(logging.DEBUG)
    name, image_id = own_image
    path = name.split("/", 1)[1]
    target = f"{stored.address}/team/{path}"
    assert preview(
        admin_client,
        f"/images/{image_id[7:19]}/push/",
        {"registry": stored.address, "name": f"team/{path}:v1"},
    ) == (f"docker tag {name}:1 {target}:v1 && docker push {target}:v1")

    log = wait_for_job(
        admin_client, push(admin_client, image_id, stored.address, f"team/{path}:v1")
    )
    assert ended(log) == "done", log[-2000:]
    assert "Pushed" in log and "<progress" in log
    wait_for_job(admin_client, push(admin_client, image_id, stored.address, f"team/{path}:v2"))
    entry = last_entry("push")
    assert entry.outcome == "succeeded" and entry.target_id == image_id
    browse = admin_client.get(f"/registries/{stored.pk}/").content.decode()
    assert f"team/{path}" in browse
    tags = admin_client.get(
        f"/registries/{stored.pk}/", {"repository": f"team/{path}"}
    ).content.decode()
    assert ":v1" in tags and ":v2" in tags and "Pull…" in tags
    for tag in (f"{stored.address}/team/{path}:v1", f"{stored.address}/team/{path}:v2"):
        docker_api.remove_image(tag)

    pulled = admin_client.post("/images/pull/", {"image": f"{stored.address}/team/{path}:v2"})
    assert ended(wait_for_job(admin_client, pulled["Location"])) == "done"

    assert docker_api.inspect_image(f"{stored.address}/team/{path}:v2")["Id"] == image_id
    assert stored.auth_config()["password"] not in caplog.text
    assert stored.auth_config()["password"] not in everything_stored()
    assert not any(
        stored.auth_config()["password"] in (e.command + e.error + json.dumps(e.parameters))
        for e in AuditEntry.objects.all()
    )


def test_without_stored_credentials_the_registry_refuses(
    admin_client, auth_registry, own_image, docker_api
):
    _, image_id = own_image

    log = wait_for_job(
        admin_client, push(admin_client, image_id, "", f"{auth_registry.address}/team/x:1")
    )

    assert ended(log) == "failed"
    assert "no basic auth credentials" in log or "authentication required" in log
    assert last_entry("push").outcome == "failed"
    with pytest.raises(docker.errors.ImageNotFound):
        docker_api.inspect_image(f"{auth_registry.address}/team/x:1")


def test_the_catalog_needs_the_right_credentials(admin_client, stored):
    stored.set_secret("wrong")
    stored.save()

    response = admin_client.get(f"/registries/{stored.pk}/")

    assert response.status_code == 403
    assert "refused the credentials: authentication required" in response.content.decode()


def test_a_push_outside_the_allowed_registries_is_refused_at_the_field(admin_client, own_image):
    _, image_id = own_image

    response = admin_client.post(
        f"/images/{image_id[7:19]}/push/", {"name": "registry.example.com/x:1"}
    )

    assert response.status_code == 400
    assert "not allowed here" in error_at(response.content.decode(), "name")
    assert last_entry("push").outcome == "failed"


def test_a_refused_form_keeps_the_password_out_of_the_audit_log(admin_client, stored):
    secret = "typed-but-refused-" + uuid.uuid4().hex

    response = admin_client.post(
        "/registries/add/",
        {"address": stored.address, "username": "someone", "password": secret},
    )

    assert response.status_code == 400, "the address is stored already"
    entry = last_entry("add_registry")
    assert entry.outcome == "failed"
    assert secret not in json.dumps(entry.parameters) + entry.error
    assert secret not in everything_stored()


def test_a_new_address_needs_the_password_again(admin_client, stored, auth_registry):
    data = {"address": "registry.example.com", "username": auth_registry.username}

    response = admin_client.post(f"/registries/{stored.pk}/edit/", data)

    assert response.status_code == 400
    assert "type the password again" in error_at(response.content.decode(), "password")
    stored.refresh_from_db()
    assert stored.address == auth_registry.address


def test_an_operator_may_not_move_a_tag_by_pushing(
    operator_client, admin_client, own_image, docker_api, registry
):
    _, image_id = own_image
    other = f"{registry}/dockside-test/taken-{uuid.uuid4().hex[:6]}:1"
    docker_api.tag(support.BASE_IMAGE, other.rsplit(":", 1)[0], "1")  # another image's name
    try:
        response = operator_client.post(f"/images/{image_id[7:19]}/push/", {"name": other})

        assert response.status_code == 403
        assert "moving that tag takes the admin role" in error_at(response.content.decode(), "name")
        assert last_entry("push").outcome == "failed"
        assert docker_api.inspect_image(other)["Id"] != image_id
    finally:
        docker_api.remove_image(other)


def test_a_failed_push_leaves_no_new_tag(admin_client, auth_registry, own_image, docker_api):
    _, image_id = own_image
    target = f"{auth_registry.address}/team/untagged-{uuid.uuid4().hex[:6]}:1"

    log = wait_for_job(admin_client, push(admin_client, image_id, "", target))

    assert ended(log) == "failed"
    with pytest.raises(docker.errors.ImageNotFound):
        docker_api.inspect_image(target)


@pytest.mark.parametrize("repository", ["../../v2/_catalog", "team/app?x=1", "Team/App", "a/b:tag"])
def test_a_repository_that_is_no_name_is_refused(admin_client, stored, repository):
    response = admin_client.get(f"/registries/{stored.pk}/", {"repository": repository})

    assert response.status_code == 400
    assert "<h2>Tags</h2>" not in response.content.decode(), "the registry was not asked"


def test_docker_hub_search_names_no_other_registry(admin_client, docker_api):
    hub = Registry.objects.create(address="docker.io")

    response = admin_client.get(f"/registries/{hub.pk}/", {"q": "evil.example.com/app"})

    assert response.status_code == 400
    assert "reaching the registry evil.example.com is not allowed" in response.content.decode()


def test_removing_a_registry_forgets_its_credentials(admin_client, stored):
    assert admin_client.get(f"/registries/{stored.pk}/remove/").status_code == 200

    response = admin_client.post(f"/registries/{stored.pk}/remove/")

    assert response.status_code == 302
    assert not Registry.objects.filter(pk=stored.pk).exists()
    entry = last_entry("remove_registry")
    assert entry.outcome == "succeeded" and entry.command == f"docker logout {stored.address}"


def test_a_registry_with_no_user_has_no_login_to_test(admin_client, registry):
    anonymous = Registry.objects.create(address=registry)

    page = admin_client.get(f"/registries/{anonymous.pk}/").content.decode()
    response = admin_client.post(f"/registries/{anonymous.pk}/login/", follow=True)

    assert "Test login" not in page
    assert "has no user to sign in as" in response.content.decode()
    assert "dockside-test/busybox" in page, "its catalog, read without a login"
