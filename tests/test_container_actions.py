"""Lifecycle, rename, exec, commit and remove through their forms, checked with the Docker API."""

from __future__ import annotations

import re
import threading
import time
import uuid

import docker
import pytest
from django.db import connections

from audit.models import AuditEntry
from containers_app import actions
from containers_app.forms.fields import PATH_MAX
from containers_app.specs import LifecycleSpec
from tests import support
from tests.pages import text
from tests.posting import assert_audited, field_errors, last_entry, preview, run_data
from tests.test_image_pages import build_image
from tests.waiting import logs_contain, wait_for

pytestmark = pytest.mark.django_db


def state(docker_api, container) -> dict:
    return docker_api.inspect_container(container["Id"])["State"]


def act(client, container, verb, **data):
    return client.post(f"/containers/{container['Id'][:12]}/{verb}/", data)


@pytest.mark.parametrize(
    ("verb", "data", "expected_command", "check"),
    [
        ("stop", {"timeout": "1"}, "docker stop -t 1 {name}", lambda s: not s["Running"]),
        ("restart", {"timeout": "0"}, "docker restart -t 0 {name}", lambda s: s["Running"]),
        ("pause", {}, "docker pause {name}", lambda s: s["Paused"]),
        ("kill", {"signal": "TERM"}, "docker kill -s TERM {name}", lambda s: s["ExitCode"] == 0),
        ("kill", {"signal": ""}, "docker kill {name}", lambda s: s["ExitCode"] == 137),
    ],
)
def test_lifecycle_action_changes_state_and_is_audited(
    admin_client, make_container, docker_api, verb, data, expected_command, check
):
    container = make_container(hint=verb)
    name = container["Name"][1:]
    started_before = state(docker_api, container)["StartedAt"]

    command = preview(admin_client, f"/containers/{name}/{verb}/", data)
    response = act(admin_client, container, verb, **data)

    assert response.status_code == 302
    assert response["Location"] == f"/containers/{container['Id'][:12]}/"
    assert command == expected_command.format(name=name)
    assert check(state(docker_api, container))
    if verb == "restart":
        assert state(docker_api, container)["StartedAt"] != started_before
    entry = last_entry(verb)
    assert (entry.outcome, entry.command, entry.target_name) == ("succeeded", command, name)
    assert entry.username == "admin"
    assert entry.source_ip == "127.0.0.1"
    assert entry.finished_at >= entry.started_at and entry.duration is not None


@pytest.mark.timing
def test_restart_without_timeout_waits_the_containers_own_stop_timeout(
    admin_client, make_container, docker_api
):
    # sleep as PID 1 ignores SIGTERM: stopping takes the whole timeout
    container = make_container(["sleep", "600"], hint="stoptimeout", stop_timeout=1)

    started = time.monotonic()
    response = act(admin_client, container, "restart")
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert state(docker_api, container)["Running"]
    assert elapsed < 6, f"waited {elapsed:.1f} s: 10 s (a default), not the container's 1 s"


def test_start_and_unpause(admin_client, make_container, docker_api):
    created = make_container(hint="start", start=False)
    paused = make_container(hint="unpause")
    docker_api.pause(paused["Id"])

    assert act(admin_client, created, "start").status_code == 302
    assert act(admin_client, paused, "unpause").status_code == 302

    assert state(docker_api, created)["Running"]
    assert not state(docker_api, paused)["Paused"]
    for verb, container in (("start", created), ("unpause", paused)):
        name = container["Name"][1:]
        assert_audited(verb, f"docker {verb} {name}", name)


@pytest.mark.timing
def test_stop_waits_only_the_given_timeout(admin_client, make_container, docker_api):
    # sleep as PID 1 ignores SIGTERM: stopping takes the whole timeout, then SIGKILL
    container = make_container(["sleep", "600"], hint="stop-t")

    started = time.monotonic()
    response = act(admin_client, container, "stop", timeout="1")
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert state(docker_api, container)["ExitCode"] == 137, "killed after the timeout"
    assert 0.9 < elapsed < 6, f"waited {elapsed:.1f} s for a 1 s timeout (the default is 10 s)"


