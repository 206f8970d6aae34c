"""`docker build` from the browser, on the real engine: the three contexts, the options,
steps streamed with their durations and cache hits, failure, cancel, audit, and the
equivalence with the CLI's own build."""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import time
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from access.models import HostPolicy
from containers_app.models import Build
from tests import support
from tests.builds import build_data, build_state, last_fragment, wait_for_build
from tests.posting import error_at, field_errors, last_entry, preview

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/images/build/"


def tag(hint: str = "app") -> str:
    return f"dockside-test/build-{hint}-{uuid.uuid4().hex[:8]}:1"


def start(client, data: dict, files: dict | None = None) -> str:
    response = client.post(URL, {**data, **(files or {})})
    assert response.status_code == 302, field_errors(response.content.decode())
    return response["Location"]


def test_a_typed_dockerfile_builds_with_every_tag_arg_and_label(admin_client, docker_api):
    first, second = tag(), tag("second")
    dockerfile = (
        f"FROM {support.BASE_IMAGE}\nARG GREETING=hi\nCOPY hello.txt /hello.txt\n"
        'RUN echo "$GREETING from a build"\nCMD ["cat", "/hello.txt"]\n'
    )
    data = build_data(
        dockerfile,
        first,
        second,
        build_args="GREETING=bonjour",
        labels=f"{build_data('', '')['labels']}\nteam=web",
    )
    hello = SimpleUploadedFile("hello.txt", b"hello from the context\n")

    url = start(admin_client, data, {"files": [hello]})

    log = wait_for_build(admin_client, url)
    assert build_state(log) == "built", last_fragment(log)
    final = last_fragment(log)
    assert "bonjour from a build" in final, "RUN's output is shown with its step"
    assert (
        re.search(r"4/\d+</span> <code>COPY hello.txt /hello.txt</code>", final)
        or "COPY hello.txt" in final
    )
    assert re.search(r'step-time">[0-9.]+ s', final), "each step says how long it took"
    image = docker_api.inspect_image(first)
    assert set(image["RepoTags"]) >= {first, second}
    assert image["Config"]["Labels"]["team"] == "web"
    assert image["Config"]["Cmd"] == ["cat", "/hello.txt"]
    entry = last_entry("build")
    assert entry.outcome == "succeeded" and entry.target_id == image["Id"]
    assert entry.command.startswith(
        f"docker build -t {first} -t {second} --build-arg GREETING=bonjour"
    )
    assert entry.command.endswith("--network none --force-rm .")
    record = Build.objects.get(id=url.rstrip("/").rsplit("/", 1)[-1])
    assert record.state == "succeeded" and record.image_id == image["Id"]
    page = admin_client.get(f"/images/{first}/").content.decode()
    assert f'href="{url}"' in page, "the image page links back to its build"


def test_an_unchanged_step_is_marked_as_a_cache_hit(admin_client):
    dockerfile = f"FROM {support.BASE_IMAGE}\nRUN echo {uuid.uuid4().hex} > /marker\n"
    first = wait_for_build(admin_client, start(admin_client, build_data(dockerfile, tag())))
    assert build_state(first) == "built"
    assert "cache hit" not in last_fragment(first)

    again = wait_for_build(admin_client, start(admin_client, build_data(dockerfile, tag())))

    assert build_state(again) == "built"
    assert re.search(
        r'class="build-step cached">\s*<details>\s*<summary><span class="step-number">2/',
        last_fragment(again),
    ), "the RUN step came from the cache"


def test_a_failing_step_is_named_with_its_output(admin_client, docker_api):
    dockerfile = (
        f"FROM {support.BASE_IMAGE}\nRUN echo about to fail\n"
        'RUN echo failing now && exit 3\nCMD ["sh"]\n'
    )
    name = tag("fails")

    log = wait_for_build(admin_client, start(admin_client, build_data(dockerfile, name)))

    final = last_fragment(log)
    assert build_state(log) == "failed"
    assert "at step 3 (RUN echo failing now &amp;&amp; exit 3)" in final
    assert "returned a non-zero code: 3" in final
    failed = final.split('class="build-step failed"', 1)[1]
    assert "failing now" in failed.split("</li>", 1)[0], "the failing step's output is shown, open"
    assert "<details open>" in failed.split("</li>", 1)[0]
    entry = last_entry("build")
    assert entry.outcome == "failed" and "non-zero code: 3" in entry.error
    assert not docker_api.images(name=name.split(":")[0])


