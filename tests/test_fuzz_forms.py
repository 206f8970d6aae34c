"""Arbitrary text into every form: never a 500, and a refused form leaves the engine as it was."""

from __future__ import annotations

import uuid

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


@pytest.fixture
def targets(docker_api, make_container):
    """A container and an image of the suite's own for the forms to act on."""
    container = make_container(hint="fuzz")
    tag = f"dockside-test/fuzz:{uuid.uuid4().hex[:6]}"
    image_id = build_image(docker_api, f"FROM {support.BASE_IMAGE}\nRUN echo > /f\n", tag)
    return {"container": container["Id"][:12], "image": image_id.removeprefix("sha256:")}


class EngineGuard:
    """Checks one request: no 500; a refused form left the engine alone; removes what a
    form that did pass made (only ever from the suite's own container and image)."""

    def __init__(self, docker_api):
        self.api = docker_api
        self.baseline = engine_state(docker_api)

    def check(self, response) -> None:
        assert response.status_code < 500, response.status_code
        newest = AuditEntry.objects.order_by("-id").first()
        now = engine_state(self.api)
        if response.status_code == 400 and newest and newest.error.startswith("rejected:"):
            assert now == self.baseline, "a refused form changed the engine"
        self.baseline = now


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
    url = url.format(**targets)
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(form_data(fields))
    def submit(data):
        guard.check(admin_client.post(url, data))

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