def test_rename_moves_the_name(admin_client, make_container, docker_api):
    container = make_container(hint="old")
    new_name = f"{support.NAME_PREFIX}renamed-{container['Id'][:6]}"

    response = act(admin_client, container, "rename", new_name=new_name)

    assert response.status_code == 302
    assert docker_api.inspect_container(container["Id"])["Name"] == f"/{new_name}"
    old_name = container["Name"][1:]
    assert_audited("rename", f"docker rename {old_name} {new_name}", old_name)


def test_rename_to_a_name_in_use_is_a_conflict_at_the_field(admin_client, make_container):
    first = make_container(hint="taken")
    second = make_container(hint="wants")

    response = act(admin_client, second, "rename", new_name=first["Name"][1:])

    assert response.status_code == 409
    errors = field_errors(response.content.decode())
    assert errors[0].startswith(
        f"The name {first['Name'][1:]} is taken: container {first['Id'][:12]}"
    )
    assert last_entry("rename").outcome == "failed"


def test_exec_runs_argv_without_a_shell(admin_client, make_container):
    container = make_container(hint="exec")

    response = act(
        admin_client,
        container,
        "exec",
        command="echo '$HOME;id' \"two words\"",
        user="nobody",
        workdir="/tmp",
        env="GREETING=hi",
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "$HOME;id two words\n" in page, "arguments reach echo verbatim, not through a shell"
    assert "exit code 0" in page
    name = container["Name"][1:]
    command = f"docker exec -u nobody -w /tmp -e GREETING=hi {name} echo '$HOME;id' 'two words'"
    entry = assert_audited("exec", command, name)
    assert entry.parameters["exit_code"] == 0


def test_exec_sees_user_workdir_env_and_reports_exit_code(admin_client, make_container):
    container = make_container(hint="execenv")

    response = act(
        admin_client,
        container,
        "exec",
        command="sh -c 'id -u; pwd; echo $GREETING; exit 4'",
        user="nobody",
        workdir="/tmp",
        env="GREETING=hello there",
    )

    page = text(response.content.decode())
    assert "65534 /tmp hello there" in page
    assert "failed: it exited with code 4" in page


def test_exec_output_keeps_the_order_written_and_marks_stderr(admin_client, make_container):
    container = make_container(hint="execorder")

    response = act(
        admin_client,
        container,
        "exec",
        # The engine reads stdout and stderr from two pipes: writes a moment apart keep their order.
        command="sh -c 'echo out1; sleep 0.2; echo err1 >&2; sleep 0.2; echo out2; sleep 0.2;"
        " echo err2 >&2; exit 3'",
    )

    html = response.content.decode()
    output = html[html.index('<pre class="output">') : html.index("</pre>")]
    assert re.sub(r"\s+", " ", output) == (
        '<pre class="output">out1 <span class="stderr" title="stderr">err1 </span>out2'
        ' <span class="stderr" title="stderr">err2 </span>'
    )
    assert '<p class="message error">The command failed: it exited with code 3.</p>' in html
    result = html[html.index('<section class="card result failed"') :]
    assert '<span class="state state-dead">failed</span>' in result
    assert "state-running" not in result


def test_exec_in_a_stopped_container_is_a_conflict_at_the_command(admin_client, make_container):
    container = make_container(["true"], hint="stopped", wait=True)

    response = act(admin_client, container, "exec", command="ls")

    assert response.status_code == 409
    errors = field_errors(response.content.decode())
    assert any("is not running" in error for error in errors), errors
    entry = last_entry("exec")
    assert entry.outcome == "failed" and "is not running" in entry.error


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("command", "x" * (PATH_MAX + 1), "the program name is 4,097 characters long"),
        ("workdir", "/" + "x" * PATH_MAX, "the working directory is 4,097 characters long"),
        ("user", "u" * (PATH_MAX + 1), "the user is 4,097 characters long"),
    ],
)
def test_exec_refuses_names_longer_than_linux_allows(
    admin_client, make_container, field, value, message
):
    container = make_container(hint="execlong")

    response = act(admin_client, container, "exec", **{"command": "true", field: value})

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response.content.decode()))
    entry = last_entry("exec")
    assert entry.outcome == "failed" and entry.error.startswith(f"rejected: {field}:")