def test_cancel_stops_the_running_step(admin_client, docker_api):
    marker = uuid.uuid4().hex
    dockerfile = f"FROM {support.BASE_IMAGE}\nRUN echo started {marker} && sleep 60\n"
    url = start(admin_client, build_data(dockerfile, tag("cancel")))
    deadline = time.monotonic() + 30
    while (
        f"started {marker}"
        not in admin_client.get(
            url, headers={"HX-Request": "true", "HX-Target": "build-progress"}
        ).content.decode()
    ):
        assert time.monotonic() < deadline, "the step never started"
        time.sleep(0.1)
    began = time.monotonic()

    response = admin_client.post(f"{url}cancel/")

    assert response.status_code == 302
    log = wait_for_build(admin_client, url, limit=20)
    assert build_state(log) == "cancelled"
    assert time.monotonic() - began < 15, "cancel does not wait for the step to finish"
    assert last_entry("build").outcome == "failed"

    def step_containers():
        return [c for c in docker_api.containers(all=True) if marker in (c.get("Command") or "")]

    deadline = time.monotonic() + 15
    while step_containers():
        assert time.monotonic() < deadline, "the cancelled step's container is left behind"
        time.sleep(0.2)


def _tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "pack", "command_end"),
    [
        ("context.tar.gz", _tar_gz, "--network none --force-rm - < context.tar.gz"),
        ("context.zip", _zip, "--network none --force-rm context"),
    ],
)
def test_an_uploaded_archive_is_a_context(admin_client, docker_api, name, pack, command_end):
    image = tag("archive")
    files = {
        "Dockerfile": f"FROM {support.BASE_IMAGE}\nCOPY app/ /app/\n".encode(),
        "app/x": b"from the archive\n",
    }
    data = {**build_data("", image), "source": "archive"}

    url = start(admin_client, data, {"archive": SimpleUploadedFile(name, pack(files))})

    assert build_state(wait_for_build(admin_client, url)) == "built"
    assert last_entry("build").command.endswith(command_end)
    if name.endswith(".zip"):
        assert last_entry("build").command.startswith(
            "unzip -q context.zip -d context && docker build"
        )
    output = docker_api.create_container(image, labels=support.run_labels(), network_disabled=True)
    try:
        archive = docker_api.get_archive(output["Id"], "/app/x")[0]
        with tarfile.open(fileobj=io.BytesIO(b"".join(archive))) as tar:
            assert tar.extractfile("x").read() == b"from the archive\n"
    finally:
        docker_api.remove_container(output["Id"], force=True)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("c.tar.gz", _tar_gz({"README": b"no dockerfile"})),
            "has no Dockerfile at its top",
        ),
        (
            SimpleUploadedFile("c.zip", _zip({"sub/Dockerfile": b"FROM x"})),
            "has no Dockerfile at its top",
        ),
        (
            SimpleUploadedFile("c.tar", b"this is not a tar at all" * 40),
            "not an archive the engine can read",
        ),
        (SimpleUploadedFile("c.zip", b"PK\x03\x04 cut short"), "cannot be read"),
    ],
)
def test_an_archive_without_a_dockerfile_is_refused_at_its_field(admin_client, upload, message):
    data = {**build_data("", tag("bad")), "source": "archive"}
    builds = Build.objects.count()

    response = admin_client.post(URL, {**data, "archive": upload})

    assert response.status_code == 400
    assert message in error_at(response.content.decode(), "archive")
    assert last_entry("build").outcome == "failed"
    assert Build.objects.count() == builds, "nothing was started"


