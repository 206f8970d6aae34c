"""Volumes against the real engine: list, inspect, create (the CLI proves the command),
remove and prune, with the host-access policy and roles where the action happens."""

from __future__ import annotations

import contextlib
import io
import json
import shlex
import subprocess
import tarfile
import uuid
from html import unescape

import docker
import pytest

from access.models import HostPolicy
from tests import support
from tests.pages import text
from tests.posting import assert_audited, error_at, field_errors, last_entry, preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_volume(docker_api):
    """A volume of this run (named with its prefix, labelled), removed at the end."""
    made: list[str] = []

    def make(hint: str = "v", **kwargs) -> str:
        name = support.run_name(hint)
        labels = support.run_labels(**kwargs.pop("labels", {}))
        docker_api.create_volume(name, labels=labels, **kwargs)
        made.append(name)
        return name

    yield make
    for name in made:
        with contextlib.suppress(docker.errors.NotFound):
            docker_api.remove_volume(name, force=True)


def user_of(make_container, volume: str, hint: str, read_only: bool = False) -> dict:
    binds = {volume: {"bind": "/data", "mode": "ro" if read_only else "rw"}}
    return make_container(hint=hint, start=False, host_config={"binds": binds})


def test_the_list_shows_each_volume_with_the_containers_that_use_it(
    admin_client, make_volume, make_container
):
    used, unused = make_volume("used"), make_volume("unused")
    user = user_of(make_container, used, "vol-user", read_only=True)

    html = admin_client.get("/volumes/", {"q": support.NAME_PREFIX}).content.decode()

    page = text(html)
    assert "docker volume ls" in page
    row = html.split(f'href="/volumes/{used}/"')[1].split("</tr>")[0]
    assert user["Name"][1:] in row and "read-only" in row and "dangling" not in row
    unused_row = html.split(f'href="/volumes/{unused}/"')[1].split("</tr>")[0]
    assert "dangling" in unused_row and "no container" in unused_row

    dangling = admin_client.get("/volumes/", {"dangling": "1"}).content.decode()
    assert f"/volumes/{unused}/" in dangling and f"/volumes/{used}/" not in dangling
    assert "docker volume ls -f dangling=true" in text(dangling)


def test_what_docker_holds_is_escaped_in_the_rows(admin_client, make_volume):
    """The rows are written in Python (pages/volume_rows.py): a bind volume's device is any
    text its creator typed, and lands in an attribute."""
    device = '/tmp/x" onmouseover="alert(1)<b>&'
    name = make_volume("hostile", driver_opts={"type": "none", "o": "bind", "device": device})

    html = admin_client.get("/volumes/", {"q": name}).content.decode()

    row = html.split(f'href="/volumes/{name}/"')[1].split("</tr>")[0]
    assert 'title="A host directory: /tmp/x&quot; onmouseover=&quot;alert(1)&lt;b&gt;&amp;"' in row
    assert "<b>" not in row and 'onmouseover="' not in row


def test_sizes_come_from_one_system_df_when_asked(admin_client, make_volume, make_container):
    name = make_volume("sized")
    make_container(
        ["sh", "-c", "head -c 300000 /dev/zero > /data/blob"],
        hint="vol-writer",
        wait=True,
        host_config={"binds": {name: {"bind": "/data", "mode": "rw"}}},
    )

    html = admin_client.get("/volumes/", {"sizes": "1", "q": name}).content.decode()

    assert "docker system df -v" in text(html)
    row = html.split(f'href="/volumes/{name}/"')[1].split("</tr>")[0]
    assert "300kB" in row, row


def test_the_detail_page_shows_options_masked_users_and_labels(
    admin_client, make_volume, make_container
):
    name = make_volume(
        "detail",
        driver_opts={"type": "tmpfs", "device": "tmpfs", "o": "size=1m,password=hunter2x"},
        labels={"com.example.team": "web"},
    )
    user = user_of(make_container, name, "vol-detail")

    html = admin_client.get(f"/volumes/{name}/").content.decode()

    assert f"docker volume inspect {name}" in text(html)
    assert "hunter2x" not in html, "a driver option's secret is never shown"
    assert "size=1m" in html and "com.example.team" in html
    assert f"/containers/{user['Id'][:12]}/" in html and "/data" in html
    assert admin_client.get("/volumes/no-such-volume-here/").status_code == 404