def test_exec_of_a_missing_program_at_the_length_limit_leaves_the_container_usable(
    admin_client, make_container, docker_api
):
    # Much longer and the engine's runc hangs for good on its own error line, holding the
    # container: inspect and rm would never answer again.
    container = make_container(hint="execmax")

    response = act(admin_client, container, "exec", command="x" * PATH_MAX)

    page = text(response.content.decode())
    assert response.status_code == 200
    assert "executable file not found" in page and "exited with code 126" in page
    assert last_entry("exec").parameters["exit_code"] == 126
    assert state(docker_api, container)["Running"]
    docker_api.remove_container(container["Id"], force=True)


def test_commit_makes_an_image_with_message_author_and_changes(
    admin_client, make_container, docker_api
):
    container = make_container(
        ["sh", "-c", "echo snapshot > /saved; echo saved; sleep 600"], hint="commit"
    )
    wait_for(logs_contain(docker_api, container["Id"], "saved"), what="the file is written")
    repository = f"dockside-test/committed-{container['Id'][:8]}"

    response = act(
        admin_client,
        container,
        "commit",
        repository=f"{repository}:v2",
        message="first snapshot",
        author="Learner <learner@example.com>",
        changes=f'CMD ["cat", "/saved"]\nLABEL {support.IMAGE_LABEL}={support.RUN_ID}',
        pause="on",
    )

    assert response.status_code == 302
    image = docker_api.inspect_image(f"{repository}:v2")
    assert response["Location"] == f"/images/{image['Id'].removeprefix('sha256:')}/"
    assert image["Config"]["Cmd"] == ["cat", "/saved"]
    assert image["Comment"] == "first snapshot"
    assert image["Author"] == "Learner <learner@example.com>"
    run = docker_api.create_container(
        f"{repository}:v2",
        labels=support.run_labels(),
        host_config=docker_api.create_host_config(network_mode="none"),
    )
    docker_api.start(run["Id"])
    docker_api.wait(run["Id"], timeout=30)
    assert docker_api.logs(run["Id"]) == b"snapshot\n", (
        "the new CMD prints the file kept in the layer"
    )
    name = container["Name"][1:]
    command = (
        f"docker commit -a 'Learner <learner@example.com>' -m 'first snapshot'"
        f" -c 'CMD [\"cat\", \"/saved\"]' -c 'LABEL {support.IMAGE_LABEL}={support.RUN_ID}'"
        f" {name} {repository}:v2"
    )
    entry = assert_audited("commit", command, name)
    assert entry.parameters["image_id"] == image["Id"]


def images(docker_api) -> set[str]:
    ours = {"label": f"{support.IMAGE_LABEL}={support.RUN_ID}"}
    return {image["Id"] for image in docker_api.images(all=True, filters=ours)}