@pytest.fixture
def context_directory(tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM {support.BASE_IMAGE}\nCOPY . /ctx/\n")
    (tmp_path / "kept.txt").write_text("kept\n")
    (tmp_path / "secret.env").write_text("TOKEN=hidden\n")
    (tmp_path / ".dockerignore").write_text("# as the CLI reads it\n*.env\n")
    return tmp_path


def _files_in(docker_api, image: str, path: str) -> set[str]:
    container = docker_api.create_container(
        image, labels=support.run_labels(), network_disabled=True
    )
    try:
        archive = b"".join(docker_api.get_archive(container["Id"], path)[0])
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            return {name.split("/", 1)[-1] for name in tar.getnames() if "/" in name}
    finally:
        docker_api.remove_container(container["Id"], force=True)


def test_a_host_directory_is_packed_as_the_cli_packs_it(
    admin_client, docker_api, context_directory
):
    HostPolicy.objects.update_or_create(pk=1, defaults={"bind_roots": str(context_directory)})
    image = tag("dir")
    data = {**build_data("", image), "source": "directory", "directory": str(context_directory)}

    url = start(admin_client, data)

    assert build_state(wait_for_build(admin_client, url)) == "built"
    assert last_entry("build").command.endswith(f"--network none --force-rm {context_directory}")
    files = _files_in(docker_api, image, "/ctx")
    assert "kept.txt" in files and "Dockerfile" in files
    assert "secret.env" not in files, ".dockerignore is honoured"


def test_a_directory_outside_the_policy_needs_an_admin(
    operator_client, admin_client, context_directory
):
    HostPolicy.objects.update_or_create(pk=1, defaults={"bind_roots": ""})
    data = {
        **build_data("", tag("policy")),
        "source": "directory",
        "directory": str(context_directory),
    }
    builds = Build.objects.count()

    refused = operator_client.post(URL, {**data, "override_policy": "on"})

    assert refused.status_code == 403
    assert "outside those bind mounts may come from" in error_at(
        refused.content.decode(), "directory"
    )
    assert last_entry("build").outcome == "failed"
    assert Build.objects.count() == builds
    allowed = admin_client.post(URL, {**data, "override_policy": "on"})
    assert allowed.status_code == 302
    assert build_state(wait_for_build(admin_client, allowed["Location"])) == "built"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"tags": ""}, "tags", "at least one tag"),
        ({"tags": "Upper/Case:1"}, "tags", "must be lowercase"),
        ({"tags": "app@sha256:" + "a" * 64}, "tags", "cannot be a digest"),
        ({"dockerfile": "  "}, "dockerfile", "type a Dockerfile"),
        ({"target": "-x"}, "target", "stage name"),
        ({"platform": "amd64"}, "platform", "os/arch"),
        ({"build_args": "NOEQUALS"}, "build_args", "="),
        ({"source": "directory", "directory": "relative/dir"}, "directory", "absolute path"),
        ({"source": "archive"}, "archive", "choose the archive"),
        ({"dockerfile": "FROM busybox:1.36\n"}, "dockerfile", "registry docker.io is not allowed"),
        ({"dockerfile": "from Bad/Name\n"}, "dockerfile", "Bad/Name: repository name must"),
    ],
)
def test_bad_input_is_refused_at_its_field(admin_client, fields, field, message):
    data = {**build_data(f"FROM {support.BASE_IMAGE}\n", tag("bad")), **fields}

    response = admin_client.post(URL, data)

    assert response.status_code == 400
    assert message in error_at(response.content.decode(), field)
    assert last_entry("build").outcome == "failed"


def test_typed_files_with_bad_names_are_refused(admin_client):
    data = build_data(f"FROM {support.BASE_IMAGE}\n", tag("files"))
    files = [
        SimpleUploadedFile("Dockerfile", b"x"),
        SimpleUploadedFile("a", b"1"),
        SimpleUploadedFile("a", b"2"),
    ]

    response = admin_client.post(URL, {**data, "files": files})

    assert response.status_code == 400
    errors = error_at(response.content.decode(), "files")
    assert "the Dockerfile is the one typed above" in errors and "same name" in errors


