"""Arbitrary text into every form: never a 500, and a refused form leaves the engine as it was."""

from __future__ import annotations

import os
import uuid
from contextlib import suppress

import docker
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEntry
from containers_app.forms import RunForm
from containers_app.forms.fields import MAX_FIELD
from tests import support
from tests.posting import field_errors, last_entry, run_data
from tests.test_image_pages import build_image

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


SAMPLED = 12  # forms with more fields get this many per example, a different few each time


def form_data(fields: list[str]):
    if len(fields) <= SAMPLED:
        return st.fixed_dictionaries({name: ANY_TEXT for name in fields})
    return st.dictionaries(st.sampled_from(fields), ANY_TEXT, max_size=SAMPLED)


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
    """Checks one request: no 500; a refusal has a failed entry and left the engine as it was."""

    def __init__(self, docker_api):
        self.api = docker_api
        self.baseline = support.engine_state(docker_api)
        self.last_id = self.newest_id()

    @staticmethod
    def newest_id() -> int:
        newest = AuditEntry.objects.order_by("-id").first()
        return newest.id if newest else 0

    def check(self, response) -> bool:
        """Whether the request was refused (a 4xx: the engine was left as it was)."""
        assert response.status_code < 500, response.status_code
        entries = AuditEntry.objects.filter(id__gt=self.last_id)
        self.last_id = self.newest_id()
        now = support.engine_state(self.api)
        refused = 400 <= response.status_code < 500
        if refused:
            outcomes = [(entry.action, entry.outcome, entry.error) for entry in entries]
            assert any(outcome == "failed" for _, outcome, _ in outcomes), (
                f"a {response.status_code} answer without a failed audit entry: {outcomes}"
            )
            assert now == self.baseline, "a refused request changed the engine"
        self.baseline = now
        return refused


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
    "restart": ("/containers/{container}/restart/", ["timeout"]),
    # start, pause and unpause have no fields: whatever else is posted must not matter.
    "start": ("/containers/{container}/start/", ["timeout", "signal"]),
    "pause": ("/containers/{container}/pause/", ["timeout", "signal"]),
    "unpause": ("/containers/{container}/unpause/", ["timeout", "signal"]),
    "remove container": ("/containers/{container}/remove/", ["force", "volumes"]),
    "tag": ("/images/{image}/tag/", ["target"]),
    "remove image": ("/images/{image}/remove/", ["force", "no_prune"]),
}


# Forms that make things: what the fuzz does not choose is fixed, so that whatever they make
# is the run's (labelled) and acts on nothing else's (a container named, never an id prefix).
MAKERS = {
    "create volume": ("/volumes/create/", ["name", "driver", "options"]),
    "create network": (
        "/networks/create/",
        ["name", "driver", "gateway", "ip_range", "internal", "attachable"],
    ),
    "connect": ("/networks/{network}/connect/", ["aliases", "ip"]),
    "disconnect": ("/networks/{network}/disconnect/", ["force"]),
}


@pytest.mark.parametrize("form", MAKERS, ids=list(MAKERS))
def test_arbitrary_text_never_breaks_the_volume_and_network_forms(
    admin_client, docker_api, targets, form
):
    url, fields = MAKERS[form]
    targets.ensure()
    network = support.run_name("fuzz-net")
    docker_api.create_network(network, labels=support.run_labels())
    fixed = {"labels": support.RUN_LABEL, "container": targets.container}
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(form_data(fields))
    def submit(data):
        guard.check(admin_client.post(url.format(network=network), {**data, **fixed}))

    try:
        submit()
    finally:
        docker_api.remove_network(network)


def test_arbitrary_uploads_never_break_the_files_page(admin_client, docker_api, targets):
    targets.ensure()
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(ANY_TEXT, st.text(max_size=30), st.binary(max_size=2000), st.booleans())
    def submit(directory, name, content, extract):
        if targets.ensure():
            guard.baseline = support.engine_state(docker_api)
        # A name with no base name ("/", "..") is no file a browser can send.
        usable = os.path.basename(name) not in {"", ".", ".."}
        upload = SimpleUploadedFile(name if usable else "x", content)
        data = {"directory": directory, "file": upload, **({"extract": "on"} if extract else {})}
        guard.check(admin_client.post(targets.url("/containers/{container}/files/upload/"), data))

    submit()