@pytest.mark.parametrize(
    ("repository", "message"),
    [
        ("UPPER/case", "repository name must be lowercase"),
        ("a::b", "invalid reference format"),
        ("", "This field is required"),
        ("dockside-test/café", "no spaces or non-ASCII characters"),
    ],
)
def test_commit_refuses_a_bad_repository_at_the_field_and_makes_no_image(
    admin_client, make_container, docker_api, repository, message
):
    container = make_container(hint="badcommit")
    before = images(docker_api)

    response = act(admin_client, container, "commit", repository=repository, pause="on")

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_repository"' in html and 'aria-invalid="true"' in html
    assert any(message in error for error in field_errors(html)), field_errors(html)
    assert images(docker_api) == before
    assert not state(docker_api, container)["Paused"]
    entry = last_entry("commit")
    assert (entry.outcome, entry.target_name) == ("failed", container["Name"][1:])
    assert entry.error.startswith("rejected: repository:") and message in entry.error


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ("=x", "expected KEY=VALUE with a variable name before ="),
        ("NOVALUE", "give a value (NOVALUE=...)"),
        ("GOOD=1\nBAD KEY=2", "expected KEY=VALUE with a variable name before ="),
    ],
)
def test_exec_refuses_malformed_env_at_the_field_as_the_run_form_does(
    admin_client, make_container, env, message
):
    container = make_container(hint="execbadenv")

    response = act(admin_client, container, "exec", command="touch /ran", env=env)

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_env"' in html and 'aria-invalid="true"' in html
    assert any(message in error for error in field_errors(html)), field_errors(html)
    entry = last_entry("exec")
    assert entry.outcome == "failed" and entry.error.startswith("rejected: env:")
    run = admin_client.post("/containers/run/", run_data(env=env))
    assert any(message in error for error in field_errors(run.content.decode())), "same rule"
    check = act(admin_client, container, "exec", command="ls /ran")
    assert "exited with code 1" in text(check.content.decode()), "the refused command never ran"


def test_remove_container_with_force_and_volumes(admin_client, make_container, docker_api):
    container = make_container(hint="remove", volumes=["/scratch"])
    volume = docker_api.inspect_container(container["Id"])["Mounts"][0]["Name"]

    refused = act(admin_client, container, "remove")
    assert refused.status_code == 409
    assert any("force" in error.lower() for error in field_errors(refused.content.decode()))
    assert state(docker_api, container)["Running"], "nothing was done"

    response = act(admin_client, container, "remove", force="on", volumes="on")

    assert response.status_code == 302
    with pytest.raises(docker.errors.NotFound):
        docker_api.inspect_container(container["Id"])
    assert volume not in {v["Name"] for v in docker_api.volumes()["Volumes"] or []}
    name = container["Name"][1:]
    assert_audited("remove_container", f"docker rm -f -v {name}", name)


def danger_buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" class="danger"[^>]*>', html)


def test_destructive_form_pages_ask_before_their_danger_button_submits(
    admin_client, make_container, docker_api
):
    mark = f"{support.TEST_LABEL}.confirm={uuid.uuid4().hex}"
    key, value = mark.split("=")
    stopped = make_container(hint="confirm", start=False, labels={key: value})
    dockerfile = f"FROM {support.BASE_IMAGE}\nLABEL {mark}\nRUN echo {{}} > /f\n"
    tag = f"dockside-test/confirm:{value[:8]}"
    build_image(docker_api, dockerfile.format("first"), tag)
    image = build_image(docker_api, dockerfile.format("second"), tag)  # the first dangles
    pages = {
        f"/containers/{stopped['Id'][:12]}/remove/": f"Remove container {stopped['Name'][1:]}?",
        f"/images/{image[7:19]}/remove/": f"Remove the image {tag}?",
        f"/containers/prune/?labels={mark}": "Remove the 1 containers listed?",
        f"/images/prune/?labels={mark}": "Remove the 1 images listed?",
    }

    for url, question in pages.items():
        html = admin_client.get(url).content.decode()
        buttons = danger_buttons(html)
        assert len(buttons) == 1, (url, buttons)
        assert f'hx-confirm="{question} This cannot be undone."' in buttons[0], url

    for verb in ("exec", "rename", "commit"):
        html = admin_client.get(f"/containers/{stopped['Id'][:12]}/{verb}/").content.decode()
        assert "hx-confirm" not in html, f"{verb} changes nothing irreversibly: no question"


def test_unknown_container_action_is_404(admin_client, make_container):
    container = make_container(hint="noverb")

    assert act(admin_client, container, "explode").status_code == 404
    assert admin_client.get("/containers/no-such-dockside-container/stop/").status_code == 404