@pytest.mark.parametrize(
    ("fields", "command"),
    [
        ({}, "docker build -t {tag} --label {label} --network none --force-rm ."),
        (
            {
                "build_args": "A=1\nTOKEN=s3cret",
                "target": "build",
                "no_cache": "on",
                "pull": "on",
                "network": "",
                "dockerfile": f"FROM {support.REGISTRY}/dockside-test/busybox\n",  # allowed
            },
            "docker build -t {tag} --build-arg A=1 --build-arg TOKEN=s3cret --label {label}"
            " --target build --no-cache --pull --force-rm .",
        ),
        (
            {"source": "archive", "archive_name": "app.tar.gz"},
            "docker build -t {tag} --label {label} --network none --force-rm - < app.tar.gz",
        ),
        (
            {"source": "archive", "archive_name": "app.zip"},
            "unzip -q app.zip -d context && docker build -t {tag} --label {label}"
            " --network none --force-rm context",
        ),
        (
            {"source": "directory", "directory": "/srv/my app"},
            "docker build -t {tag} --label {label} --network none --force-rm '/srv/my app'",
        ),
    ],
)
def test_the_preview_is_the_command(admin_client, fields, command):
    name = "team/app:1"
    data = {**build_data(f"FROM {support.BASE_IMAGE}\n", name), **fields}

    shown = preview(admin_client, URL, data)

    assert shown == command.format(tag=name, label=f"{support.IMAGE_LABEL}={support.RUN_ID}")


def test_a_secret_build_arg_is_masked_in_the_audit_log(admin_client):
    data = build_data(
        f"FROM {support.BASE_IMAGE}\nARG TOKEN\n", tag("secret"), build_args="TOKEN=s3cret-value"
    )

    wait_for_build(admin_client, start(admin_client, data))

    entry = last_entry("build")
    assert "s3cret-value" not in entry.command
    assert "s3cret-value" not in json.dumps(entry.parameters)


def test_the_build_page_reopens_from_its_record_and_only_for_its_owner(
    admin_client, operator_client
):
    from containers_app.jobs import store

    url = start(
        admin_client,
        build_data(f"FROM {support.BASE_IMAGE}\nRUN echo kept-output\n", tag("reopen")),
    )
    wait_for_build(admin_client, url)
    with store._lock:
        store._jobs.clear()  # as when the job has been forgotten, or the server restarted

    page = admin_client.get(url).content.decode()

    assert "kept-output" in page and 'class="state state-running">built' in page
    assert operator_client.get(url).status_code == 404, "another operator's build is not theirs"


def test_a_stage_is_no_registry_and_a_variable_needs_no_list(admin_client, docker_api):
    dockerfile = (
        f"ARG BASE={support.BASE_IMAGE}\nFROM $BASE AS build\nRUN echo built > /out\n"
        f"FROM build\nFROM {support.BASE_IMAGE}\nCOPY --from=build /out /out\n"
    )
    data = build_data(dockerfile, tag("stages"))

    refused = admin_client.post(URL, data)

    assert refused.status_code == 400, "with DOCKSIDE_ALLOWED_REGISTRIES set"
    assert "named by a variable cannot be checked" in error_at(
        refused.content.decode(), "dockerfile"
    )
    with override_settings(DOCKSIDE_ALLOWED_REGISTRIES=[]):
        url = start(admin_client, data)
    assert build_state(wait_for_build(admin_client, url)) == "built"


def test_copy_from_an_image_is_checked_as_from_is(admin_client, docker_api):
    dockerfile = f"FROM {support.BASE_IMAGE}\nCOPY --chown=1:1 --from=busybox:1.36 /bin/sh /sh\n"

    response = admin_client.post(URL, build_data(dockerfile, tag("copyfrom")))

    assert response.status_code == 400
    assert "busybox:1.36: reaching the registry docker.io is not allowed" in error_at(
        response.content.decode(), "dockerfile"
    )


