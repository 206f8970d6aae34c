"""Arbitrary input into the build, push, save, load and registry forms: never a 500, and a
refused form leaves the engine as it was (and starts nothing)."""

from __future__ import annotations

import shutil
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from containers_app.jobs import store
from containers_app.models import Build
from tests import support
from tests.test_fuzz_forms import ANY_TEXT, FUZZ, EngineGuard

pytestmark = pytest.mark.django_db(transaction=True)

LABEL = f"{support.IMAGE_LABEL}={support.RUN_ID}"
DOCKERFILES = st.one_of(
    ANY_TEXT,
    st.builds(lambda rest: f"FROM {support.BASE_IMAGE}\n{rest}", ANY_TEXT),
    st.builds(lambda word: f"FROM {support.BASE_IMAGE}\nRUN {word}\nCMD {word}\n", ANY_TEXT),
)


def wait_for_jobs() -> None:
    """Until every job this process started has ended (builds, pushes)."""
    deadline = time.monotonic() + 60
    while any(not job.finished for job in list(store._jobs.values())):
        assert time.monotonic() < deadline, "a job did not end"
        time.sleep(0.05)
    while Build.objects.filter(state=Build.State.RUNNING).exists():
        assert time.monotonic() < deadline, "a build record was not finished"
        time.sleep(0.05)


def test_arbitrary_builds_never_break_the_build_form(admin_client, docker_api):
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(
        st.fixed_dictionaries(
            {
                "source": st.one_of(
                    ANY_TEXT, st.sampled_from(["dockerfile", "archive", "directory"])
                ),
                "dockerfile": DOCKERFILES,
                "tags": st.one_of(ANY_TEXT, st.just("dockside-test/fuzz-build:1")),
                "build_args": ANY_TEXT,
                "target": ANY_TEXT,
                "platform": ANY_TEXT,
                "directory": ANY_TEXT,
                "archive_name": ANY_TEXT,
                "no_cache": ANY_TEXT,
            }
        )
    )
    def submit(data):
        response = admin_client.post("/images/build/", {**data, "labels": LABEL, "network": "none"})
        if response.status_code == 302:  # it started: what it makes is the run's
            wait_for_jobs()
            guard.baseline = support.engine_state(docker_api)
        else:
            guard.check(response)

    submit()


def test_arbitrary_archives_never_break_the_build_form(admin_client, docker_api):
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(st.text(max_size=20), st.binary(max_size=3000))
    def submit(name, content):
        upload = SimpleUploadedFile(
            "x.tar" if name.strip("./") == "" or "/" in name else name, content
        )
        data = {"source": "archive", "tags": "dockside-test/fuzz-archive:1", "labels": LABEL}
        response = admin_client.post(
            "/images/build/", {**data, "network": "none", "archive": upload}
        )
        if response.status_code == 302:
            wait_for_jobs()
            guard.baseline = support.engine_state(docker_api)
        else:
            guard.check(response)

    submit()


def test_arbitrary_input_never_breaks_push_save_and_load(admin_client, docker_api, registry):
    image = docker_api.inspect_image(support.BASE_IMAGE)["Id"][7:19]
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(ANY_TEXT, ANY_TEXT, ANY_TEXT, st.binary(max_size=2000))
    def submit(registry_field, name, images, tar):
        push = admin_client.post(
            f"/images/{image}/push/", {"registry": registry_field, "name": name}
        )
        if push.status_code == 302:
            wait_for_jobs()
            guard.baseline = support.engine_state(docker_api)
        else:
            guard.check(push)
        saved = admin_client.post("/images/save/", {"images": images})
        if hasattr(saved, "streaming_content"):
            saved.close()
        guard.check(saved)
        loaded = admin_client.post("/images/load/", {"archive": SimpleUploadedFile("f.tar", tar)})
        assert guard.check(loaded), "random bytes are no image"

    submit()


def test_arbitrary_input_never_breaks_the_registry_form(admin_client, docker_api):
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(ANY_TEXT, ANY_TEXT, ANY_TEXT)
    def submit(address, username, password):
        data = {"address": address, "username": username, "password": password}
        guard.check(admin_client.post("/registries/add/", data))

    submit()


def test_arbitrary_input_never_breaks_the_stack_form(admin_client, docker_api, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    guard = EngineGuard(docker_api)
    composes = st.one_of(
        ANY_TEXT,
        st.builds(
            lambda rest: f"services:\n  web:\n    image: {support.BASE_IMAGE}\n{rest}", ANY_TEXT
        ),
    )

    @FUZZ
    @given(st.one_of(ANY_TEXT, st.just("dockside-fuzz")), composes, ANY_TEXT)
    def submit(name, compose_text, env):
        response = admin_client.post(
            "/stacks/new/", {"name": name, "compose": compose_text, "env": env}
        )
        refused = guard.check(response)
        stacks = tmp_path / "stacks"
        # .locks: the empty files each stack's save and runs take turns on, not its files
        written = [p for p in stacks.iterdir() if p.name != ".locks"] if stacks.is_dir() else []
        assert not (refused and written), f"a refused stack left files: {written}"
        for directory in written:  # a saved one: gone before the next example
            shutil.rmtree(directory)

    submit()