@pytest.mark.parametrize("form", FORMS, ids=list(FORMS))
def test_arbitrary_text_never_breaks_a_form(admin_client, docker_api, targets, form):
    url, fields = FORMS[form]
    targets.ensure()
    guard = EngineGuard(docker_api)

    @FUZZ
    @given(form_data(fields))
    def submit(data):
        if targets.ensure():
            guard.baseline = support.engine_state(docker_api)
        refused = guard.check(admin_client.post(targets.url(url), data))
        if not refused and "{container}" in url:
            targets.retire()

    submit()


OVERSIZED = "x" * (MAX_FIELD + 1)
ONE_FIELD_TOO_LONG = {
    "run command": ("/containers/run/", "run", "command", run_data()),
    "exec command": ("/containers/{container}/exec/", "exec", "command", {}),
    "commit message": (
        "/containers/{container}/commit/",
        "commit",
        "message",
        {"repository": "dockside-test/oversized:v1"},
    ),
    "rename new_name": ("/containers/{container}/rename/", "rename", "new_name", {}),
    "tag target": ("/images/{image}/tag/", "tag", "target", {}),
    "pull image": ("/images/pull/", "pull", "image", {}),
    "volume name": ("/volumes/create/", "create_volume", "name", {}),
    "network name": ("/networks/create/", "create_network", "name", {}),
    "build dockerfile": (
        "/images/build/",
        "build",
        "dockerfile",
        {"tags": "dockside-test/x:1", "source": "dockerfile"},
    ),
    "build tags": (
        "/images/build/",
        "build",
        "tags",
        {"dockerfile": "FROM scratch\n", "source": "dockerfile"},
    ),
    "push name": ("/images/{image}/push/", "push", "name", {}),
    "save images": ("/images/save/", "save", "images", {}),
    "registry address": ("/registries/add/", "add_registry", "address", {}),
    "stack compose": ("/stacks/new/", "stack_save", "compose", {"name": "dockside-oversized"}),
}


@pytest.mark.parametrize("case", ONE_FIELD_TOO_LONG, ids=list(ONE_FIELD_TOO_LONG))
def test_a_field_over_64_kb_is_refused_at_the_field(admin_client, docker_api, targets, case):
    url, action, field, data = ONE_FIELD_TOO_LONG[case]
    targets.ensure()
    before = support.engine_state(docker_api)

    response = admin_client.post(targets.url(url), {**data, field: OVERSIZED})

    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}"' in html and 'aria-invalid="true"' in html
    expected = f"at most {MAX_FIELD} characters (it has {MAX_FIELD + 1})"
    assert any(expected in error for error in field_errors(html)), field_errors(html)
    assert support.engine_state(docker_api) == before
    entry = last_entry(action)
    assert entry.outcome == "failed" and entry.error.startswith(f"rejected: {field}:")
    assert len(str(entry.parameters)) < 10_000, "the audit log keeps a cut copy"


def test_arbitrary_labels_never_break_prune_and_touch_only_ours(admin_client, docker_api):
    ours = f"{support.TEST_LABEL}.fuzz={uuid.uuid4().hex}"
    guard = EngineGuard(docker_api)

    prunes = ["/containers/prune/", "/images/prune/", "/volumes/prune/", "/networks/prune/"]

    @FUZZ
    @given(ANY_TEXT, ANY_TEXT, st.sampled_from(prunes))
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


PASTED = st.one_of(
    ANY_TEXT,
    st.builds(
        "{} {} {}".format,
        st.sampled_from(["docker run", "docker create", "docker container run", "run", "sudo"]),
        st.lists(
            st.sampled_from(["-d", "-p", "-e", "-v", "--rm", "--name", "-it", "--", "=", "'"]),
            max_size=8,
        ).map(" ".join),
        ANY_TEXT,
    ),
)


def test_arbitrary_pasted_commands_never_break_the_run_form(admin_client, docker_api):
    before = support.engine_state(docker_api)

    @FUZZ
    @given(PASTED)
    def paste(command):
        response = admin_client.post("/containers/run/", {"_paste": "1", "pasted": command})
        assert response.status_code in {200, 400}, response.status_code
        assert 'id="docker-command"' in response.content.decode()

    paste()
    assert support.engine_state(docker_api) == before, "filling the form does nothing on the engine"
    assert not AuditEntry.objects.exclude(action="login").exists(), "and is no action"