def test_create_shows_its_command_and_the_cli_makes_the_same_volume(admin_client, docker_api):
    name, twin = support.run_name("made"), support.run_name("twin")
    data = {
        "name": name,
        "driver": "local",
        "options": "type=tmpfs\ndevice=tmpfs\no=size=2m",
        "labels": f"{support.RUN_LABEL}\ncom.example.app=shop",
    }
    command = (
        f"docker volume create -o type=tmpfs -o device=tmpfs -o o=size=2m"
        f" --label {support.RUN_LABEL} --label com.example.app=shop {name}"
    )
    assert preview(admin_client, "/volumes/create/", data) == command

    response = admin_client.post("/volumes/create/", data)

    assert response.status_code == 302 and response["Location"] == f"/volumes/{name}/"
    assert_audited("create_volume", command, name)
    subprocess.run(shlex.split(command.replace(name, twin)), check=True, capture_output=True)
    made, by_cli = docker_api.inspect_volume(name), docker_api.inspect_volume(twin)
    for key in ("Driver", "Options", "Labels", "Scope"):
        assert made[key] == by_cli[key], key


def test_an_unnamed_volume_is_named_by_docker(admin_client, docker_api):
    marker = uuid.uuid4().hex[:8]
    labels = f"{support.RUN_LABEL}\ndockside.test.marker={marker}"

    response = admin_client.post("/volumes/create/", {"labels": labels})

    assert response.status_code == 302
    made = docker_api.volumes(filters={"label": f"dockside.test.marker={marker}"})["Volumes"]
    assert len(made) == 1 and response["Location"] == f"/volumes/{made[0]['Name']}/"
    assert last_entry("create_volume").target_name == made[0]["Name"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "a", "not a volume name"),
        ("name", "-dash", "not a volume name"),
        ("name", "bad/name", "not a volume name"),
        ("options", "novalue", "give a value"),
        ("labels", "=x", "expected KEY=VALUE"),
        ("driver", "bad driver", "not a driver name"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_made(
    admin_client, docker_api, field, value, message
):
    before = support.engine_state(docker_api)
    data = {"name": support.run_name("bad"), "labels": support.RUN_LABEL, field: value}

    response = admin_client.post("/volumes/create/", data)

    assert response.status_code == 400
    assert message in error_at(response.content.decode(), field)
    entry = last_entry("create_volume")
    assert entry.outcome == "failed" and entry.error.startswith("rejected:")
    assert support.engine_state(docker_api) == before


def test_an_engine_refusal_goes_to_its_field(admin_client, docker_api):
    before = support.engine_state(docker_api)
    data = {
        "name": support.run_name("nodriver"),
        "driver": "no-such-driver-x",
        "override_policy": "on",  # a plugin's driver is an admin's, past the policy
    }

    response = admin_client.post("/volumes/create/", data)

    assert response.status_code == 404, response.status_code
    html = response.content.decode()
    assert any("no-such-driver-x" in error for error in field_errors(html)), field_errors(html)
    assert last_entry("create_volume").outcome == "failed"
    assert support.engine_state(docker_api) == before


def test_a_bind_volume_outside_the_allowed_directories_is_refused(
    operator_client, admin_client, docker_api, tmp_path
):
    name = support.run_name("host-dir")
    data = {
        "name": name,
        "options": f"type=none\no=bind\ndevice={tmp_path}",
        "labels": support.RUN_LABEL,
    }

    for client in (operator_client, admin_client):  # admins too, unless they override
        response = client.post("/volumes/create/", data)
        assert response.status_code == 403
        errors = field_errors(response.content.decode())
        assert any("outside those bind mounts may come from" in e for e in errors), errors
        assert last_entry("create_volume").outcome == "failed"
    with pytest.raises(docker.errors.NotFound):
        docker_api.inspect_volume(name)

    response = operator_client.post("/volumes/create/", {**data, "override_policy": "on"})
    assert response.status_code == 403, "only admins may override"

    response = admin_client.post("/volumes/create/", {**data, "override_policy": "on"})
    assert response.status_code == 302
    entry = last_entry("create_volume")
    assert entry.outcome == "succeeded" and entry.parameters["policy_override"]
    assert docker_api.inspect_volume(name)["Options"]["device"] == str(tmp_path)


def test_a_bind_volume_under_an_allowed_directory_and_a_tmpfs_are_an_operators(
    operator_client, docker_api, tmp_path
):
    policy = HostPolicy.current()
    policy.bind_roots = str(tmp_path)
    policy.save()
    bound, memory = support.run_name("allowed"), support.run_name("tmpfs")

    allowed = {"name": bound, "options": f"type=none\no=bind\ndevice={tmp_path}"}
    tmpfs = {"name": memory, "options": "type=tmpfs\ndevice=tmpfs\no=size=1m"}
    disk = {"name": support.run_name("disk"), "options": "type=ext4\ndevice=/dev/sda1"}
    plugin = {"name": support.run_name("plugin"), "driver": "vieux/sshfs"}

    for data in (allowed, tmpfs):
        response = operator_client.post("/volumes/create/", {**data, "labels": support.RUN_LABEL})
        assert response.status_code == 302, field_errors(response.content.decode())
    for data, field, words in ((disk, "options", "mount a disk"), (plugin, "driver", "plugin")):
        response = operator_client.post("/volumes/create/", {**data, "labels": support.RUN_LABEL})
        assert response.status_code == 403
        assert any(words in e for e in field_errors(response.content.decode())), field
    assert {bound, memory} <= {v["Name"] for v in support.run_volumes(docker_api)}


def test_viewers_may_look_but_not_create(viewer_client, make_volume):
    name = make_volume("look")

    assert viewer_client.get("/volumes/").status_code == 200
    assert viewer_client.get(f"/volumes/{name}/").status_code == 200
    response = viewer_client.post("/volumes/create/", {"name": support.run_name("nope")})
    assert response.status_code == 403
    assert "creating volumes takes the operator role" in text(response.content.decode()).lower()


def test_remove_refuses_a_volume_in_use_and_removes_an_unused_one(
    admin_client, operator_client, make_volume, make_container, docker_api
):
    used, unused = make_volume("busy"), make_volume("free")
    user_of(make_container, used, "vol-busy")

    page = admin_client.get(f"/volumes/{used}/remove/").content.decode()
    assert f"docker volume rm {used}" in text(page) and "refuses to remove a volume in use" in page

    response = admin_client.post(f"/volumes/{used}/remove/", {"force": "on"})
    assert response.status_code == 409
    assert any("in use" in e for e in field_errors(response.content.decode()))
    assert docker_api.inspect_volume(used)

    assert operator_client.post(f"/volumes/{unused}/remove/", {}).status_code == 403
    response = admin_client.post(f"/volumes/{unused}/remove/", {})
    assert response.status_code == 302 and response["Location"] == "/volumes/"
    assert_audited("remove_volume", f"docker volume rm {unused}", unused)
    with pytest.raises(docker.errors.NotFound):
        docker_api.inspect_volume(unused)


def test_prune_lists_exactly_what_it_removes(admin_client, make_volume, make_container, docker_api):
    marker = f"{support.TEST_LABEL}.prune={uuid.uuid4().hex[:8]}"
    key, value = marker.split("=")
    doomed = sorted(make_volume(f"prune{i}", labels={key: value}) for i in range(2))
    kept = make_volume("prune-used", labels={key: value})
    user_of(make_container, kept, "vol-prune-user")

    page = admin_client.get("/volumes/prune/", {"labels": marker}).content.decode()

    assert "2 volumes will be removed" in text(page)
    assert all(f"/volumes/{name}/" in page for name in doomed) and kept not in page
    assert f"docker volume prune -f --filter label={marker}" in text(page)

    stale = admin_client.post("/volumes/prune/", {"labels": marker, "expected": doomed[0]})
    assert stale.status_code == 409 and docker_api.inspect_volume(doomed[0])

    confirmed = {"labels": marker, "expected": ",".join(doomed)}
    response = admin_client.post("/volumes/prune/", confirmed)

    assert response.status_code == 302
    entry = last_entry("prune_volumes")
    assert entry.outcome == "succeeded" and sorted(entry.parameters["removed"]) == doomed
    left = {v["Name"] for v in docker_api.volumes(filters={"label": marker})["Volumes"]}
    assert left == {kept}


def test_the_volume_inspect_json_is_escaped_and_complete(admin_client, make_volume):
    labels = {"note": "<script>alert(1)</script>", "API_TOKEN": "s3cr3t-label"}
    name = make_volume("json", labels=labels)

    html = admin_client.get(f"/volumes/{name}/").content.decode()

    assert "<script>alert(1)</script>" not in html and "s3cr3t-label" not in html
    raw = html.split('<pre class="json">')[1].split("</pre>")[0]
    assert json.loads(unescape(raw))["Labels"]["note"] == "<script>alert(1)</script>"


@pytest.fixture
def filled_volume(make_volume, make_container) -> str:
    name = make_volume("filled")
    make_container(
        ["sh", "-c", "mkdir -p /data/sub && echo one > /data/sub/one.txt && echo top > /data/t"],
        hint="vol-filler",
        wait=True,
        host_config={"binds": [f"{name}:/data"]},
    )
    return name


def test_a_volume_is_browsed_through_a_helper_that_goes_away(
    admin_client, filled_volume, docker_api
):
    html = admin_client.get(f"/volumes/{filled_volume}/files/").content.decode()

    table = html.split('id="file-table"')[1].split("</table>")[0]
    assert ">sub/</a>" in table and ">t</a>" in table
    assert f"-v {filled_volume}:/volume:ro" in text(html)
    deeper = admin_client.get(f"/volumes/{filled_volume}/files/", {"path": "/sub"})
    assert ">one.txt</a>" in deeper.content.decode()
    helpers = docker_api.containers(
        all=True, filters={"label": "dockside.helper", "volume": filled_volume}
    )
    assert helpers == [], "the helper container was removed"


def test_a_volume_download_is_what_the_shown_commands_make(admin_client, filled_volume, docker_api):
    response = admin_client.get(f"/volumes/{filled_volume}/download")
    ours = b"".join(response)

    entry = last_entry("volume_copy")
    assert entry.outcome == "succeeded" and entry.target_name == filled_volume
    helper = support.run_name("cli-helper")
    shell = entry.command.replace("volume-helper", helper)
    by_cli = subprocess.run(["bash", "-c", shell], check=True, capture_output=True).stdout
    with (
        tarfile.open(fileobj=io.BytesIO(ours)) as got,
        tarfile.open(fileobj=io.BytesIO(by_cli)) as want,
    ):
        assert sorted(got.getnames()) == sorted(want.getnames())
        assert got.extractfile("volume/sub/one.txt").read() == b"one\n"
    one = admin_client.get(
        f"/volumes/{filled_volume}/download", {"path": "/sub/one.txt", "as": "file"}
    )
    assert b"".join(one) == b"one\n"
    assert not docker_api.containers(
        all=True, filters={"label": "dockside.helper", "volume": filled_volume}
    )


def test_a_bind_volume_of_a_host_directory_is_an_admins_to_read(
    operator_client, admin_client, docker_api, tmp_path
):
    (tmp_path / "secret.txt").write_text("host file")
    name = support.run_name("bound")
    docker_api.create_volume(
        name,
        driver_opts={"type": "none", "o": "bind", "device": str(tmp_path)},
        labels=support.run_labels(),
    )

    response = operator_client.get(f"/volumes/{name}/files/")

    assert response.status_code == 403
    entry = last_entry("volume_copy")
    assert entry.outcome == "failed" and "host directory" in entry.error
    html = admin_client.get(f"/volumes/{name}/files/").content.decode()
    assert ">secret.txt</a>" in html