def test_an_archives_dockerfile_is_checked_too(admin_client, docker_api):
    archive = _tar_gz({"Dockerfile": b"FROM busybox:1.36\n"})
    data = {**build_data("", tag("archive-from")), "source": "archive"}

    response = admin_client.post(URL, {**data, "archive": SimpleUploadedFile("c.tar.gz", archive)})

    assert response.status_code == 400
    assert "its Dockerfile: busybox:1.36: reaching the registry docker.io" in error_at(
        response.content.decode(), "archive"
    )


def test_a_missing_directory_is_said_only_once_the_policy_allows_it(
    admin_client, operator_client, tmp_path
):
    missing = tmp_path / "nothing-here"
    data = {**build_data("", tag("missing")), "source": "directory", "directory": str(missing)}
    HostPolicy.objects.update_or_create(pk=1, defaults={"bind_roots": ""})

    hidden = operator_client.post(URL, data)

    assert hidden.status_code == 403, "outside the policy: nothing said about the host's paths"
    assert "not a directory" not in hidden.content.decode()
    HostPolicy.objects.update_or_create(pk=1, defaults={"bind_roots": str(tmp_path)})
    said = admin_client.post(URL, data)
    assert said.status_code == 400
    assert "is not a directory on the Docker host" in error_at(said.content.decode(), "directory")
    assert last_entry("build").outcome == "failed"


def test_a_viewer_may_not_build(viewer_client):
    response = viewer_client.post(URL, build_data(f"FROM {support.BASE_IMAGE}\n", tag("viewer")))

    assert response.status_code == 403
    assert last_entry("build").outcome == "failed"


def test_the_cli_builds_the_same_image(admin_client, docker_api, tmp_path):
    """The command shown, run by the real CLI (legacy builder, as Dockside uses), makes an
    image with the same configuration and history."""
    dockerfile = (
        f"FROM {support.BASE_IMAGE}\nARG WHO=world\nENV GREETING=hello\nWORKDIR /srv\n"
        'COPY note.txt .\nRUN echo "$GREETING $WHO" > /srv/said\nEXPOSE 8080\nUSER 1000\n'
        'ENTRYPOINT ["sh", "-c"]\nCMD ["cat /srv/said"]\n'
    )
    ours, theirs = tag("ours"), tag("theirs")
    fields = {"build_args": "WHO=dockside", "labels": f"{build_data('', '')['labels']}\ntier=demo"}
    url = start(
        admin_client,
        build_data(dockerfile, ours, **fields),
        {"files": [SimpleUploadedFile("note.txt", b"note\n")]},
    )
    assert build_state(wait_for_build(admin_client, url)) == "built"
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "note.txt").write_text("note\n")
    command = last_entry("build").command.replace(ours, theirs)

    subprocess.run(  # noqa: S602 - the command exactly as the page shows it
        command,
        shell=True,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"DOCKER_BUILDKIT": "0", "PATH": "/usr/local/bin:/usr/bin:/bin"},
    )

    mine, cli = docker_api.inspect_image(ours), docker_api.inspect_image(theirs)
    for key in ("Cmd", "Entrypoint", "Env", "WorkingDir", "ExposedPorts", "User", "Labels"):
        assert mine["Config"][key] == cli["Config"][key], key
    said = [layer["CreatedBy"] for layer in docker_api.history(ours)]
    assert said == [layer["CreatedBy"] for layer in docker_api.history(theirs)]


def test_a_build_whose_server_stopped_reads_as_interrupted(admin_client, django_user_model):
    owner = django_user_model.objects.get(username="admin")
    record = Build.objects.create(
        id=uuid.uuid4().hex, user=owner, command="docker build .", tags=["x:1"]
    )

    page = admin_client.get(f"/images/build/{record.id}/").content.decode()

    assert "interrupted" in page and "the server stopped while it ran" in page
    assert "hx-trigger" not in page, "nothing left to poll"
    assert "Cancel the build" not in page
    record.refresh_from_db()
    assert record.state == "interrupted"
