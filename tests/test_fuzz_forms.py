"""Arbitrary text into every form: never a 500, and a refused form leaves the engine as it was."""

from __future__ import annotations

import uuid
from contextlib import suppress

import docker
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from containers_app.forms import RunForm
from containers_app.models import AuditEntry
from tests import support
from tests.test_image_pages import build_image
from tests.test_run_form import engine_state

pytestmark = pytest.mark.django_db

ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="abc:/=-_.@[]0123456789 '\"\\\n", max_size=40),
    st.sampled_from(["", "on", "-1", "99999", "\x00", "A_TOKEN=" + "é" * 70_000, "a" * 66_000]),
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def form_data(fields: list[str]):
    return st.fixed_dictionaries({name: ANY_TEXT for name in fields})


class Targets:
    """A running container and an image of the suite's own for the forms to act on,
    made again whenever a form removed, renamed away or stopped them."""

    def __init__(self, docker_api, make_container):
        self.api = docker_api
        self.make_container = make_container
        self.container = self.image = ""  # full ids (the image's with its sha256: prefix)

    def ensure(self) -> bool:
        """Whether anything had to be made again."""
        made = False
        running = self.api.containers(filters={"id": self.container}) if self.container else []
        if not running:
            self.container = self.make_container(hint="fuzz")["Id"]
            made = True
        if not any(image["Id"] == self.image for image in self.api.images(all=True)):
            tag = f"dockside-test/fuzz:{uuid.uuid4().hex[:6]}"
            self.image = build_image(self.api, f"FROM {support.BASE_IMAGE}\nRUN echo > /f\n", tag)
            made = True
        return made

    def retire(self) -> None:
        """A form acted on the container (a kill, say): its effects may still be landing."""
        with suppress(docker.errors.NotFound):
            self.api.remove_container(self.container, force=True)
        self.container = ""

    def url(self, template: str) -> str:
        return template.format(container=self.container[:12], image=self.image[7:19])


@pytest.fixture
def targets(docker_api, make_container) -> Targets:
    return Targets(docker_api, make_container)


class EngineGuard:
    """Checks one request: no 500, and a refused form left the engine as it was."""

    def __init__(self, docker_api):
        self.api = docker_api
        self.baseline = engine_state(docker_api)

    def check(self, response) -> bool:
        """Whether the form was refused (and so left the engine as it was)."""
        assert response.status_code < 500, response.status_code
        newest = AuditEntry.objects.order_by("-id").first()
        now = engine_state(self.api)
        refused = response.status_code == 400 and newest and newest.error.startswith("rejected:")
        if refused:
            assert now == self.baseline, "a refused form changed the engine"
        self.baseline = now
        return bool(refused)


FORMS = {
    "run": ("/containers/run/", list(RunForm.base_fields)),
    "pull": ("/images/pull/", ["registry", "image"]),
    "exec": ("/containers/{container}/exec/", ["command", "user", "workdir", "env"]),
    "commit": (
        "/containers/{container}/commit/",
        ["repository", "message", "author", "changes", "pause"],
    ),
    "rename": ("/containers/{container}/rename/", ["new_name"]),
    "kill": ("/containers/{container}/kill/", ["signal"]),
    "stop": ("/containers/{container}/stop/", ["timeout"]),
    "remove container": ("/containers/{container}/remove/", ["force", "volumes"]),
    "tag": ("/images/{image}/tag/", ["target"]),
    "remove image": ("/images/{image}/remove/", ["force", "no_prune"]),
}


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_arbitrary_text_never_breaks_a_form(admin_client, docker_api, targets, form):
    url, fields = FORMS[form]
    targets.ensure()
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(form_data(fields))
    def submit(data):
        if targets.ensure():
            guard.baseline = engine_state(docker_api)
        refused = guard.check(admin_client.post(targets.url(url), data))
        if not refused and "{container}" in url:
            targets.retire()

    submit()


def test_arbitrary_labels_never_break_prune_and_touch_only_ours(admin_client, docker_api):
    ours = f"{support.TEST_LABEL}.fuzz={uuid.uuid4().hex}"
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(ANY_TEXT, ANY_TEXT, st.sampled_from(["/containers/prune/", "/images/prune/"]))
    def submit(labels, expected, url):
        # Filters are ANDed: with our unique label first, nobody else's object can match.
        guard.check(admin_client.post(url, {"labels": f"{ours}\n{labels}", "expected": expected}))

    submit()


def test_arbitrary_bulk_requests_and_audit_filters_never_break(admin_client, docker_api):
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(ANY_TEXT, ANY_TEXT, form_data(["user", "action", "outcome", "target", "since", "until"]))
    def submit(verb, suffix, filters):
        name = f"{support.NAME_PREFIX}absent-{suffix}"
        guard.check(admin_client.post("/containers/bulk/", {"verb": verb, "containers": [name]}))
        assert admin_client.get("/audit/", filters).status_code == 200
        assert admin_client.get("/audit/export.csv", filters).status_code == 200

    submit()