def test_bulk_actions_are_audited_one_by_one(admin_client, make_container, docker_api):
    containers = [make_container(hint=f"bulk{i}") for i in range(3)]
    names = [c["Name"][1:] for c in containers]

    stopped = admin_client.post("/containers/bulk/", {"verb": "stop", "containers": names})
    assert stopped.status_code == 302
    assert not any(state(docker_api, c)["Running"] for c in containers)
    entries = AuditEntry.objects.filter(action="stop", target_name__in=names)
    assert sorted(e.command for e in entries) == sorted(f"docker stop {n}" for n in names)

    admin_client.post("/containers/bulk/", {"verb": "start", "containers": names[:2]})
    assert [state(docker_api, c)["Running"] for c in containers] == [True, True, False]

    refused = admin_client.post("/containers/bulk/", {"verb": "remove", "containers": names[:2]})
    assert refused.status_code == 302
    assert all(state(docker_api, c)["Running"] for c in containers[:2]), "docker rm refuses them"
    refusals = AuditEntry.objects.filter(action="remove_container", target_name__in=names)
    assert sorted((e.command, e.outcome) for e in refusals) == [
        (f"docker rm {n}", "failed") for n in sorted(names[:2])
    ]
    refusals.delete()

    removed = admin_client.post(
        "/containers/bulk/", {"verb": "remove", "containers": names, "force": "on"}
    )
    assert removed.status_code == 302
    for container in containers:
        assert not docker_api.containers(all=True, filters={"id": container["Id"]})
    for verb, action, command, chosen in (
        ("stop", "stop", "docker stop", names),
        ("start", "start", "docker start", names[:2]),
        ("remove", "remove_container", "docker rm -f", names),
    ):
        entries = AuditEntry.objects.filter(action=action, target_name__in=names)
        assert sorted((e.target_name, e.command, e.outcome, e.username) for e in entries) == sorted(
            (n, f"{command} {n}", "succeeded", "admin") for n in chosen
        ), verb


def test_bulk_without_selection_is_refused(admin_client):
    response = admin_client.post("/containers/bulk/", {"verb": "stop"})

    assert response.status_code == 400
    assert "select at least one container" in text(response.content.decode())
    assert last_entry().outcome == "failed"


@pytest.mark.django_db(transaction=True)
def test_audit_entry_is_pending_until_the_action_finishes(make_container, admin_user, docker_api):
    # sleep as PID 1 ignores SIGTERM: the engine's stop waits the whole timeout
    container = make_container(["sleep", "600"], hint="pending")
    name = container["Name"][1:]
    spec = LifecycleSpec("stop", name, timeout=3)

    def stop() -> None:
        try:
            actions.container_lifecycle(actions.Actor(admin_user, "127.0.0.1"), spec)
        finally:
            connections.close_all()

    stopping = threading.Thread(target=stop)
    stopping.start()
    entry = wait_for(lambda: AuditEntry.objects.filter(action="stop", target_name=name).first())
    running_meanwhile = docker_api.inspect_container(container["Id"])["State"]["Running"]
    stopping.join(timeout=30)
    entry_after = AuditEntry.objects.get(pk=entry.pk)

    assert (entry.outcome, entry.finished_at) == ("pending", None)
    assert entry.command == f"docker stop -t 3 {name}"
    assert running_meanwhile, "the entry was pending while the engine was still stopping it"
    assert entry_after.outcome == "succeeded"
    assert entry_after.duration.total_seconds() >= 2.5, "it waited for the engine"
    assert not docker_api.inspect_container(container["Id"])["State"]["Running"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_bulk_never_sends_the_browser_elsewhere(admin_client, make_container, target):
    container = make_container(hint="redirect")

    response = admin_client.post(
        "/containers/bulk/",
        {"verb": "stop", "containers": [container["Name"][1:]], "next": target},
    )

    assert response.status_code == 302
    assert response["Location"] == "/containers/"
